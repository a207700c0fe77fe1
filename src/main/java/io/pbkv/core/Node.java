package io.pbkv.core;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * One pbkv node's protocol state: a deterministic state machine in the style of etcd's raft. Inputs ({@link #tick},
 * {@link #propose}, {@link #read}) each carry the monotonic time the runtime read; outputs are collected with
 * {@link #ready()} and acknowledged with {@link #advance(Ready)}. Nothing here touches a disk, a socket, a clock
 * or a thread.
 */
public final class Node {

	/** A reply that may go out only once the state up to {@code index} is committed and applied. */
	private record Waiter(long index, long seq, long requestId, Query query, Outcome outcome) {
	}

	private final NodeConfig config;

	private final ReplicationLog log;

	private final KvStateMachine state = new KvStateMachine();

	private final PendingWrites pending = new PendingWrites();

	private final PriorityQueue<Waiter> waiters = new PriorityQueue<>(
			Comparator.comparingLong(Waiter::index).thenComparingLong(Waiter::seq));

	private final List<Reply> replies = new ArrayList<>();

	private final List<RoleChange> roleChanges = new ArrayList<>();

	private HardState hardState;

	private boolean hardStateChanged;

	private Role role = Role.BACKUP;

	private String primaryId;

	/** This primary's epoch-start entry: it serves reads once that is applied. */
	private long epochStartIndex;

	private long persistedCommit;

	private boolean snapshotInFlight;

	private long waiterSeq;

	private long now;

	/** Restores a node from what its storage recovered. Entries past {@code commitIndex} are an uncommitted tail. */
	public Node(NodeConfig config, HardState hardState, Snapshot snapshot, List<LogEntry> entries, long commitIndex) {
		this.config = config;
		this.hardState = hardState;
		this.log = new ReplicationLog(snapshot, entries, commitIndex);
		this.persistedCommit = log.commitIndex();
		state.restore(snapshot);
		applyCommitted();
		for (long i = log.commitIndex() + 1; i <= log.lastIndex(); i++) {
			pending.appended(log.entry(i), 0);
		}
	}

	/** Takes the node's first decisions; a node without peers is a cluster of one and leads at once. */
	public void start(long now) {
		this.now = now;
		if (config.peerUrls().isEmpty()) {
			becomePrimary("no peers: a cluster of one");
		}
	}

	public void tick(long now) {
		this.now = now;
	}

	/** A message from a peer. */
	public void step(long now, Message message) {
		this.now = now;
	}

	/** A client write. The reply comes out of a later {@link #ready()}. */
	public void propose(long now, long requestId, Command command) {
		this.now = now;
		if (role != Role.PRIMARY) {
			replies.add(new Reply(requestId, new Outcome.Unavailable("node " + config.nodeId() + " is not primary")));
			return;
		}
		Outcome refusal = refusal(command);
		if (refusal != null) {
			// The refusal reflects writes still in flight, so it may be told only once they are committed.
			waitFor(log.lastIndex(), requestId, null, refusal);
			return;
		}
		LogEntry entry = new LogEntry(log.lastIndex() + 1, hardState.epoch(), command);
		log.append(entry);
		pending.appended(entry, requestId);
	}

	private Outcome refusal(Command command) {
		return switch (command) {
			case Command.Put put -> {
				long current = pending.projectedVersion(put.key(), state);
				yield put.precondition().holds(current) ? null : new Outcome.PreconditionFailed(put.key(), current);
			}
			case Command.Delete delete -> KvStateMachine.refusal(delete.key(), delete.precondition(),
					pending.projectedVersion(delete.key(), state));
			case Command.EpochStart ignored -> new Outcome.Unavailable("clients cannot start epochs");
		};
	}

	/** A client read, answered once everything committed before it arrived is applied. */
	public void read(long now, long requestId, Query query) {
		this.now = now;
		if (role != Role.PRIMARY) {
			replies.add(new Reply(requestId, new Outcome.Unavailable("node " + config.nodeId() + " is not primary")));
			return;
		}
		waitFor(Math.max(log.commitIndex(), epochStartIndex), requestId, query, null);
	}

	private void waitFor(long index, long requestId, Query query, Outcome outcome) {
		waiters.add(new Waiter(index, ++waiterSeq, requestId, query, outcome));
		releaseWaiters();
	}

	private void releaseWaiters() {
		while (!waiters.isEmpty() && waiters.peek().index() <= state.appliedIndex()) {
			Waiter w = waiters.poll();
			replies.add(new Reply(w.requestId(), w.query() != null ? state.read(w.query()) : w.outcome()));
		}
	}

	private void becomePrimary(String reason) {
		Role from = role;
		long epoch = hardState.epoch() + 1;
		String clusterId = hardState.clusterId() != null ? hardState.clusterId() : config.newClusterId();
		hardState = new HardState(clusterId, epoch, config.nodeId());
		hardStateChanged = true;
		role = Role.PRIMARY;
		primaryId = config.nodeId();
		LogEntry start = new LogEntry(log.lastIndex() + 1, epoch, new Command.EpochStart(config.nodeId()));
		log.append(start);
		pending.appended(start, 0);
		epochStartIndex = start.index();
		roleChanges.add(new RoleChange(config.nodeId(), from, Role.PRIMARY, epoch, reason));
	}

	public boolean hasReady() {
		return hardStateChanged || log.stableIndex() < log.lastIndex() || !replies.isEmpty()
				|| !roleChanges.isEmpty() || snapshotDue();
	}

	/** Collects what the runtime must do now; see {@link Ready} for the order. */
	public Ready ready() {
		Snapshot snapshot = null;
		if (snapshotDue()) {
			snapshot = state.snapshot();
			snapshotInFlight = true;
		}
		long commit = log.commitIndex() > persistedCommit ? log.commitIndex() : 0;
		Ready rd = new Ready(hardStateChanged ? hardState : null, 0, log.unstable(), commit, snapshot, roleChanges,
				replies);
		replies.clear();
		roleChanges.clear();
		return rd;
	}

	/** Tells the core that {@code rd} was executed: its writes are durable, its replies delivered. */
	public void advance(Ready rd) {
		if (rd.hardState() != null && rd.hardState().equals(hardState)) {
			hardStateChanged = false;
		}
		if (!rd.entries().isEmpty()) {
			log.stableTo(rd.entries().get(rd.entries().size() - 1).index());
		}
		persistedCommit = Math.max(persistedCommit, rd.commitIndex());
		if (role == Role.PRIMARY) {
			// A cluster of one: durable on this node is durable everywhere that counts.
			log.commitTo(log.stableIndex());
		}
		applyCommitted();
		releaseWaiters();
	}

	private void applyCommitted() {
		for (long i = state.appliedIndex() + 1; i <= log.commitIndex(); i++) {
			LogEntry entry = log.entry(i);
			Outcome outcome = state.apply(entry);
			long requestId = pending.applied(entry);
			if (requestId != 0) {
				replies.add(new Reply(requestId, outcome));
			}
		}
	}

	private boolean snapshotDue() {
		return !snapshotInFlight && state.appliedIndex() - log.snapshotIndex() >= config.snapshotEvery();
	}

	/** The runtime saved the snapshot handed out by {@link #ready()}: the log before it can go. */
	public void snapshotSaved(long index) {
		snapshotInFlight = false;
		log.compactTo(index);
	}

	public NodeStatus status() {
		String primaryUrl = config.nodeId().equals(primaryId) ? config.advertisedUrl() : null;
		return new NodeStatus(config.nodeId(), hardState.clusterId(), role, hardState.epoch(), primaryId, primaryUrl,
				log.lastIndex(), log.commitIndex(), state.appliedIndex(), log.snapshotIndex(), state.size(),
				pending.size(), List.of());
	}

	public long now() {
		return now;
	}

}
