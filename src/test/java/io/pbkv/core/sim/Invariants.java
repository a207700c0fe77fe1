package io.pbkv.core.sim;

import io.pbkv.core.Command;
import io.pbkv.core.KvStateMachine;
import io.pbkv.core.LogEntry;
import io.pbkv.core.Message;
import io.pbkv.core.NodeInternals;
import io.pbkv.core.NodeStatus;
import io.pbkv.core.Outcome;
import io.pbkv.core.Ready;
import io.pbkv.core.Reply;
import io.pbkv.core.Role;
import io.pbkv.core.RoleChange;
import io.pbkv.core.Snapshot;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The safety properties, each checked where it can first be seen to break and named after the guarantee it
 * checks. A violation throws at once, so that the trace ends where things went wrong.
 */
final class Invariants {

	private final Map<Long, String> primaryOfEpoch = new HashMap<>();

	private final Map<String, Long> highestEpoch = new HashMap<>();

	/** Every entry any node committed, by index; the reference state machine replays them in order. */
	private final Map<Long, LogEntry> committed = new HashMap<>();

	private final KvStateMachine reference = new KvStateMachine();

	/** The reference state after each index: what every node's state must equal at that index. */
	private final List<Snapshot> referenceAt = new ArrayList<>(List.of(Snapshot.EMPTY));

	private final List<LogEntry> discarded = new ArrayList<>();

	/** Writes the core acknowledged (Written or Deleted), whether or not the client got the answer. */
	private final Map<Long, Command> acknowledged = new LinkedHashMap<>();

	/**
	 * Set for two nodes without a required backup under link cuts: each side may commit alone, which the product
	 * documents. Then one history per index, the reference replay and linearizability are not promised; what is:
	 * the nodes reconverge, and every acknowledged write survives or is reported discarded.
	 */
	private boolean splitBrainAllowed;

	void allowSplitBrain() {
		splitBrainAllowed = true;
	}

	/**
	 * Three or more voters: a new primary is elected by a majority and may lack entries a backup acknowledged to the
	 * old one, which were then not committed (every in-sync member holds every committed entry); a backup that
	 * moves to the new epoch cuts them. Within an epoch the rule stays.
	 */
	private boolean quorum;

	void quorum() {
		quorum = true;
	}

	boolean splitBrainAllowed() {
		return splitBrainAllowed;
	}

	// --- checked as the run goes ---------------------------------------------------------------------------

	/** Per node: the epoch and highest index it told that epoch's primary it holds durably. */
	private final Map<String, long[]> acknowledgedUpTo = new HashMap<>();

	/**
	 * Per epoch: the first index its primary sent to backups but crashed before making durable itself (its appends
	 * go out before its own fsync). It never counted those entries towards a commit, so a backup that acknowledged
	 * them may later have them cut by a newer primary that lacks them.
	 */
	private final Map<Long, Long> lostByPrimary = new HashMap<>();

	/** The primary of {@code epoch} crashed holding only up to {@code durableLastIndex}, having sent more. */
	void primaryLostUnsyncedTail(long epoch, long durableLastIndex) {
		lostByPrimary.merge(epoch, durableLastIndex + 1, Math::min);
	}

	/** Before {@code rd} is persisted. */
	void persisting(SimNode n, Ready rd) {
		long[] acked = acknowledgedUpTo.get(n.id);
		boolean newEpoch = rd.hardState() != null && rd.hardState().epoch() > n.store.hardState.epoch();
		if (acked != null && acked[0] == n.store.hardState.epoch() && !(quorum && newEpoch)) {
			long keeps = rd.installSnapshot() != null ? rd.installSnapshot().lastIndex()
					: rd.truncateFrom() > 0 ? rd.truncateFrom() - 1 : Long.MAX_VALUE;
			long mustKeep = Math.min(acked[1], lostByPrimary.getOrDefault(acked[0], Long.MAX_VALUE) - 1);
			if (keeps < mustKeep) {
				fail("acknowledgedEntriesStayDurable", "node " + n.id + " told the primary of epoch " + acked[0]
						+ " it holds index " + acked[1] + ", then cut its log to " + keeps
						+ (rd.installSnapshot() != null ? " installing a snapshot" : " truncating"));
			}
		}
		if (rd.hardState() != null && rd.hardState().epoch() < n.store.hardState.epoch()) {
			fail("epochsOnlyGrowAndSurviveRestarts", "node " + n.id + " would persist epoch " + rd.hardState().epoch()
					+ " over " + n.store.hardState.epoch());
		}
		if (rd.installSnapshot() != null && !splitBrainAllowed) {
			Snapshot s = rd.installSnapshot();
			checkState("committedEntriesNeverChange", n.id + " installed snapshot", s.lastIndex(), s);
		}
		for (LogEntry e : rd.discarded()) {
			if (splitBrainAllowed) {
				discarded.add(e);
				continue;
			}
			if (rd.installSnapshot() != null) {
				// Replaced by a snapshot: only entries of the primary's own epoch are known to be held by it.
				if (e.epoch() == n.node.status().epoch()) {
					fail("returningPrimaryDiscardsOnlyUncommittedEntries", "node " + n.id + " reported " + e
							+ " of its primary's own epoch as lost");
				}
				continue;
			}
			if (e.equals(committed.get(e.index()))) {
				fail("returningPrimaryDiscardsOnlyUncommittedEntries", "node " + n.id + " discarded committed " + e);
			}
			discarded.add(e);
		}
	}

	/** Messages about to leave {@code n}: each may promise only what its disk already holds. */
	void sent(SimNode n, List<Message> messages) {
		for (Message m : messages) {
			boolean preVote = m instanceof Message.VoteRequest v && v.preVote()
					|| m instanceof Message.VoteResult r && r.preVote();
			if (!preVote && !(m instanceof Message.Probe) && m.epoch() > n.store.hardState.epoch()) {
				fail("messagesPromiseOnlyWhatIsDurable", "node " + n.id + " sent epoch " + m.epoch()
						+ " with epoch " + n.store.hardState.epoch() + " on disk: " + m);
			}
			if (m instanceof Message.VoteResult r && r.granted() && !r.preVote()
					&& r.epoch() == n.store.hardState.epoch() && !m.to().equals(urlOfVote(n))) {
				fail("messagesPromiseOnlyWhatIsDurable", "node " + n.id + " granted a vote to " + m.to()
						+ " but its disk says it voted for " + n.store.hardState.votedFor());
			}
			if (m instanceof Message.AppendResult r && r.success()) {
				long[] acked = acknowledgedUpTo.computeIfAbsent(n.id, k -> new long[2]);
				if (acked[0] != r.epoch()) {
					acked[0] = r.epoch();
					acked[1] = 0;
				}
				acked[1] = Math.max(acked[1], r.matchIndex());
			}
			if (m instanceof Message.AppendResult r && r.success() && r.matchIndex() > n.store.lastIndex()
					&& r.matchIndex() > n.store.commitIndex) {
				fail("messagesPromiseOnlyWhatIsDurable", "node " + n.id + " acknowledged index " + r.matchIndex()
						+ " with only " + n.store.lastIndex() + " on disk");
			}
		}
	}

	/** A reply about to reach a client from {@code n}. */
	void replied(SimNode n, Reply reply, Map<Long, Command> commandOf) {
		long version = switch (reply.outcome()) {
			case Outcome.Written w -> w.version();
			case Outcome.Deleted d -> d.version();
			default -> 0;
		};
		if (version == 0) {
			return;
		}
		Command command = commandOf.get(reply.requestId());
		LogEntry entry = committed.get(version);
		if (!splitBrainAllowed && (entry == null || !entry.command().equals(command))) {
			fail("acknowledgedWritesSurvive", "node " + n.id + " acknowledged " + command + " at version "
					+ version + " but the committed entry there is " + entry);
		}
		if (n.store.commitIndex < version && n.store.lastIndex() < version) {
			fail("acknowledgedWritesSurvive", "node " + n.id + " acknowledged version " + version
					+ " that is not on its disk");
		}
		acknowledged.put(reply.requestId(), command);
	}

	private static String urlOfVote(SimNode n) {
		return "http://" + n.store.hardState.votedFor();
	}

	/** Records entries the node has newly committed; call before it may compact them away. */
	void commits(SimNode n) {
		long commit = n.node.status().commitIndex();
		if (commit < n.seenCommit) {
			// A node that went on alone took the primary's snapshot (split brain): its commits start over there.
			n.seenCommit = commit;
		}
		for (long i = n.seenCommit + 1; i <= commit; i++) {
			LogEntry entry = NodeInternals.entry(n.node, i);
			if (entry != null) {
				committed(n.id, entry);
			}
		}
		n.seenCommit = Math.max(n.seenCommit, commit);
	}

	private void committed(String node, LogEntry entry) {
		if (splitBrainAllowed) {
			// Both sides may commit at an index; the newer epoch's entry is the one that stays.
			committed.merge(entry.index(), entry, (a, b) -> b.epoch() > a.epoch() ? b : a);
			return;
		}
		LogEntry before = committed.putIfAbsent(entry.index(), entry);
		if (before != null && !before.equals(entry)) {
			fail("committedEntriesNeverChange", "node " + node + " committed " + entry + " at index "
					+ entry.index() + " where " + before + " was committed");
		}
		for (LogEntry e : discarded) {
			if (e.equals(entry)) {
				fail("returningPrimaryDiscardsOnlyUncommittedEntries", "node " + node + " committed " + entry
						+ " which a node discarded");
			}
		}
		while (committed.containsKey(reference.appliedIndex() + 1)) {
			reference.apply(committed.get(reference.appliedIndex() + 1));
			referenceAt.add(reference.snapshot());
		}
	}

	/** After each turn of a node. */
	void turnEnded(SimNode n) {
		NodeStatus s = n.node.status();
		if (s.role() == Role.PRIMARY && s.epoch() == n.store.hardState.epoch()) {
			// Counted once its epoch is durable: until then it can neither send nor answer anything.
			primary(n.id, s.epoch());
		}
		if (s.epoch() != n.store.hardState.epoch() && n.writes.isEmpty()) {
			fail("epochsOnlyGrowAndSurviveRestarts", "node " + n.id + " ended a turn in epoch " + s.epoch()
					+ " with epoch " + n.store.hardState.epoch() + " on disk and no write under way");
		}
		long highest = highestEpoch.getOrDefault(n.id, 0L);
		if (s.epoch() < highest) {
			fail("epochsOnlyGrowAndSurviveRestarts", "node " + n.id + " is in epoch " + s.epoch()
					+ " after having been in " + highest + " durably");
		}
		// An epoch still being written may be lost by a crash: nothing that rests on it has left the node yet.
		highestEpoch.merge(n.id, n.store.hardState.epoch(), Math::max);
	}

	/**
	 * {@code n} answered a linearizable read. With three or more voters its lease must exclude a newer primary: no
	 * node that is up may have become primary in a later epoch (durably) while this one still serves. (In a pair
	 * an operator's forced promotion may overlap a primary it cannot reach; the read checks cover the pair.)
	 */
	void servedRead(SimNode n, List<SimNode> all) {
		if (!quorum) {
			return;
		}
		long epoch = n.node.status().epoch();
		for (SimNode other : all) {
			if (other != n && other.up() && other.node.status().role() == Role.PRIMARY
					&& other.store.hardState.epoch() > epoch && other.node.status().epoch() > epoch) {
				fail("aDeposedPrimaryServesNoRead", "node " + n.id + " served a read in epoch " + epoch
						+ " while " + other.id + " is primary in epoch " + other.node.status().epoch());
			}
		}
	}

	/** The node lost its disk: it starts over from epoch 0, which is not a step back. */
	void wiped(String node) {
		highestEpoch.remove(node);
		acknowledgedUpTo.remove(node);
	}

	private void primary(String node, long epoch) {
		String before = primaryOfEpoch.putIfAbsent(epoch, node);
		if (before != null && !before.equals(node)) {
			fail("atMostOnePrimaryPerEpoch", "nodes " + before + " and " + node + " were both primary in epoch "
					+ epoch);
		}
	}

	// --- checked at the end -------------------------------------------------------------------------------

	/** Every node's state machine equals the replay of the committed entries up to where it applied. */
	void statesAgree(List<SimNode> nodes) {
		if (splitBrainAllowed) {
			return;
		}
		for (SimNode n : nodes) {
			if (n.node != null) {
				Snapshot applied = NodeInternals.applied(n.node);
				checkState("committedEntriesNeverChange", "node " + n.id + "'s state", applied.lastIndex(), applied);
			}
		}
	}

	/**
	 * Every acknowledged write is in the committed history and below what {@code primary} has applied (so its
	 * effect is there unless a later write overwrote it, which the linearizability check judges).
	 */
	void acknowledgedWritesSurvive(SimNode primary, Map<Long, Long> versionOf, List<SimNode> nodes) {
		if (splitBrainAllowed) {
			acknowledgedWritesSurviveOrAreReported(primary, versionOf, nodes);
			return;
		}
		long applied = primary.node.status().appliedIndex();
		for (Map.Entry<Long, Command> ack : acknowledged.entrySet()) {
			long version = versionOf.getOrDefault(ack.getKey(), 0L);
			if (version > applied) {
				fail("acknowledgedWritesSurvive", "final primary " + primary.id + " applied up to " + applied
						+ " but " + ack.getValue() + " was acknowledged at version " + version);
			}
		}
	}

	/**
	 * Under split brain: every acknowledged write is the final primary's entry at its version, or some node
	 * reported it discarded, or a later write to the same key is one of those: a history that was compacted keeps
	 * only the last value of each key, so that is all a node can report of it. Entries rebuilt
	 * from the state carry no precondition, so puts match by key and value, deletes by key.
	 */
	private void acknowledgedWritesSurviveOrAreReported(SimNode primary, Map<Long, Long> versionOf,
			List<SimNode> nodes) {
		Map<String, Long> accountedFrom = new HashMap<>();
		List<Map.Entry<Long, Command>> newestFirst = new ArrayList<>(acknowledged.entrySet());
		newestFirst.sort((x, y) -> Long.compare(versionOf.getOrDefault(y.getKey(), 0L),
				versionOf.getOrDefault(x.getKey(), 0L)));
		for (Map.Entry<Long, Command> ack : newestFirst) {
			long version = versionOf.getOrDefault(ack.getKey(), 0L);
			Command command = ack.getValue();
			LogEntry kept = NodeInternals.entry(primary.node, version);
			if (kept == null) {
				kept = committed.get(version);
			}
			boolean reported = kept != null && kept.command().equals(command) || nodes.stream()
				.flatMap(n -> n.discarded.stream())
				.anyMatch(e -> sameWrite(e.command(), command));
			if (reported) {
				accountedFrom.merge(command.key(), version, Math::min);
				continue;
			}
			boolean overwrittenInAReportedHistory = nodes.stream()
				.flatMap(n -> n.discarded.stream())
				.anyMatch(e -> command.key().equals(e.command().key()) && e.index() > version);
			if (accountedFrom.getOrDefault(command.key(), Long.MIN_VALUE) > version || overwrittenInAReportedHistory) {
				continue;
			}
			if (!reported) {
				fail("acknowledgedWritesSurviveOrAreReported", command + " acknowledged at version " + version
						+ " is neither final primary " + primary.id + "'s entry there (" + kept
						+ ") nor reported discarded by any node");
			}
		}
	}

	private static boolean sameWrite(Command reported, Command acknowledged) {
		return switch (acknowledged) {
			case Command.Put a -> reported instanceof Command.Put r && r.key().equals(a.key())
					&& java.util.Arrays.equals(r.value(), a.value());
			case Command.Delete a -> reported instanceof Command.Delete r && r.key().equals(a.key());
			case Command.EpochStart a -> reported.equals(a);
		};
	}

	/** Once faults end, every node holds the same state as {@code primary}. */
	void statesConverged(SimNode primary, List<SimNode> nodes) {
		Snapshot expected = NodeInternals.applied(primary.node);
		for (SimNode n : nodes) {
			if (n.node != null && n != primary) {
				Snapshot actual = NodeInternals.applied(n.node);
				if (actual.lastIndex() != expected.lastIndex() || !actual.data().equals(expected.data())) {
					fail("everyNodeConverges", "node " + n.id + " applied " + render(actual) + " at "
							+ actual.lastIndex() + " but primary " + primary.id + " applied " + render(expected)
							+ " at " + expected.lastIndex());
				}
			}
		}
	}

	private void checkState(String rule, String what, long index, Snapshot actual) {
		if (index >= referenceAt.size()) {
			fail(rule, what + " at index " + index + " is past every committed entry (" + (referenceAt.size() - 1)
					+ ")");
		}
		Snapshot expected = referenceAt.get((int) index);
		if (!expected.data().equals(actual.data())) {
			fail(rule, what + " at index " + index + " differs from the committed history: " + render(actual)
					+ " != " + render(expected));
		}
	}

	private static String render(Snapshot s) {
		StringBuilder sb = new StringBuilder("{");
		s.data().forEach((k, v) -> sb.append(k).append('=').append(new String(v.value(), StandardCharsets.UTF_8))
			.append('@').append(v.version()).append(' '));
		return sb.append('}').toString();
	}

	/** The value the committed PUT at {@code version} wrote, or null when unknown. */
	String valueAt(long version) {
		LogEntry entry = committed.get(version);
		return entry != null && entry.command() instanceof Command.Put put
				? new String(put.value(), StandardCharsets.UTF_8) : null;
	}

	long committedUpTo() {
		return reference.appliedIndex();
	}

	Map<Long, Command> acknowledged() {
		return acknowledged;
	}

	List<LogEntry> discarded() {
		return discarded;
	}

	static void fail(String rule, String detail) {
		throw new AssertionError(rule + ": " + detail);
	}

}
