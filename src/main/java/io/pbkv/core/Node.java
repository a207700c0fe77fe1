package io.pbkv.core;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * One pbkv node's protocol state: a deterministic state machine in the style of etcd's raft. Inputs ({@link #tick},
 * {@link #step}, {@link #propose}, {@link #read}, {@link #forcePromote}) each carry the monotonic time the runtime
 * read; outputs are collected with {@link #ready()} and acknowledged with {@link #advance(Ready)}. Nothing here
 * touches a disk, a socket, a clock or a thread. Role-specific work lives in {@link Replicator} (primary),
 * {@link Follower} (backup) and {@link Election} (becoming primary).
 */
public final class Node {

	/** A reply that may go out only once the state up to {@code index} is applied and the lease holds. */
	private record Waiter(long index, long seq, long requestId, Query query, Outcome outcome) {
	}

	private final NodeConfig config;

	private final ReplicationLog log;

	private final KvStateMachine state = new KvStateMachine();

	private final PendingWrites pending = new PendingWrites();

	private final PriorityQueue<Waiter> waiters = new PriorityQueue<>(
			Comparator.comparingLong(Waiter::index).thenComparingLong(Waiter::seq));

	private final Map<String, Long> lastHeardFrom = new HashMap<>();

	private final Map<String, String> peerIds = new HashMap<>();

	private final Election election;

	private final Follower follower;

	private Replicator replicator;

	private final List<Message> outbox = new ArrayList<>();

	private final List<Reply> replies = new ArrayList<>();

	private final List<RoleChange> roleChanges = new ArrayList<>();

	private final List<Event> events = new ArrayList<>();

	private final List<LogEntry> discarded = new ArrayList<>();

	private HardState hardState;

	private boolean hardStateChanged;

	private Snapshot installedSnapshot;

	private long truncateFrom;

	private Role role = Role.BACKUP;

	private String primaryId;

	private String primaryUrl;

	/** This primary's epoch-start entry: it serves once that is applied. */
	private long epochStartIndex = Long.MAX_VALUE;

	private long persistedCommit;

	private boolean snapshotInFlight;

	private long waiterSeq;

	private long now = Long.MIN_VALUE;

	/** Restores a node from what its storage recovered. Entries past {@code commitIndex} are an uncommitted tail. */
	public Node(NodeConfig config, HardState hardState, Snapshot snapshot, List<LogEntry> entries, long commitIndex) {
		this.config = config;
		this.hardState = hardState;
		this.log = new ReplicationLog(snapshot, entries, commitIndex);
		this.persistedCommit = log.commitIndex();
		this.election = new Election(this, config);
		this.follower = new Follower(this, config, 0);
		state.restore(snapshot);
		applyCommitted();
	}

	/**
	 * Takes the node's first decisions. A node without peers is a cluster of one and leads at once. A node with
	 * state starts as a backup that holds no admission: it may promote only with every other node's vote.
	 */
	public void start(long now) {
		this.now = now;
		follower.reset(now);
		if (config.peerUrls().isEmpty()) {
			if (hardState.clusterId() == null) {
				setHardState(new HardState(config.newClusterId(), hardState.epoch(), hardState.votedFor()));
			}
			becomePrimary(hardState.epoch() + 1, "no peers: a cluster of one");
		}
	}

	public void tick(long now) {
		observe(now);
		if (role == Role.PRIMARY) {
			replicator.tick(now);
		}
		else if (hardState.clusterId() == null) {
			election.probeTick(now);
		}
		else {
			follower.tick(now);
			election.tick(now);
			if (follower.silent(now) && election.mayStart(now)) {
				String why = primaryId != null ? String.format(Locale.ROOT, "primary %s silent for %.1f s",
						primaryId, (now - follower.lastHeard) / 1000.0) : "no primary heard for "
								+ String.format(Locale.ROOT, "%.1f s", (now - follower.lastHeard) / 1000.0);
				election.start(now, follower.eligible, why);
			}
		}
		releaseWaiters();
	}

	/** Detects a gap in our own clock: a pause (SIGSTOP, GC, a stalled disk) of at least the pause threshold. */
	private void observe(long now) {
		long previous = this.now;
		this.now = Math.max(previous, now);
		if (previous == Long.MIN_VALUE || now - previous < config.pauseThreshold()) {
			return;
		}
		event(Event.Kind.PAUSE_DETECTED, String.format(Locale.ROOT, "node %s: clock jumped %.1f s (paused?)%s",
				config.nodeId(), (now - previous) / 1000.0,
				role == Role.PRIMARY ? "; answering no client until a round trip completes"
						: follower.eligible ? "; no longer eligible to promote until re-admitted" : ""));
		if (role == Role.PRIMARY) {
			replicator.clockGap(now);
		}
		else {
			follower.clockGap();
			follower.lastHeard = now;
		}
	}

	/** A message from a peer. */
	public void step(long now, Message m) {
		observe(now);
		lastHeardFrom.put(m.fromUrl(), now);
		peerIds.put(m.fromUrl(), m.from());
		switch (m) {
			case Message.Probe p -> send(new Message.ProbeResult(config.nodeId(), config.advertisedUrl(), p.fromUrl(),
					hardState.clusterId(), hardState.epoch(), hardState.clusterId() == null, primaryId));
			case Message.ProbeResult r -> election.onProbeResult(r);
			default -> stepPeer(now, m);
		}
		releaseWaiters();
	}

	private void stepPeer(long now, Message m) {
		if (hardState.clusterId() != null && !hardState.clusterId().equals(m.clusterId())) {
			event(Event.Kind.MESSAGE_REJECTED, String.format(Locale.ROOT,
					"node %s: ignored a message from %s of cluster %s (this is %s)", config.nodeId(), m.from(),
					m.clusterId(), hardState.clusterId()));
			return;
		}
		if (m instanceof Message.VoteRequest v) {
			onVoteRequest(now, v);
			return;
		}
		if (m instanceof Message.VoteResult r && r.granted()) {
			// A granted pre-vote carries the epoch proposed, not one anybody holds: it must not move ours. A refusal
			// carries the voter's epoch, which we adopt below, so a candidate behind it asks for a newer one next.
			if (role != Role.PRIMARY) {
				election.onResult(r);
			}
			return;
		}
		if (m.epoch() < hardState.epoch()) {
			rejectStale(m);
			return;
		}
		boolean fromPrimary = m instanceof Message.Append || m instanceof Message.InstallSnapshot;
		if (m.epoch() > hardState.epoch() || (fromPrimary && role != Role.PRIMARY && !m.from().equals(primaryId))) {
			if (fromPrimary && hardState.clusterId() == null) {
				setHardState(new HardState(m.clusterId(), hardState.epoch(), hardState.votedFor()));
			}
			becomeBackup(now, m.epoch(), fromPrimary ? m.from() : null, fromPrimary ? m.fromUrl() : null,
					"saw epoch " + m.epoch() + " from " + m.from());
		}
		switch (m) {
			case Message.Append a -> {
				if (role == Role.PRIMARY) {
					event(Event.Kind.MESSAGE_REJECTED, "node " + config.nodeId() + ": two primaries in epoch "
							+ a.epoch() + "? ignored an append from " + a.from());
					return;
				}
				election.cancel();
				follower.onAppend(now, a);
			}
			case Message.InstallSnapshot s -> {
				election.cancel();
				follower.onSnapshot(now, s);
			}
			case Message.AppendResult r -> {
				if (role == Role.PRIMARY) {
					replicator.onResult(now, r);
				}
			}
			default -> {
			}
		}
	}

	/** Answers a message from an older epoch with ours, so that its sender learns it is out of date. */
	private void rejectStale(Message m) {
		switch (m) {
			case Message.Append a -> send(new Message.AppendResult(config.nodeId(), config.advertisedUrl(),
					a.fromUrl(), hardState.clusterId(), hardState.epoch(), false, 0, a.sentAt(), false));
			case Message.InstallSnapshot s -> send(new Message.AppendResult(config.nodeId(), config.advertisedUrl(),
					s.fromUrl(), hardState.clusterId(), hardState.epoch(), false, 0, s.sentAt(), false));
			default -> {
			}
		}
	}

	private void onVoteRequest(long now, Message.VoteRequest v) {
		boolean granted = election.grant(now, v);
		if (granted && !v.preVote()) {
			if (v.epoch() > hardState.epoch()) {
				becomeBackup(now, v.epoch(), null, null, "voted for " + v.from() + " in epoch " + v.epoch());
			}
			setHardState(new HardState(hardState.clusterId(), v.epoch(), v.from()));
			follower.lastHeard = now;
		}
		send(new Message.VoteResult(config.nodeId(), config.advertisedUrl(), v.fromUrl(), hardState.clusterId(),
				v.preVote() && granted ? v.epoch() : hardState.epoch(), granted, v.preVote()));
	}

	/** A client write. The reply comes out of a later {@link #ready()}. */
	public void propose(long now, long requestId, Command command) {
		observe(now);
		if (role != Role.PRIMARY) {
			replies.add(new Reply(requestId, notPrimary()));
			return;
		}
		if (config.requireBackup() && !replicator.anyInSync()) {
			replies.add(new Reply(requestId, new Outcome.Unavailable(
					"no backup is in sync and kv.replication.require-backup is true")));
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

	private Outcome notPrimary() {
		return new Outcome.Unavailable("node " + config.nodeId() + " is not primary"
				+ (primaryId != null ? " (primary is " + primaryId + ")" : " and knows no primary"));
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

	/**
	 * A client read. On the primary it is answered once everything committed before it arrived is applied and
	 * under a valid lease; {@code local} answers from this node's own copy at once, whatever its role.
	 */
	public void read(long now, long requestId, Query query, boolean local) {
		observe(now);
		if (local) {
			replies.add(new Reply(requestId, state.read(query)));
		}
		else if (role != Role.PRIMARY) {
			replies.add(new Reply(requestId, notPrimary()));
		}
		else {
			waitFor(Math.max(log.commitIndex(), epochStartIndex), requestId, query, null);
		}
	}

	/**
	 * The operator's way out when the other node is lost for good (contract guarantee 7): become primary without
	 * an admission or votes. Refused while any peer answers, or when this node already is primary.
	 */
	public void forcePromote(long now, long requestId) {
		observe(now);
		List<String> reachable = config.peerUrls().stream().filter(url -> reachable(url, now)).toList();
		if (role == Role.PRIMARY) {
			replies.add(new Reply(requestId, new Outcome.Unavailable("node " + config.nodeId() + " is primary")));
		}
		else if (!reachable.isEmpty() || hardState.clusterId() == null) {
			replies.add(new Reply(requestId, new Outcome.Unavailable(hardState.clusterId() == null
					? "this node holds no cluster" : "refused: peer(s) " + reachable + " answer; ask them instead")));
		}
		else {
			long lastIndex = log.lastIndex();
			String lost = "writes acknowledged by the lost node after index " + lastIndex + " may be lost";
			event(Event.Kind.FORCED_PROMOTION, "node " + config.nodeId() + ": forced to primary by an operator; "
					+ lost);
			becomePrimary(hardState.epoch() + 1, "forced by an operator; " + lost);
			replies.add(new Reply(requestId, new Outcome.Forced(hardState.epoch(), lastIndex, lost)));
		}
	}

	private boolean reachable(String url, long now) {
		Long heard = lastHeardFrom.get(url);
		return heard != null && now - heard < config.heartbeatTimeout();
	}

	private void waitFor(long index, long requestId, Query query, Outcome outcome) {
		waiters.add(new Waiter(index, ++waiterSeq, requestId, query, outcome));
		releaseWaiters();
	}

	private void releaseWaiters() {
		if (role != Role.PRIMARY || !replicator.leaseValid(now)) {
			return;
		}
		while (!waiters.isEmpty() && waiters.peek().index() <= state.appliedIndex()) {
			Waiter w = waiters.poll();
			replies.add(new Reply(w.requestId(), w.query() != null ? state.read(w.query()) : w.outcome()));
		}
	}

	// --- transitions: one method per role change, each logged in one shape ---------------------------------

	void becomePrimary(long epoch, String reason) {
		Role from = role;
		election.cancel();
		setHardState(new HardState(hardState.clusterId(), epoch, config.nodeId()));
		role = Role.PRIMARY;
		primaryId = config.nodeId();
		primaryUrl = config.advertisedUrl();
		pending.clear();
		for (long i = log.commitIndex() + 1; i <= log.lastIndex(); i++) {
			pending.appended(log.entry(i), 0);
		}
		replicator = new Replicator(this, config, now);
		LogEntry start = new LogEntry(log.lastIndex() + 1, epoch, new Command.EpochStart(config.nodeId()));
		log.append(start);
		pending.appended(start, 0);
		epochStartIndex = start.index();
		roleChanges.add(new RoleChange(config.nodeId(), from, Role.PRIMARY, epoch, reason));
		replicator.broadcast(now);
	}

	/** Follows {@code primary} (null when not known yet) in {@code epoch}; a primary steps down. */
	private void becomeBackup(long now, long epoch, String primary, String url, String reason) {
		Role from = role;
		long previousEpoch = hardState.epoch();
		if (epoch != hardState.epoch()) {
			setHardState(hardState.withEpoch(epoch));
		}
		role = Role.BACKUP;
		primaryId = primary;
		primaryUrl = url;
		follower.reset(now);
		election.cancel();
		if (from == Role.PRIMARY) {
			replicator = null;
			epochStartIndex = Long.MAX_VALUE;
			Outcome unknown = new Outcome.Indeterminate("node " + config.nodeId() + " stopped being primary ("
					+ reason + ") before the write committed");
			for (long requestId : pending.clear()) {
				replies.add(new Reply(requestId, unknown));
			}
			Outcome retry = notPrimary();
			while (!waiters.isEmpty()) {
				replies.add(new Reply(waiters.poll().requestId(), retry));
			}
		}
		if (from == Role.PRIMARY || epoch != previousEpoch) {
			roleChanges.add(new RoleChange(config.nodeId(), from, Role.BACKUP, epoch, reason));
		}
	}

	void voteForSelf(long epoch) {
		setHardState(new HardState(hardState.clusterId(), epoch, config.nodeId()));
		primaryId = null;
		primaryUrl = null;
	}

	void foundCluster() {
		setHardState(new HardState(config.newClusterId(), hardState.epoch(), hardState.votedFor()));
		becomePrimary(hardState.epoch() + 1, "founded cluster " + config.newClusterId() + ": every peer is empty");
	}

	private void setHardState(HardState next) {
		if (!next.equals(hardState)) {
			hardState = next;
			hardStateChanged = true;
		}
	}

	// --- log, commit and apply ------------------------------------------------------------------------------

	/** Removes the uncommitted tail from {@code index} on, which the primary lacks; never merged, always told. */
	void discardFrom(long index, String primary) {
		List<LogEntry> tail = log.slice(index, log.lastIndex());
		log.truncateFrom(index);
		truncateFrom = truncateFrom == 0 ? index : Math.min(truncateFrom, index);
		reportDiscarded(tail, primary);
	}

	private void reportDiscarded(List<LogEntry> lost, String primary) {
		if (lost.isEmpty()) {
			return;
		}
		discarded.addAll(lost);
		event(Event.Kind.ENTRIES_DISCARDED, lost.size(), String.format(Locale.ROOT,
				"node %s: discarded %d uncommitted entries from index %d that primary %s lacks", config.nodeId(),
				lost.size(), lost.get(0).index(), primary));
	}

	void installSnapshot(Snapshot snapshot, String primary) {
		// The uncommitted tail goes with the old log, but only what the primary may lack is lost: not the entries
		// of its own epoch, nor those of the snapshot's last epoch up to its end (log matching).
		reportDiscarded(log.slice(log.commitIndex() + 1, log.lastIndex()).stream()
			.filter(e -> e.epoch() != hardState.epoch()
					&& !(e.index() <= snapshot.lastIndex() && e.epoch() == snapshot.lastEpoch()))
			.toList(), primary);
		log.resetTo(snapshot);
		state.restore(snapshot);
		installedSnapshot = snapshot;
		truncateFrom = 0;
		persistedCommit = snapshot.lastIndex();
	}

	void maybeCommit() {
		if (role != Role.PRIMARY || replicator.suspended()) {
			return;
		}
		if (config.requireBackup() && !replicator.anyInSync()) {
			return;
		}
		long target = config.syncReplication() ? replicator.durableEverywhere(log.stableIndex()) : log.stableIndex();
		if (target >= epochStartIndex && target > log.commitIndex()) {
			log.commitTo(target);
			applyCommitted();
		}
	}

	private void applyCommitted() {
		for (long i = state.appliedIndex() + 1; i <= log.commitIndex(); i++) {
			LogEntry entry = log.entry(i);
			Outcome outcome = state.apply(entry);
			long requestId = role == Role.PRIMARY ? pending.applied(entry) : 0;
			if (requestId != 0) {
				replies.add(new Reply(requestId, outcome));
			}
		}
	}

	// --- output ---------------------------------------------------------------------------------------------

	void send(Message m) {
		outbox.add(m);
	}

	void event(Event.Kind kind, String text) {
		event(kind, 1, text);
	}

	void event(Event.Kind kind, int count, String text) {
		events.add(new Event(kind, count, text));
	}

	public boolean hasReady() {
		return hardStateChanged || installedSnapshot != null || truncateFrom > 0
				|| log.stableIndex() < log.lastIndex() || !outbox.isEmpty() || !replies.isEmpty()
				|| !roleChanges.isEmpty() || !events.isEmpty() || snapshotDue();
	}

	/** Collects what the runtime must do now; see {@link Ready} for the order. */
	public Ready ready() {
		Snapshot snapshot = null;
		if (snapshotDue()) {
			snapshot = state.snapshot();
			snapshotInFlight = true;
		}
		long commit = log.commitIndex() > persistedCommit ? log.commitIndex() : 0;
		Ready rd = new Ready(hardStateChanged ? hardState : null, installedSnapshot, truncateFrom, log.unstable(),
				commit, snapshot, outbox, discarded, roleChanges, events, replies);
		installedSnapshot = null;
		truncateFrom = 0;
		outbox.clear();
		discarded.clear();
		replies.clear();
		roleChanges.clear();
		events.clear();
		return rd;
	}

	/** Tells the core that {@code rd} was executed: its writes are durable, its messages sent. */
	public void advance(Ready rd) {
		if (rd.hardState() != null && rd.hardState().equals(hardState)) {
			hardStateChanged = false;
		}
		if (!rd.entries().isEmpty()) {
			log.stableTo(rd.entries().get(rd.entries().size() - 1).index());
		}
		persistedCommit = Math.max(persistedCommit, rd.commitIndex());
		if (role == Role.PRIMARY) {
			if (!rd.entries().isEmpty()) {
				replicator.broadcast(now);
			}
			maybeCommit();
		}
		else {
			long target = follower.commitTarget(log.stableIndex());
			if (target > log.commitIndex()) {
				log.commitTo(target);
				applyCommitted();
			}
		}
		releaseWaiters();
	}

	private boolean snapshotDue() {
		return !snapshotInFlight && state.appliedIndex() - log.snapshotIndex() >= config.snapshotEvery();
	}

	/** The runtime saved the snapshot handed out by {@link #ready()}: the log before it can go. */
	public void snapshotSaved(long index) {
		snapshotInFlight = false;
		if (index > log.snapshotIndex() && index <= log.commitIndex()) {
			log.compactTo(index);
		}
	}

	public NodeStatus status() {
		List<NodeStatus.PeerStatus> peers = role == Role.PRIMARY ? replicator.status(this::contact)
				: config.peerUrls().stream().map(this::contact).toList();
		return new NodeStatus(config.nodeId(), hardState.clusterId(), role, hardState.epoch(), primaryId, primaryUrl,
				log.lastIndex(), log.commitIndex(), state.appliedIndex(), log.snapshotIndex(), state.size(),
				pending.size(), role == Role.BACKUP && follower.eligible, peers);
	}

	/** What this node last heard from a peer, whatever its role: the truth behind "reachable". */
	private NodeStatus.PeerStatus contact(String url) {
		Long heard = lastHeardFrom.get(url);
		return new NodeStatus.PeerStatus(peerIds.get(url), url, reachable(url, now), -1,
				heard == null ? -1 : now - heard, false);
	}

	// --- accessors for the role classes -----------------------------------------------------------------

	ReplicationLog log() {
		return log;
	}

	KvStateMachine stateMachine() {
		return state;
	}

	String clusterId() {
		return hardState.clusterId();
	}

	long epoch() {
		return hardState.epoch();
	}

	String votedFor() {
		return hardState.votedFor();
	}

	Role role() {
		return role;
	}

	String primaryId() {
		return primaryId;
	}

	Follower follower() {
		return follower;
	}

	long epochStartIndex() {
		return epochStartIndex;
	}

}
