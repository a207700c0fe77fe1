package io.pbkv.core;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The clients a node owes an answer: writes waiting for their entry to commit, and reads and refusals waiting
 * until everything before them is applied under a valid lease. Every answer goes out through {@link #drain()}.
 */
final class ClientRequests {

	/** A reply that may go out only once the state up to {@code index} is applied and the lease holds. */
	private record Waiter(long index, long seq, long requestId, Query query, Outcome outcome) {
	}

	private final Node node;

	private final NodeConfig config;

	private final PendingWrites pending = new PendingWrites();

	private final PriorityQueue<Waiter> waiters = new PriorityQueue<>(
			Comparator.comparingLong(Waiter::index).thenComparingLong(Waiter::seq));

	private final List<Reply> replies = new ArrayList<>();

	private long waiterSeq;

	ClientRequests(Node node, NodeConfig config) {
		this.node = node;
		this.config = config;
	}

	void propose(long requestId, Command command) {
		if (node.role() != Role.PRIMARY) {
			answer(requestId, notPrimary());
			return;
		}
		if (config.minInSync() > 0 && node.replicator().inSyncBackups() < config.minInSync()) {
			answer(requestId, new Outcome.Unavailable(config.minInSync() == 1
					? "no backup is in sync and kv.replication.require-backup is true"
					: node.replicator().inSyncBackups() + " backup(s) in sync, fewer than kv.replication.min-in-sync="
							+ config.minInSync()));
			return;
		}
		if (node.replicator().cutOff(node.now())) {
			answer(requestId, cutOff());
			return;
		}
		Outcome handingOver = node.handOverInProgress().refusal();
		if (handingOver != null) {
			answer(requestId, handingOver);
			return;
		}
		ReplicationLog log = node.log();
		Outcome refusal = refusal(command, node.keyValues());
		if (refusal != null) {
			// The refusal reflects writes still in flight, so it may be told only once they are committed.
			waitFor(log.lastIndex(), requestId, null, refusal);
			return;
		}
		LogEntry entry = new LogEntry(log.lastIndex() + 1, node.epoch(), command);
		log.append(entry);
		appended(entry, requestId);
	}

	private Outcome cutOff() {
		return new Outcome.Unavailable("node " + config.nodeId() + " is primary but cannot reach a majority of voters");
	}

	Outcome notPrimary() {
		return new Outcome.Unavailable("node " + config.nodeId() + " is not primary"
				+ (node.primaryId() != null ? " (primary is " + node.primaryId() + ")" : " and knows no primary"));
	}

	void read(long requestId, Query query, boolean local) {
		if (local) {
			answer(requestId, node.answer(query));
		}
		else if (node.role() != Role.PRIMARY) {
			answer(requestId, notPrimary());
		}
		else if (node.replicator().cutOff(node.now())) {
			answer(requestId, cutOff());
		}
		else {
			waitFor(Math.max(node.log().commitIndex(), node.epochStartIndex()), requestId, query, null);
		}
	}

	void answer(long requestId, Outcome outcome) {
		replies.add(new Reply(requestId, outcome));
	}

	/**
	 * Why a write of {@code command} would change nothing, judged against every write accepted so far, committed
	 * or in flight (so two writes conditional on one version cannot both be accepted); null when it may go on.
	 */
	private Outcome refusal(Command command, KvStateMachine state) {
		if (!KvStateMachine.mayRefuse(command)) {
			return null; // so no walk down the state's tree
		}
		String key = command.key();
		return KvStateMachine.refusal(command, key == null ? 0 : pending.projectedVersion(key, state));
	}

	/** {@code entry} was appended; {@code requestId} (0: nobody) waits for it to commit. */
	void appended(LogEntry entry, long requestId) {
		pending.appended(entry, requestId);
	}

	/** {@code entry} was applied with {@code outcome}: the client waiting for it, if any, gets it. */
	void applied(LogEntry entry, Outcome outcome) {
		long requestId = pending.applied(entry);
		if (requestId != 0) {
			answer(requestId, outcome);
		}
	}

	private void waitFor(long index, long requestId, Query query, Outcome outcome) {
		waiters.add(new Waiter(index, ++waiterSeq, requestId, query, outcome));
		release();
	}

	/** Answers every waiter whose index is applied, while this node is primary under a valid lease. */
	void release() {
		if (node.role() != Role.PRIMARY) {
			return;
		}
		if (node.replicator().cutOff(node.now())) {
			// Reads and refusals waiting here are not done: say so now rather than at the request timeout. Writes
			// already in the log keep waiting: they may still commit.
			while (!waiters.isEmpty()) {
				answer(waiters.poll().requestId(), cutOff());
			}
			return;
		}
		if (!node.replicator().leaseValid(node.now())) {
			return;
		}
		KvStateMachine state = node.keyValues();
		while (!waiters.isEmpty() && waiters.peek().index() <= state.appliedIndex()) {
			Waiter w = waiters.poll();
			answer(w.requestId(), w.query() != null ? node.answer(w.query()) : w.outcome());
		}
	}

	/** A new primary: forget everything, then project the uncommitted tail it inherits. */
	void reset(List<LogEntry> uncommittedTail) {
		pending.clear();
		uncommittedTail.forEach(e -> pending.appended(e, 0));
	}

	/** This node stopped being primary: writes in flight may or may not commit; reads are safe to retry. */
	void failAll(Outcome writes, Outcome reads) {
		for (long requestId : pending.clear()) {
			answer(requestId, writes);
		}
		while (!waiters.isEmpty()) {
			answer(waiters.poll().requestId(), reads);
		}
	}

	boolean hasReplies() {
		return !replies.isEmpty();
	}

	List<Reply> drain() {
		List<Reply> out = List.copyOf(replies);
		replies.clear();
		return out;
	}

	int pendingWrites() {
		return pending.size();
	}

}
