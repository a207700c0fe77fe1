package io.pbkv.core;

import java.util.List;
import java.util.Locale;

/**
 * One pbkv node's protocol state: a deterministic state machine in the style of etcd's raft. Inputs ({@link #tick},
 * {@link #step}, {@link #propose}, {@link #read}, {@link #forcePromote}) each carry the monotonic time the runtime
 * read; outputs are collected with {@link #ready()} and acknowledged with {@link #advance(Ready)}. Nothing here
 * touches a disk, a socket, a clock or a thread. Role-specific work lives in {@link Replicator} (primary),
 * {@link Follower} (backup) and {@link Election} (becoming primary).
 */
public final class Node {

	private final NodeConfig config;

	private final ReplicationLog log;

	private final KvStateMachine state = new KvStateMachine();

	private final ChangeFeed changes = new ChangeFeed();

	private final ClientRequests clients;

	private final PeerContacts contacts;

	private final Election election;

	private final VoteJudge votes;

	private final BootstrapProbe bootstrap;

	private final ForcedPromotion forcedPromotion;

	private final Follower follower;

	private final MessageRouter router;

	private Replicator replicator;

	private final Outbox outbox = new Outbox();

	private HardState hardState;

	private Role role = Role.BACKUP;

	private String primaryId;

	private String primaryUrl;

	/** This primary's epoch-start entry: it serves once that is applied. */
	private long epochStartIndex = Long.MAX_VALUE;

	private final StorageHandoff handoff;

	private final SnapshotSchedule snapshots;

	private final HandOver handOver;

	private long now = Long.MIN_VALUE;

	/** Restores a node from what its storage recovered. Entries past {@code commitIndex} are an uncommitted tail. */
	public Node(NodeConfig config, HardState hardState, Snapshot snapshot, List<LogEntry> entries, long commitIndex) {
		this.config = config;
		this.hardState = hardState;
		this.log = new ReplicationLog(snapshot, entries, commitIndex);
		this.handoff = new StorageHandoff(log);
		this.election = new Election(this, config);
		this.votes = new VoteJudge(this, config);
		this.bootstrap = new BootstrapProbe(this, config);
		this.forcedPromotion = new ForcedPromotion(this, config);
		this.contacts = new PeerContacts(config.heartbeatTimeout());
		this.clients = new ClientRequests(this, config);
		this.router = new MessageRouter(this, config);
		this.follower = new Follower(this, config, 0);
		this.snapshots = new SnapshotSchedule(config, log, state, snapshot);
		this.handOver = new HandOver(this, config);
		state.restore(snapshot);
		applyCommitted();
	}

	/**
	 * Takes the node's first decisions. A node without peers is a cluster of one and leads at once, unless it has
	 * been in its cluster with peers: then its configuration lost them, and it refuses to start. A node with
	 * state starts as a backup that holds no admission: it may promote only with every other node's vote. A node
	 * whose hard state is older than its log (a data dir restored from a snapshot) takes the log's last epoch.
	 */
	public void start(long now) {
		this.now = now;
		follower.reset(now);
		setHardState(hardState);
		if (log.lastEpoch() > hardState.epoch()) {
			// A data dir restored from a snapshot has no meta.properties: its epoch is the snapshot's (epochs only
			// grow), so that the epoch this node leads or votes in comes after every epoch in its history.
			setHardState(hardState.withEpoch(log.lastEpoch()));
		}
		if (config.peerUrls().isEmpty() && hardState.hasPeers()) {
			throw new IllegalStateException("node " + config.nodeId() + ": its data dir says cluster "
					+ hardState.clusterId() + " has peers, but kv.peers is empty; refusing to become a primary "
					+ "alone. Set kv.peers to the other node's URL; if that node is lost for good, start with "
					+ "kv.peers set and use POST /cluster/force-primary");
		}
		if (config.peerUrls().isEmpty()) {
			if (hardState.clusterId() == null) {
				setHardState(hardState.withClusterId(config.newClusterId()));
			}
			becomePrimary(hardState.epoch() + 1, "no peers: a cluster of one");
		}
	}

	public void tick(long now) {
		observe(now);
		long diskWait = handoff.writeWaitingFor(now);
		if (role == Role.PRIMARY && !config.peerUrls().isEmpty() && diskWait >= config.heartbeatTimeout()) {
			// A hung disk must not hide behind a loop that still answers: give up the lease, so that a backup
			// with a working disk takes over instead of every write waiting here.
			stepDown(now, String.format(Locale.ROOT, "its disk has not finished a write for %.1f s",
					diskWait / 1000.0));
		}
		if (role == Role.PRIMARY) {
			replicator.tick(now);
		}
		else if (hardState.clusterId() == null) {
			bootstrap.probeTick(now);
		}
		else {
			follower.tick(now);
			election.tick(now);
			if (election.due(now)) {
				String why = primaryId != null ? String.format(Locale.ROOT, "primary %s silent for %.1f s",
						primaryId, (now - follower.lastHeard()) / 1000.0) : "no primary heard for "
								+ String.format(Locale.ROOT, "%.1f s", (now - follower.lastHeard()) / 1000.0);
				election.start(now, eligible(), why);
			}
		}
		handOver.check(now);
		clients.release();
	}

	/** Detects a gap in our own clock: a pause (SIGSTOP, GC, a stalled disk) of at least the pause threshold. */
	private void observe(long now) {
		long previous = this.now;
		this.now = Math.max(previous, now);
		long gap = now - previous;
		if (previous == Long.MIN_VALUE || gap < config.heartbeatInterval() / 2) {
			return;
		}
		if (role == Role.PRIMARY) {
			replicator.clockGap(now, gap);
		}
		else {
			follower.slept(now, gap);
		}
	}

	/** A message from a peer. */
	public void step(long now, Message m) {
		observe(now);
		contacts.heard(m, now);
		switch (m) {
			case Message.Probe p -> bootstrap.answerProbe(p);
			case Message.ProbeResult r -> bootstrap.onProbeResult(r);
			default -> router.route(now, m);
		}
		handOver.check(now);
		clients.release();
	}

	/** A client write. The reply comes out of a later {@link #ready()}. */
	public void propose(long now, long requestId, Command command) {
		observe(now);
		clients.propose(requestId, command);
	}

	/**
	 * A client read. On the primary it is answered once everything committed before it arrived is applied and
	 * under a valid lease; {@code local} answers from this node's own copy at once, whatever its role.
	 */
	public void read(long now, long requestId, Query query, boolean local) {
		observe(now);
		clients.read(requestId, query, local);
	}

	/**
	 * The operator's hand-over to the backup named {@code to}: see {@link HandOver}. Answered with
	 * {@link Outcome.HandedOver} once done, or why not.
	 */
	public void handOver(long now, long requestId, String to) {
		observe(now);
		handOver.start(now, requestId, to);
	}

	/**
	 * The operator adds ({@code add}) the voter at {@code url}, or removes the one with that node id or URL (a data
	 * node or a witness): see
	 * {@link Replicator#changeVoters}. Answered with {@link Outcome.Reconfigured} once a majority holds it.
	 */
	public void changeVoters(long now, long requestId, String url, boolean add) {
		observe(now);
		if (role != Role.PRIMARY) {
			clients.answer(requestId, clients.notPrimary());
			return;
		}
		String voter = add ? url : replicator.voterUrl(url);
		if (voter == null) {
			clients.answer(requestId, new Outcome.Unavailable("no voter is named " + url));
			return;
		}
		replicator.changeVoters(now, requestId, voter, add);
	}

	/**
	 * The operator's way out when the other node is lost for good: become primary without
	 * an admission or votes. Refused while any peer answers, or when this node already is primary.
	 */
	public void forcePromote(long now, long requestId) {
		observe(now);
		clients.answer(requestId, forcedPromotion.force(now, contacts.reachable(peers(), now)));
	}

	// --- transitions: one method per role change, each logged in one shape ---------------------------------

	void becomePrimary(long epoch, String reason) {
		becomePrimary(epoch, reason, hardState.config(), false);
	}

	void becomePrimary(long epoch, String reason, InSyncConfig adopted) {
		becomePrimary(epoch, reason, adopted, false);
	}

	/**
	 * {@code adopted}: the newest in-sync configuration this node's voters hold (three or more voters).
	 * {@code forced}: an operator's forced promotion, after which this node's word alone is a majority.
	 */
	void becomePrimary(long epoch, String reason, InSyncConfig adopted, boolean forced) {
		if (config.witness()) {
			throw new IllegalStateException("a witness is never primary");
		}
		Role from = role;
		election.cancel();
		setHardState(hardState.withVote(epoch, config.nodeId()));
		role = Role.PRIMARY;
		primaryId = config.nodeId();
		primaryUrl = config.advertisedUrl();
		clients.reset(log.slice(log.commitIndex() + 1, log.lastIndex()));
		replicator = new Replicator(this, config, now, adopted, forced);
		LogEntry start = new LogEntry(log.lastIndex() + 1, epoch, new Command.EpochStart(config.nodeId()));
		log.append(start);
		clients.appended(start, 0);
		epochStartIndex = start.index();
		outbox.roleChanged(new RoleChange(config.nodeId(), from, Role.PRIMARY, epoch, reason));
		replicator.broadcast(now);
	}

	/**
	 * A pair's primary whose in-sync backup holds {@code first}, a configuration of three voters, switches to
	 * majority rules in its epoch: it saves {@code first} and starts from it as a newly elected primary would
	 * (see {@link PairGrowth}); the operator's request is answered once a majority holds its next configuration.
	 */
	void growIntoQuorum(long now, InSyncConfig first, long requestId) {
		acceptConfig(first);
		replicator = new Replicator(this, config, now, first, false);
		replicator.answerOnceHeld(requestId);
		event(Event.Kind.MEMBERSHIP_CHANGE, String.format(Locale.ROOT, "node %s: configuration %s (in sync %s, voters "
				+ "%s) is held by the in-sync backups: a majority of voters decides from now on", config.nodeId(),
				first.versionText(), first.members(), first.voters()));
		replicator.announce(now);
	}

	/** Follows {@code primary} (null when not known yet) in {@code epoch}; a primary steps down. */
	void becomeBackup(long now, long epoch, String primary, String url, String reason) {
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
			clients.failAll(unknown, clients.notPrimary());
		}
		if (from == Role.PRIMARY || epoch != previousEpoch) {
			outbox.roleChanged(new RoleChange(config.nodeId(), from, Role.BACKUP, epoch, reason));
		}
	}

	/**
	 * Steps down and hands the role to {@code to}: this node becomes a backup in {@code epoch} having voted for
	 * {@code to} there (durable before the message leaves, as every vote is), and tells it to take over at once.
	 */
	void handOverTo(long now, String to, String url, long epoch, long lastIndex, long lastEpoch) {
		becomeBackup(now, epoch, null, null, "handed over to " + to);
		setHardState(hardState.withVote(epoch, to));
		send(new Message.TimeoutNow(config.nodeId(), config.advertisedUrl(), url, hardState.clusterId(), epoch,
				lastIndex, lastEpoch));
	}

	/** A primary that can no longer be sure nobody replaced it becomes a backup in its own epoch. */
	void stepDown(long now, String reason) {
		becomeBackup(now, hardState.epoch(), null, null, reason);
	}

	void voteForSelf(long epoch) {
		setHardState(hardState.withVote(epoch, config.nodeId()));
		primaryId = null;
		primaryUrl = null;
	}

	void foundCluster() {
		setHardState(hardState.withClusterId(config.newClusterId()));
		becomePrimary(hardState.epoch() + 1, "founded cluster " + config.newClusterId() + ": every peer is empty");
	}

	/** Keeps {@code next} if it is newer than the in-sync configuration this node holds; saved before it answers. */
	void acceptConfig(InSyncConfig next) {
		if (next != null && next.newerThan(hardState.config())) {
			HardState accepted = hardState.withConfig(next);
			if (accepted.incarnation() == null && next.voters().size() >= 3) {
				// A node that joined knowing one member learns only now that its data dir needs a name; the
				// runtime's random cluster id of this start serves as one.
				accepted = accepted.withIncarnation(config.newClusterId());
			}
			setHardState(accepted);
		}
	}

	/**
	 * Whether this node may become primary when the primary falls silent. With three or more voters: it is a data
	 * node in the newest in-sync configuration it holds (the voters still decide). In a pair: it holds an admission.
	 */
	boolean eligible() {
		if (quorum()) {
			return !config.witness() && hardState.config() != null
					&& hardState.config().members().contains(config.nodeId()) && recognized();
		}
		return follower.eligible;
	}

	/** This node's answer to a primary's append or snapshot offer, with the configuration it holds. */
	Message.AppendResult appendResult(String toUrl, boolean success, long matchIndex, long sentAt,
			boolean snapshotNeeded) {
		InSyncConfig held = hardState.config();
		return new Message.AppendResult(config.nodeId(), config.advertisedUrl(), toUrl, hardState.clusterId(),
				hardState.epoch(), success, matchIndex, sentAt, role == Role.BACKUP && follower.eligible,
				snapshotNeeded, held == null ? 0 : held.epoch(), held == null ? 0 : held.version(), config.witness(),
				hardState.incarnation());
	}

	HardState hardState() {
		return hardState;
	}

	/**
	 * Whether the configuration this node holds means this data dir: it binds no incarnation to this node's URL,
	 * or this one. A node that lost its data dir is not recognized until a majority re-admitted it.
	 */
	boolean recognized() {
		InSyncConfig held = hardState.config();
		return held == null || held.recognizes(config.advertisedUrl(), hardState.incarnation());
	}

	/**
	 * The URLs of the other voters: those of the newest configuration this node works with (a primary's proposal,
	 * or the one it holds), or, before it has one with voters, those {@code kv.peers} names.
	 */
	List<String> peers() {
		InSyncConfig c = role == Role.PRIMARY && replicator != null && replicator.configuration() != null
				? replicator.configuration() : hardState.config();
		if (c == null || c.voters().isEmpty()) {
			return config.peerUrls();
		}
		return c.voters().stream().filter(url -> !url.equals(config.advertisedUrl())).toList();
	}

	/**
	 * Whether a majority of three or more voters decides: {@code kv.peers} names two or more, or this node holds a
	 * configuration of three or more voters (it joined knowing one member's URL and learned the rest).
	 */
	boolean quorum() {
		InSyncConfig held = hardState.config();
		return config.quorum() || held != null && held.voters().size() >= 3;
	}

	/** How many voters make a majority, this node included. */
	int majority() {
		return (peers().size() + 1) / 2 + 1;
	}

	InSyncConfig heldConfig() {
		return hardState.config();
	}

	void setHardState(HardState next) {
		// Whoever sets it, the state of a cluster joined with peers records that it has peers, for good.
		if (!next.hasPeers() && next.clusterId() != null && (hardState.hasPeers() || !config.peerUrls().isEmpty())) {
			next = next.withPeers();
		}
		if (!next.equals(hardState)) {
			hardState = next;
			handoff.hardStateChanged();
		}
	}

	// --- log, commit and apply ------------------------------------------------------------------------------

	/** The log was cut from {@code index} on; the next Ready persists the cut. */
	void truncated(long index) {
		handoff.truncated(index);
	}

	/** The log and state were replaced by {@code snapshot}; the next Ready persists it. */
	void installed(Snapshot snapshot) {
		handoff.installed(snapshot);
		snapshots.installed(snapshot);
	}

	void maybeCommit() {
		if (role != Role.PRIMARY || replicator.suspended()) {
			return;
		}
		if (config.minInSync() > 0 && replicator.inSyncBackups() < config.minInSync()) {
			return;
		}
		if (quorum() && !replicator.leaseValid(now)) {
			// Cut off from a majority: a newer primary may be elected, so nothing may be acknowledged here.
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
			changes.applied(entry, outcome);
			snapshots.applied(entry);
			if (role == Role.PRIMARY) {
				clients.applied(entry, outcome);
			}
		}
	}

	// --- output ---------------------------------------------------------------------------------------------

	void send(Message m) {
		outbox.send(m);
	}

	void event(Event.Kind kind, String text) {
		event(kind, 1, text);
	}

	void event(Event.Kind kind, int count, String text) {
		outbox.event(kind, count, text);
	}

	public boolean hasReady() {
		return handoff.pending() || !outbox.isEmpty() || clients.hasReplies() || snapshots.due();
	}

	/**
	 * Collects what the runtime must do now; see {@link Ready} for the order. What it hands out to persist is
	 * not handed out again: the runtime may take the next Ready while this one's writes are still under way.
	 */
	public Ready ready() {
		if (role == Role.PRIMARY && log.hasUnhandedEntries()) {
			// The new entries go to the backups in this Ready, before our own fsync (Ready.messagesBeforeSync).
			replicator.broadcast(now);
		}
		Snapshot snapshot = snapshots.due() ? snapshots.take() : null;
		StorageHandoff.Writes writes = handoff.take(hardState, now);
		return outbox.drain(writes.hardState(), writes.installSnapshot(), writes.truncateFrom(), writes.entries(),
				writes.commitIndex(), snapshot, clients.drain());
	}

	/**
	 * Tells the core that {@code rd} was executed: its writes are durable, its messages sent. Readies are advanced
	 * in the order they were taken, each at most once; a later one may have been taken before an earlier one is
	 * advanced.
	 */
	public void advance(Ready rd) {
		handoff.durable(rd, now);
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
		clients.release();
	}

	/**
	 * Takes a snapshot at the next turn, if anything was applied since the saved one: a backup needs a newer one,
	 * or an operator downloads one.
	 */
	public void requestSnapshot() {
		snapshots.request();
	}

	/**
	 * The runtime saved the snapshot handed out by {@link #ready()}: the log before it can go, except what a backup
	 * fetching an older snapshot will need next. Returns the index the log was compacted to, which the runtime's
	 * store may drop up to as well.
	 */
	public long snapshotSaved(long index) {
		return snapshots.saved(index, role == Role.PRIMARY ? replicator.pinnedFrom(now) : Long.MAX_VALUE);
	}

	/**
	 * The runtime fetched the snapshot a primary offered ({@link SnapshotFetch}); installed if this node still
	 * follows that primary and the snapshot still fits, answered either way.
	 */
	public void snapshotFetched(long now, Snapshot snapshot, String fromUrl, long sentAt) {
		observe(now);
		if (role == Role.BACKUP && fromUrl.equals(primaryUrl)) {
			follower.onSnapshotFetched(now, snapshot, primaryId, fromUrl, sentAt);
		}
		clients.release();
	}

	public NodeStatus status() {
		List<NodeStatus.PeerStatus> peers = role == Role.PRIMARY ? replicator.status(now, url -> contacts.of(url, now))
				: peers().stream().map(url -> contacts.of(url, now)).toList();
		Role shown = config.witness() ? Role.WITNESS : role;
		InSyncConfig shownConfig = role == Role.PRIMARY ? replicator.configuration() : hardState.config();
		return new NodeStatus(config.nodeId(), hardState.clusterId(), shown, hardState.epoch(), primaryId, primaryUrl,
				log.lastIndex(), log.commitIndex(), state.appliedIndex(), log.snapshotIndex(), state.size(),
				clients.pendingWrites(), role == Role.BACKUP && eligible(), peers, shownConfig);
	}

	// --- accessors for the role classes -----------------------------------------------------------------

	ReplicationLog log() {
		return log;
	}

	/** Answers a read from the applied state, or a watch's page from the committed log. */
	Outcome answer(Query query) {
		return query instanceof Query.Changes page ? changes.read(page, log, state.appliedIndex()) : state.read(query);
	}

	ClientRequests clients() {
		return clients;
	}

	HandOver handOverInProgress() {
		return handOver;
	}

	/** The state machine, as the protocol sees it. */
	StateMachine stateMachine() {
		return state;
	}

	/** The same state as the client requests read it: keys, versions and conditions. */
	KvStateMachine keyValues() {
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

	Outbox outbox() {
		return outbox;
	}

	Election election() {
		return election;
	}

	VoteJudge votes() {
		return votes;
	}

	Replicator replicator() {
		return replicator;
	}

	long now() {
		return now;
	}

	SnapshotSchedule snapshots() {
		return snapshots;
	}

	long epochStartIndex() {
		return epochStartIndex;
	}

}
