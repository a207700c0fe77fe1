package io.pbkv.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The backup's side of replication: accepting the primary's log (log matching, truncation of a divergent
 * uncommitted tail), the silence timer, and eligibility to promote, which only an admission grants.
 */
final class Follower {

	private final Node node;

	private final NodeConfig config;

	/** When the current primary was last heard (our clock). Our promise not to promote runs from here. */
	private long lastHeard;

	/** Whether the current primary admitted us to its in-sync set and nothing since could have undone it. */
	boolean eligible;

	/** Admissions with this id or lower were received before a restart or a pause: they count for nothing. */
	private long admissionFloor;

	private long newestAdmission;

	/** The primary's commit index, and the highest index known to equal the primary's log. */
	private long primaryCommit;

	private long verifiedIndex;

	private long missedReported;

	/** The lowest index at which our committed history is known to differ from the current primary's; 0: none. */
	private long divergedFrom;

	/** Whether our history differs from the primary's at or before our own snapshot index, where we cannot tell. */
	private boolean compactedHistoryDiffers;

	private boolean divergenceReported;

	/** Milliseconds this node slept (clock gaps) since it last heard the primary. */
	private long sleptSinceHeard;

	/** The send time of the newest append from the current primary (its clock). */
	private long newestSentAt = Progress.NEVER;

	Follower(Node node, NodeConfig config, long now) {
		this.node = node;
		this.config = config;
		this.lastHeard = now;
	}

	/** When this node last heard its primary, or granted a vote: the start of the silence that ends in a campaign. */
	long lastHeard() {
		return lastHeard;
	}

	/** A vote granted: the candidate may become primary, so the silence that would start a campaign starts anew. */
	void voted(long now) {
		lastHeard = now;
	}

	/** A new epoch or a new primary: admissions from before it mean nothing now. */
	void reset(long now) {
		lastHeard = now;
		eligible = false;
		admissionFloor = newestAdmission;
		verifiedIndex = 0;
		primaryCommit = 0;
		newestSentAt = Progress.NEVER;
		missedReported = 0;
		divergedFrom = 0;
		compactedHistoryDiffers = false;
		divergenceReported = false;
	}

	/**
	 * Our clock jumped by {@code gap}: we slept, so the silence timer restarts (we promote only after a full timeout
	 * of silence we watched). Once we have slept the pause threshold in all since we last heard the primary, it
	 * may have dropped us meanwhile, so we are no longer eligible, and admissions queued before must not make us
	 * eligible again. Cumulative, because two short pauses back to back are one long one to the primary.
	 */
	void slept(long now, long gap) {
		boolean wasEligible = eligible;
		sleptSinceHeard += gap;
		if (sleptSinceHeard >= config.pauseThreshold()) {
			eligible = false;
			admissionFloor = newestAdmission;
		}
		if (gap >= config.heartbeatInterval()) {
			lastHeard = Math.max(lastHeard, now);
			node.event(Event.Kind.PAUSE_DETECTED, String.format(Locale.ROOT, "node %s: clock jumped %.1f s (paused?)%s",
					config.nodeId(), gap / 1000.0,
					wasEligible && !eligible ? "; no longer eligible to promote until re-admitted" : ""));
		}
	}

	boolean silent(long now) {
		return now - lastHeard >= config.heartbeatTimeout();
	}

	void tick(long now) {
		long missed = (now - lastHeard) / config.heartbeatInterval();
		if (missed > missedReported && node.primaryId() != null) {
			int count = (int) (missed - missedReported);
			missedReported = missed;
			// Counted every interval, told once per lapse.
			boolean firstOfLapse = missed >= 2 && missed - count < 2;
			node.event(Event.Kind.HEARTBEAT_MISSED, count, firstOfLapse ? String.format(Locale.ROOT,
					"node %s: no heartbeat from primary %s for %.1f s", config.nodeId(), node.primaryId(),
					(now - lastHeard) / 1000.0) : "");
		}
	}

	void onAppend(long now, Message.Append m) {
		heard(now);
		// Saved before the answer leaves (it changes the hard state): the answer says this voter holds it.
		node.acceptConfig(m.config());
		if (config.witness()) {
			reply(m, true, 0);
			return;
		}
		ReplicationLog log = node.log();
		long prev = m.prevIndex();
		if (prev > log.lastIndex()) {
			reply(m, false, log.lastIndex());
			return;
		}
		if (prev < log.snapshotIndex() && !reaches(m, log.snapshotIndex())) {
			// Our snapshot covers prev: only the primary's entry at our snapshot index can show that what we
			// compacted is its history too. When even its newest word stops short, its log is shorter than what
			// we committed, which only a former primary that went on alone can have.
			if (m.sentAt() >= newestSentAt) {
				divergedAtOrBefore(m, log.snapshotIndex());
			}
			else {
				reply(m, false, log.snapshotIndex());
			}
			return;
		}
		if (prev >= log.snapshotIndex() && log.epochAt(prev) != m.prevEpoch()) {
			if (prev == log.snapshotIndex()) {
				divergedAtOrBefore(m, prev);
				return;
			}
			reply(m, false, conflictHint(prev));
			return;
		}
		for (LogEntry entry : m.entries()) {
			if (entry.index() < log.snapshotIndex()) {
				continue;
			}
			if (entry.index() <= log.lastIndex()) {
				if (log.epochAt(entry.index()) == entry.epoch()) {
					continue;
				}
				if (entry.index() <= log.commitIndex()) {
					divergedAtOrBefore(m, entry.index());
					return;
				}
				discardFrom(entry.index(), m.from());
			}
			log.append(entry);
		}
		long matched = prev + m.entries().size();
		verifiedIndex = Math.max(verifiedIndex, matched);
		primaryCommit = Math.max(primaryCommit, m.commitIndex());
		updateEligibility(m, matched);
		reply(m, true, matched);
	}

	private static boolean reaches(Message.Append m, long index) {
		return !m.entries().isEmpty() && m.entries().get(m.entries().size() - 1).index() >= index;
	}

	/**
	 * What we hold as committed differs from the primary at {@code index} (or, at our snapshot index, somewhere up
	 * to it): we went on as a primary without a backup (a partition, or async mode) and a newer primary does not
	 * have it. Applied entries cannot be taken back one by one, so we ask for the primary's snapshot; what it
	 * replaces is reported as discarded when it is installed.
	 */
	private void divergedAtOrBefore(Message.Append m, long index) {
		ReplicationLog log = node.log();
		boolean exact = index > log.snapshotIndex();
		if (exact && (divergedFrom == 0 || index < divergedFrom)) {
			divergedFrom = index;
		}
		compactedHistoryDiffers |= !exact;
		if (!divergenceReported) {
			divergenceReported = true;
			node.event(Event.Kind.HISTORY_DIVERGED, String.format(Locale.ROOT,
					"node %s: its committed history differs from primary %s's %s index %d (it went on alone "
							+ "during a partition or in async mode); asking for a snapshot",
					config.nodeId(), m.from(), exact ? "from" : "at or before", index));
		}
		needSnapshot(m.fromUrl(), m.sentAt());
	}

	/**
	 * Only the primary's newest word counts (a reordered old message neither grants nor revokes): an admission
	 * makes us eligible once we hold its index; an append without one means we are not in its in-sync set.
	 */
	private void updateEligibility(Message.Append m, long matched) {
		if (m.sentAt() < newestSentAt) {
			return;
		}
		newestSentAt = m.sentAt();
		if (m.admission() > admissionFloor && matched >= m.admittedFrom()) {
			eligible = true;
			newestAdmission = Math.max(newestAdmission, m.admission());
		}
		else if (m.admission() == 0) {
			eligible = false;
			admissionFloor = newestAdmission;
		}
	}

	/**
	 * Where the primary should resume: before the first entry of the epoch that disagrees. Not floored at our
	 * commit index: a former primary's commits made alone may be exactly what disagrees.
	 */
	private long conflictHint(long prev) {
		ReplicationLog log = node.log();
		long epoch = log.epochAt(prev);
		long index = prev;
		while (index > log.snapshotIndex() && log.epochAt(index - 1) == epoch) {
			index--;
		}
		return Math.max(log.snapshotIndex(), index - 1);
	}

	/**
	 * The primary offers its snapshot. If we hold its last entry (log matching: everything it covers) and our
	 * history is not known to differ, it only tells us a commit. Otherwise we ask the runtime to fetch it and
	 * answer that we need it, which also tells the primary we are alive while the transfer runs.
	 */
	void onSnapshot(long now, Message.InstallSnapshot m) {
		heard(now);
		node.acceptConfig(m.config());
		if (config.witness()) {
			node.send(node.appendResult(m.fromUrl(), true, 0, m.sentAt(), false));
			return;
		}
		// A backup that needs a snapshot is not in the in-sync set.
		eligible = false;
		admissionFloor = newestAdmission;
		newestSentAt = Math.max(newestSentAt, m.sentAt());
		ReplicationLog log = node.log();
		if (log.epochAt(m.lastIndex()) == m.lastEpoch() && divergedFrom == 0 && !compactedHistoryDiffers) {
			// Overtaken by appends we may already have acknowledged: resetting to it would lose them.
			primaryCommit = Math.max(primaryCommit, m.lastIndex());
			verifiedIndex = Math.max(verifiedIndex, m.lastIndex());
			// Only what it proves matches: up to its last index (our commits past it may be ours alone).
			node.send(node.appendResult(m.fromUrl(), true, m.lastIndex(), m.sentAt(), false));
			return;
		}
		node.outbox().fetch(new SnapshotFetch(m.from(), m.fromUrl(), m.lastIndex(), m.lastEpoch(), m.sentAt()));
		needSnapshot(m.fromUrl(), m.sentAt());
	}

	/** Asks for a snapshot reaching at least what we verified in this epoch (no less may replace it). */
	private void needSnapshot(String primaryUrl, long sentAt) {
		node.send(node.appendResult(primaryUrl, false, Math.max(1, verifiedIndex), sentAt, true));
	}

	/** The snapshot the runtime fetched for us: install it, unless it no longer fits. */
	void onSnapshotFetched(long now, Snapshot snapshot, String from, String fromUrl, long sentAt) {
		ReplicationLog log = node.log();
		eligible = false;
		admissionFloor = newestAdmission;
		long ours = log.epochAt(snapshot.lastIndex());
		StateMachine state = node.stateMachine();
		long parted = snapshot.firstDifference(state.epochs(), Math.min(snapshot.lastIndex(), state.appliedIndex()));
		if (parted > 0 && (divergedFrom == 0 || parted < divergedFrom)) {
			divergedFrom = parted;
		}
		boolean diverged = divergedFrom > 0 || compactedHistoryDiffers || ours >= 0 && ours != snapshot.lastEpoch()
				&& snapshot.lastIndex() <= log.commitIndex();
		if (!diverged && (ours == snapshot.lastEpoch() || snapshot.lastIndex() <= log.commitIndex())) {
			// We already hold what it covers (overtaken by appends, or by our own snapshot): only a commit.
			primaryCommit = Math.max(primaryCommit, snapshot.lastIndex());
		}
		else if (snapshot.lastIndex() < verifiedIndex) {
			// It would take back entries we told this primary we hold: wait for a newer one.
			needSnapshot(fromUrl, sentAt);
			return;
		}
		else if (diverged) {
			// A committed entry of ours is not the primary's: our history since the partition goes.
			replaceDivergedHistory(snapshot, from);
		}
		else {
			installSnapshot(snapshot, from);
		}
		verifiedIndex = Math.max(verifiedIndex, snapshot.lastIndex());
		node.send(node.appendResult(fromUrl, true, snapshot.lastIndex(), sentAt, false));
	}

	private void heard(long now) {
		lastHeard = now;
		sleptSinceHeard = 0;
		missedReported = 0;
	}

	private void reply(Message.Append m, boolean success, long matchIndex) {
		node.send(node.appendResult(m.fromUrl(), success, matchIndex, m.sentAt(), false));
	}

	/** Removes the uncommitted tail from {@code index} on, which the primary lacks; never merged, always told. */
	private void discardFrom(long index, String primary) {
		ReplicationLog log = node.log();
		List<LogEntry> tail = log.slice(index, log.lastIndex());
		log.truncateFrom(index);
		node.truncated(index);
		reportDiscarded(tail, primary);
	}

	private void reportDiscarded(List<LogEntry> lost, String primary) {
		if (lost.isEmpty()) {
			return;
		}
		node.outbox().discarded(lost);
		node.event(Event.Kind.ENTRIES_DISCARDED, lost.size(), String.format(Locale.ROOT,
				"node %s: discarded %d entries from index %d that primary %s lacks (kept in discarded.jsonl)", config.nodeId(),
				lost.size(), lost.get(0).index(), primary));
	}

	private void installSnapshot(Snapshot snapshot, String primary) {
		ReplicationLog log = node.log();
		// The uncommitted tail goes with the old log, but only what the primary may lack is lost: not the entries
		// of its own epoch, nor those of the snapshot's last epoch up to its end (log matching).
		reportDiscarded(log.slice(log.commitIndex() + 1, log.lastIndex())
			.stream()
			.filter(e -> e.epoch() != node.epoch()
					&& !(e.index() <= snapshot.lastIndex() && e.epoch() == snapshot.lastEpoch()))
			.toList(), primary);
		log.resetTo(snapshot);
		node.stateMachine().restore(snapshot);
		node.installed(snapshot);
	}

	/**
	 * Installs the primary's snapshot over a history that went its own way, reporting what goes: our log entries
	 * from where it diverged, and, where our own snapshot already compacted them, the values written since then
	 * that the primary does not hold (their exact entries are gone; when the divergence point is unknown, every
	 * value newer than the primary's is reported, which may include some it overwrote on purpose).
	 */
	private void replaceDivergedHistory(Snapshot snapshot, String primary) {
		ReplicationLog log = node.log();
		long from = divergedFrom > 0 ? divergedFrom : 1;
		long compactedTo = log.snapshotIndex();
		// Entries rebuilt from the state carry the epoch of our snapshot's last entry: the exact one is gone.
		long compactedEpoch = Math.max(1, log.epochAt(compactedTo));
		List<LogEntry> inLog = log.slice(Math.max(from, compactedTo + 1), log.lastIndex())
			.stream()
			.filter(e -> e.epoch() != node.epoch()
					&& !(e.index() <= snapshot.lastIndex() && e.epoch() == snapshot.lastEpoch()))
			.toList();
		List<LogEntry> lost = new ArrayList<>();
		if (from <= compactedTo) {
			lost.addAll(node.stateMachine().writesMissingFrom(snapshot, from, compactedTo, compactedEpoch,
					divergedFrom > 0, inLog));
		}
		lost.addAll(inLog);
		reportDiscarded(lost, primary);
		log.resetTo(snapshot);
		node.stateMachine().restore(snapshot);
		node.installed(snapshot);
		divergedFrom = 0;
		compactedHistoryDiffers = false;
	}

	/** What this backup may count as committed: known committed by the primary, matched, and durable here. */
	long commitTarget(long stableIndex) {
		return Math.min(primaryCommit, Math.min(verifiedIndex, stableIndex));
	}


}
