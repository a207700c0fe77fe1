package io.pbkv.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The primary's side of replication: one {@link Progress} per backup, heartbeats, the in-sync set (admission
 * and dropping), the commit index, and the read lease. Lives only while its node is primary.
 */
final class Replicator {

	/** Keeps one replication message far below the peer API's body limit, whatever the values' sizes. */
	private static final long MAX_APPEND_BYTES = 4L * 1024 * 1024;

	private final Node node;

	private final NodeConfig config;

	private final Map<String, Progress> peers = new LinkedHashMap<>();

	private long admissions;

	/** With three or more voters: the in-sync configuration and its changes; null in a pair. */
	private final InSyncChanges changes;

	private final long startedAt;

	/** The operator's changes of the voters, and the binding of their data dirs' names: only with 3+ voters. */
	private final VoterChanges voterChanges;

	/** In a pair: the operator's addition of a third voter, under way; null when none. */
	private PairGrowth growth;

	/**
	 * Set when this primary found a gap in its own clock: no client is answered, and no backup dropped, until every
	 * in-sync backup has answered a message sent after it; if that takes a timeout, the primary steps down.
	 */
	private long suspendedSince = -1;

	/**
	 * {@code adopted} is the newest in-sync configuration this primary's voters hold (with three or more voters):
	 * it starts with itself alone in its own epoch's first configuration, and re-admits backups as they catch up.
	 */
	Replicator(Node node, NodeConfig config, long now, InSyncConfig adopted, boolean forced) {
		this.node = node;
		this.config = config;
		this.startedAt = now;
		if (node.quorum()) {
			Set<String> voters = adopted != null && !adopted.voters().isEmpty() ? adopted.voters() : bootstrapVoters();
			Set<String> self = Set.of(config.nodeId());
			InSyncConfig first = adopted == null ? new InSyncConfig(node.epoch(), 1, self, voters)
					: adopted.next(node.epoch(), self, voters);
			// A forced primary gave up on the lost voters: its first configuration holds at once.
			changes = new InSyncChanges(config.advertisedUrl(), forced ? null : adopted, first, forced);
			voterChanges = new VoterChanges(node, config, changes, peers, forced, this::propose);
			node.acceptConfig(first);
			syncPeers(voters, now);
		}
		else {
			changes = null;
			voterChanges = null;
			syncPeers(new LinkedHashSet<>(config.peerUrls()), now);
		}
	}

	/** This node and the peers {@code kv.peers} names: the voters of a cluster's first configuration. */
	private Set<String> bootstrapVoters() {
		Set<String> voters = new LinkedHashSet<>(config.peerUrls());
		voters.add(config.advertisedUrl());
		return voters;
	}

	/** One progress per voter but this node; a removed voter's goes once its removal holds. */
	private void syncPeers(Set<String> voters, long now) {
		for (String url : voters) {
			if (!url.equals(config.advertisedUrl()) && !peers.containsKey(url)) {
				peers.put(url, new Progress(url, node.log().lastIndex() + 1, now));
			}
		}
		if (changes != null && !changes.pending()) {
			peers.keySet().removeIf(url -> !voters.contains(url));
		}
	}

	void tick(long now) {
		if (suspendedSince >= 0 && now - suspendedSince >= config.heartbeatTimeout()) {
			// Paused, and no round trip since: a backup may have replaced us and then failed too. Going on alone
			// could acknowledge writes a newer primary never had, so step down and let the votes decide.
			node.stepDown(now, String.format(Locale.ROOT, "paused, then no round trip with the in-sync backups "
					+ "for %.1f s", (now - suspendedSince) / 1000.0));
			return;
		}
		for (Progress p : peers.values()) {
			if (p.inSync && suspendedSince < 0 && now - p.lastAckAt >= config.heartbeatTimeout()
					&& (changes == null || !changes.pending())) {
				drop(p, now);
			}
			if (now - p.lastSentAt >= config.heartbeatInterval()) {
				sendAppend(p, now);
			}
		}
		if (suspendedSince >= 0 && peers.values().stream().noneMatch(p -> p.inSync)) {
			suspendedSince = -1;
		}
		if (voterChanges != null) {
			voterChanges.bindIncarnations(now);
		}
		if (growth != null && maybeGrow(now)) {
			return;
		}
		node.maybeCommit();
	}

	/**
	 * Our clock jumped: we were paused. Silence we slept through proves nothing about the backups, so their
	 * drop clocks restart now, and we answer no client until a round trip shows nobody replaced us.
	 */
	void clockGap(long now, long gap) {
		// A stall of an interval or more is time it slept through: it counts as nobody's silence.
		if (gap < config.primaryPauseThreshold()) {
			return;
		}
		node.event(Event.Kind.PAUSE_DETECTED, String.format(Locale.ROOT, "node %s: clock jumped %.1f s (paused?); "
				+ "answering no client until a round trip completes", config.nodeId(), gap / 1000.0));
		for (Progress p : peers.values()) {
			p.lastAckAt = now;
			p.lastSentAt = Progress.NEVER;
		}
		if (suspendedSince < 0 && peers.values().stream().anyMatch(p -> p.inSync)) {
			suspendedSince = now;
		}
	}

	private void drop(Progress p, long now) {
		p.inSync = false;
		p.admission = 0;
		String silence = String.format(Locale.ROOT, "no answer for %.1f s", (now - p.lastAckAt) / 1000.0);
		if (changes != null) {
			// Commits still wait for it until a majority has recorded the drop.
			propose(changes.proposed().without(p.nodeId, node.epoch()), now);
			node.event(Event.Kind.BACKUP_DROPPED, String.format(Locale.ROOT, "node %s: dropping backup %s from the "
					+ "in-sync set (%s) in configuration %s, once a majority accepts it", config.nodeId(), name(p),
					silence, changes.proposed().versionText()));
			return;
		}
		node.event(Event.Kind.BACKUP_DROPPED, String.format(Locale.ROOT,
				"node %s: dropped backup %s from the in-sync set (%s)", config.nodeId(), name(p), silence));
	}

	private void propose(InSyncConfig next, long now) {
		changes.propose(next);
		node.acceptConfig(next);
		syncPeers(next.voters(), now);
		if (changes.heard(config.advertisedUrl(), next.epoch(), next.version())) {
			// A forced primary's word alone is a majority.
			configCommitted(now);
			return;
		}
		// Sent to every voter at once: it commits with a majority's answers.
		for (Progress q : peers.values()) {
			sendAppend(q, now);
		}
	}

	/** Sends whatever the backup lacks; with nothing to send it is a heartbeat. */
	void sendAppend(Progress p, long now) {
		ReplicationLog log = node.log();
		long prevIndex = p.nextIndex - 1;
		if (p.witness) {
			// A witness holds no entries: it gets heartbeats and the configuration, never the log.
			prevIndex = log.lastIndex();
			p.nextIndex = prevIndex + 1;
		}
		long prevEpoch = log.epochAt(prevIndex);
		if (!p.witness && (prevEpoch < 0 || p.snapshotWanted > 0)) {
			offerSnapshot(p, now);
			return;
		}
		long last = p.witness ? prevIndex : Math.min(log.lastIndex(), prevIndex + config.maxEntriesPerAppend());
		long bytes = 0;
		for (long i = prevIndex + 1; i <= last; i++) {
			bytes += Compaction.sizeOf(log.entry(i));
			if (bytes > MAX_APPEND_BYTES && i > prevIndex + 1) {
				last = i - 1;
				break;
			}
		}
		List<LogEntry> entries = log.slice(prevIndex + 1, last);
		node.send(new Message.Append(config.nodeId(), config.advertisedUrl(), p.url, node.clusterId(), node.epoch(),
				prevIndex, prevEpoch, entries, log.commitIndex(), now, p.inSync ? p.admission : 0,
				p.inSync ? p.admittedFrom : 0,
				changes != null ? changes.proposed() : growth != null ? growth.proposal() : null));
		p.nextIndex = last + 1;
		p.lastSentAt = now;
	}

	/**
	 * Offers our newest durable snapshot if it reaches what the backup needs (past our log's start, and past all
	 * it verified in this epoch); otherwise asks for a new one and offers it once written. The offer is small and
	 * repeated every interval while the backup fetches: it is that backup's heartbeat, and it pins the snapshot
	 * and the log after it (see {@link #pinnedFrom}). A repeated offer names the snapshot already offered for as
	 * long as it is still enough and still on disk (not behind our log's start, which is where compaction deleted
	 * older files up to): offering each newer snapshot instead would make the backup drop its transfer and start
	 * over, forever if snapshots come faster than a transfer takes.
	 */
	private void offerSnapshot(Progress p, long now) {
		p.snapshotWanted = Math.max(1, Math.max(p.snapshotWanted, node.log().snapshotIndex()));
		p.lastSentAt = now;
		if (p.offered < p.snapshotWanted) {
			if (node.snapshots().savedIndex() < p.snapshotWanted) {
				node.requestSnapshot();
				return;
			}
			p.offered = node.snapshots().savedIndex();
			p.offeredEpoch = node.snapshots().savedEpoch();
		}
		p.offeredAt = now;
		p.nextIndex = p.offered + 1;
		node.send(new Message.InstallSnapshot(config.nodeId(), config.advertisedUrl(), p.url, node.clusterId(),
				node.epoch(), p.offered, p.offeredEpoch, now, configuration()));
	}

	/**
	 * The lowest index whose entries must stay in the log because a backup is fetching the snapshot that ends just
	 * before it (compacting past it would make the backup start over once it has the snapshot), or
	 * {@code Long.MAX_VALUE}. A backup that stops answering for a heartbeat timeout lets go of its pin.
	 */
	long pinnedFrom(long now) {
		long from = Long.MAX_VALUE;
		for (Progress p : peers.values()) {
			if (p.offered > 0 && now - p.lastAckAt < config.heartbeatTimeout()) {
				from = Math.min(from, p.offered + 1);
			}
		}
		return from;
	}

	/** Sends new entries to every backup at once, without waiting for the heartbeat (pipelining). */
	void broadcast(long now) {
		for (Progress p : peers.values()) {
			if (p.nextIndex <= node.log().lastIndex() && !p.witness) {
				sendAppend(p, now);
			}
		}
	}

	void onResult(long now, Message.AppendResult r) {
		Progress p = peers.get(r.fromUrl());
		if (p == null) {
			return;
		}
		p.nodeId = r.from();
		p.lastAckAt = Math.max(p.lastAckAt, now);
		// Any answer in our epoch renews the backup's promise, which runs from when it heard us.
		if (r.sentAt() > p.leaseSentAt) {
			p.leaseSentAt = r.sentAt();
		}
		if (suspendedSince >= 0 && r.sentAt() >= suspendedSince && allInSyncAnsweredSince(suspendedSince)) {
			suspendedSince = -1;
		}
		if (r.incarnation() != null && !r.incarnation().equals(p.incarnation)) {
			if (p.incarnation != null) {
				// A new data dir: what the old one held, and any promise it made, is gone.
				p.matchIndex = 0;
				p.nextIndex = Math.min(p.nextIndex, node.log().lastIndex() + 1);
			}
			p.incarnation = r.incarnation();
		}
		// A voter that lost its data dir counts for no majority until a majority without it re-admitted it.
		if (changes != null && recognized(p) && changes.heard(p.url, r.configEpoch(), r.configVersion())) {
			configCommitted(now);
		}
		if (growth != null) {
			growth.heard(p.url, r.configEpoch(), r.configVersion());
			if (maybeGrow(now)) {
				return;
			}
		}
		if (r.witness()) {
			// A witness holds no entries: it counts for votes, leases and configurations only.
			p.witness = true;
			p.snapshotWanted = 0;
			p.offered = 0;
			p.nextIndex = node.log().lastIndex() + 1;
			node.maybeCommit();
			return;
		}
		if (!r.success() && r.snapshotNeeded()) {
			// It needs a snapshot reaching r.matchIndex (its history went its own way, or it is fetching one).
			p.snapshotWanted = Math.max(p.snapshotWanted, r.matchIndex());
			if (p.offered < p.snapshotWanted) {
				offerSnapshot(p, now);
			}
			return;
		}
		if (!r.success()) {
			p.nextIndex = Math.max(1, Math.min(p.nextIndex - 1, r.matchIndex() + 1));
			sendAppend(p, now);
			return;
		}
		if (r.matchIndex() >= Math.max(p.offered, p.snapshotWanted)) {
			p.offered = 0;
			p.snapshotWanted = 0;
		}
		if (r.matchIndex() > p.matchIndex || r.matchIndex() >= node.log().lastIndex()) {
			p.progressAt = now;
		}
		p.matchIndex = Math.max(p.matchIndex, r.matchIndex());
		p.nextIndex = Math.max(p.nextIndex, p.matchIndex + 1);
		// Holding every committed entry is enough: from admission on, commits wait for it.
		if (!p.inSync && p.matchIndex >= node.log().commitIndex() && p.matchIndex >= node.epochStartIndex()
				&& (changes == null || !changes.pending())) {
			admit(p, now);
		}
		else if (p.inSync && changes == null && !r.eligible() && r.sentAt() >= p.admissionSentAt) {
			// It restarted or was paused and forgot its admission; it is still in the set, so it has every
			// write committed since, and a fresh admission is safe.
			readmit(p, now);
		}
		node.maybeCommit();
		if (p.nextIndex <= node.log().lastIndex()) {
			sendAppend(p, now);
		}
	}

	private boolean allInSyncAnsweredSince(long since) {
		return peers.values().stream().filter(q -> q.inSync).allMatch(q -> q.leaseSentAt >= since);
	}

	/** First into the set (so later writes wait for it), then told: the order rule 4 requires. */
	private void admit(Progress p, long now) {
		p.inSync = true;
		if (changes != null) {
			p.admittedFrom = p.matchIndex;
			propose(changes.proposed().with(p.nodeId, node.epoch()), now);
			node.event(Event.Kind.BACKUP_ADMITTED, String.format(Locale.ROOT, "node %s: backup %s is in sync from "
					+ "index %d (configuration %s)", config.nodeId(), name(p), p.admittedFrom,
					changes.proposed().versionText()));
			return;
		}
		readmit(p, now);
		node.event(Event.Kind.BACKUP_ADMITTED, String.format(Locale.ROOT,
				"node %s: backup %s is in sync from index %d", config.nodeId(), name(p), p.admittedFrom));
	}

	private void readmit(Progress p, long now) {
		p.admission = ++admissions;
		p.admittedFrom = p.matchIndex;
		p.admissionSentAt = now;
		sendAppend(p, now);
	}

	/** A change of the in-sync configuration is now held by a majority. */
	private void configCommitted(long now) {
		InSyncConfig committed = changes.committed();
		node.event(Event.Kind.CONFIG_COMMITTED, String.format(Locale.ROOT, "node %s: configuration %s (in sync %s, "
				+ "voters %s) is held by a majority of voters", config.nodeId(), committed.versionText(),
				committed.members(), committed.voters()));
		syncPeers(committed.voters(), now);
		if (voterChanges != null) {
			voterChanges.committed(committed);
		}
		node.maybeCommit();
	}

	/**
	 * The operator adds or removes a voter: see {@link VoterChanges#change}. A pair grows into a cluster of three
	 * voters (see {@link PairGrowth}), and keeps its two nodes otherwise.
	 */
	void changeVoters(long now, long requestId, String url, boolean add) {
		if (voterChanges != null) {
			voterChanges.change(now, requestId, url, add);
			return;
		}
		ClientRequests clients = node.clients();
		if (!add) {
			clients.answer(requestId, new Outcome.Unavailable("a pair keeps its two nodes; add a third voter (a "
					+ "witness or a data node) first, and remove one once there are four"));
			return;
		}
		if (peers.size() != 1) {
			clients.answer(requestId, new Outcome.Unavailable("a lone node cannot add voters at runtime; start it as "
					+ "a pair (kv.peers naming the backup), then add a third voter"));
			return;
		}
		if (growth != null) {
			clients.answer(requestId, new Outcome.Unavailable("another configuration change is under way; try again "
					+ "once it is held"));
			return;
		}
		if (url.equals(config.advertisedUrl()) || peers.containsKey(url)) {
			clients.answer(requestId, new Outcome.Unavailable(url + " is already a voter"));
			return;
		}
		growth = PairGrowth.adding(requestId, url, node.epoch(), config.advertisedUrl(), peers.keySet(),
				inSyncMembers());
		node.event(Event.Kind.MEMBERSHIP_CHANGE, String.format(Locale.ROOT, "node %s: adding voter %s: the pair "
				+ "follows majority rules once its in-sync backup holds configuration %s", config.nodeId(), url,
				growth.proposal().versionText()));
		if (!maybeGrow(now)) {
			for (Progress p : peers.values()) {
				sendAppend(p, now);
			}
		}
	}

	/** This node and the in-sync backups, by node id. */
	private Set<String> inSyncMembers() {
		Set<String> members = new LinkedHashSet<>();
		members.add(config.nodeId());
		for (Progress p : peers.values()) {
			if (p.inSync && p.nodeId != null) {
				members.add(p.nodeId);
			}
		}
		return members;
	}

	/**
	 * Once every in-sync backup holds the growth's configuration (and no pause left us unsure of them), this node
	 * switches to majority rules: see {@link Node#growIntoQuorum}. Returns whether it did, for this replicator is
	 * then replaced.
	 */
	private boolean maybeGrow(long now) {
		if (suspended() || !peers.values().stream().filter(p -> p.inSync).allMatch(p -> growth.heldBy(p.url))) {
			return false;
		}
		PairGrowth done = growth;
		growth = null;
		node.growIntoQuorum(now, done.first(inSyncMembers()), done.requestId());
		return true;
	}

	/** Sends every voter a heartbeat with the configuration now. */
	void announce(long now) {
		for (Progress p : peers.values()) {
			sendAppend(p, now);
		}
	}

	/** The operator's request answered once this primary's first configuration is held by a majority. */
	void answerOnceHeld(long requestId) {
		voterChanges.awaiting(requestId);
	}

	/** Whether {@code p}'s answers count: the committed configuration means its data dir. */
	private boolean recognized(Progress p) {
		return changes == null || changes.committed().recognizes(p.url, p.incarnation);
	}

	/** The URL of the voter named {@code nodeId} (or at that URL), or null. */
	String voterUrl(String nodeId) {
		if (nodeId.equals(config.nodeId()) || nodeId.equals(config.advertisedUrl())) {
			return config.advertisedUrl();
		}
		Progress p = peer(nodeId);
		return p == null ? null : p.url;
	}

	/**
	 * The highest index every in-sync backup and this node hold durably. With three or more voters, a member of
	 * the configuration this primary has not heard from yet holds nothing as far as it knows.
	 */
	long durableEverywhere(long ownStable) {
		long index = ownStable;
		if (changes != null) {
			for (String member : changes.bound()) {
				if (!member.equals(config.nodeId())) {
					Progress p = peers.values().stream().filter(q -> member.equals(q.nodeId)).findFirst().orElse(null);
					index = Math.min(index, p == null ? 0 : p.matchIndex);
				}
			}
			return index;
		}
		for (Progress p : peers.values()) {
			if (p.inSync) {
				index = Math.min(index, p.matchIndex);
			}
		}
		return index;
	}

	/** How many backups commits wait for now. */
	int inSyncBackups() {
		if (changes != null) {
			return changes.bound().size() - (changes.bound().contains(config.nodeId()) ? 1 : 0);
		}
		return (int) peers.values().stream().filter(p -> p.inSync).count();
	}

	/** The in-sync configuration this primary works with (its proposal, if one is under way); null in a pair. */
	InSyncConfig configuration() {
		return changes == null ? null : changes.proposed();
	}

	boolean suspended() {
		return suspendedSince >= 0;
	}

	/**
	 * Whether reads may be served from our copy at {@code now}: every in-sync backup promised, with its last
	 * acknowledgement, not to promote until {@code timeout} after we sent what it acknowledged. A backup that is
	 * not in the set was never admitted or was told so, and cannot promote without our vote.
	 */
	boolean leaseValid(long now) {
		if (suspended()) {
			return false;
		}
		if (changes != null) {
			// A voter that acknowledged a heartbeat votes for nobody else until a timeout after it got it.
			Set<String> voters = changes.proposed().voters();
			long live = 1 + peers.values()
				.stream()
				.filter(p -> voters.contains(p.url) && recognized(p) && leaseLive(p, now))
				.count();
			return live >= changes.majority();
		}
		for (Progress p : peers.values()) {
			if (p.inSync && (p.leaseSentAt == Progress.NEVER
					|| p.leaseSentAt + config.heartbeatTimeout() - config.driftMargin() <= now)) {
				return false;
			}
		}
		return true;
	}

	/**
	 * With three or more voters: whether this primary has had no majority's lease for a while (it has been primary
	 * for a heartbeat timeout), so that a client is told at once that nothing can be done here rather than wait.
	 */
	boolean cutOff(long now) {
		return changes != null && now - startedAt >= config.heartbeatTimeout() && !leaseValid(now);
	}

	private boolean leaseLive(Progress p, long now) {
		return p.leaseSentAt != Progress.NEVER && p.leaseSentAt + config.heartbeatTimeout() - config.driftMargin() > now;
	}

	/** Per backup: its match index and membership; {@code contact} supplies what was really heard and when. */
	List<NodeStatus.PeerStatus> status(long now, Function<String, NodeStatus.PeerStatus> contact) {
		List<NodeStatus.PeerStatus> list = new ArrayList<>();
		for (Progress p : peers.values()) {
			NodeStatus.PeerStatus heard = contact.apply(p.url);
			boolean stalled = heard.reachable() && p.matchIndex < node.log().lastIndex()
					&& now - p.progressAt >= config.heartbeatTimeout();
			list.add(new NodeStatus.PeerStatus(heard.nodeId(), p.url, heard.reachable(), p.matchIndex,
					heard.lastContactMillis(), p.inSync, stalled, p.witness));
		}
		return list;
	}

	static String name(Progress p) {
		return p.nodeId != null ? p.nodeId : p.url;
	}

	/** The backup named {@code nodeId} (or at that URL), or null when there is none. */
	Progress peer(String nodeId) {
		return peers.values()
			.stream()
			.filter(p -> nodeId.equals(p.nodeId) || nodeId.equals(p.url))
			.findFirst()
			.orElse(null);
	}

}
