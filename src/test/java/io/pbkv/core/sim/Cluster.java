package io.pbkv.core.sim;

import io.pbkv.core.Command;
import io.pbkv.core.Compaction;
import io.pbkv.core.LogEntry;
import io.pbkv.core.Message;
import io.pbkv.core.Node;
import io.pbkv.core.NodeConfig;
import io.pbkv.core.NodeStatus;
import io.pbkv.core.Outcome;
import io.pbkv.core.Query;
import io.pbkv.core.Ready;
import io.pbkv.core.ReadyLoop;
import io.pbkv.core.Reply;
import io.pbkv.core.Role;
import io.pbkv.core.RoleChange;
import io.pbkv.core.Snapshot;
import io.pbkv.core.SnapshotFetch;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * A simulated pbkv cluster: pure {@link Node} cores, each with an in-memory data dir ({@link SimStore}), driven by
 * one event queue over virtual time and a {@link SimNetwork}. Every input is a turn as in the real runtime: the
 * input, then the Readies executed by the runtime's own {@link ReadyLoop}, with writes that become durable when a
 * simulated fsync completes, in virtual time (a few ms; up to twice the heartbeat timeout on a slow disk). Crash, restart, pause and resume act on one node; every random choice comes from the
 * seed, so a run replays exactly.
 */
final class Cluster {

	static final long TICK = 100;

	static final long HEARTBEAT_INTERVAL = 500;

	static final long HEARTBEAT_TIMEOUT = 3000;

	/** How soon after the faults end, and a primary serves, every node must be caught up: a few timeouts. */
	static final long CATCH_UP_PATIENCE = 4 * HEARTBEAT_TIMEOUT;

	/** A client's or operator's request: a write, a read, a forced promotion, or a hand-over to {@code handOverTo}. */
	/** {@code voter}: a membership change, "+URL" to add a voter or "-ID" to remove one. */
	record Request(long id, String node, Command command, Query query, boolean force, String handOverTo,
			Consumer<Outcome> reply, String voter) {

		Request(long id, String node, Command command, Query query, boolean force, String handOverTo,
				Consumer<Outcome> reply) {
			this(id, node, command, query, force, handOverTo, reply, null);
		}

	}

	final long seed;

	/** Hand-overs that completed in this run: the schedules must reach them, or they test less than they seem to. */
	int handOversDone;

	final Random random;

	final SimNetwork network;

	final Invariants invariants = new Invariants();

	final History history = new History();

	final boolean tickBeforeEachInput;

	private final Map<String, SimNode> nodes = new LinkedHashMap<>();

	private final Map<String, String> idByUrl = new HashMap<>();

	private final VirtualTime time = new VirtualTime();

	private final Map<Long, Command> commandOf = new HashMap<>();

	private final Map<Long, Long> versionOf = new HashMap<>();

	private final List<RoleChange> roleChanges = new ArrayList<>();

	private final List<Consumer<Message>> taps = new ArrayList<>();

	private final Deque<String> trace = new ArrayDeque<>();

	private final boolean printTrace = Boolean.getBoolean("pbkv.sim.trace");

	private boolean faultsOver;

	/** What the snapshot fetches of this run went through, for the simulation's coverage check. */
	final FetchCounts fetchCounts = new FetchCounts();

	/**
	 * Crashes a fetching backup at step {@code n} of its next transfer: after its n-th chunk is appended, or, one
	 * past its last chunk, right after the installed snapshot is persisted; 0 for never. Once only.
	 */
	int crashAtFetchStep;

	/** The fetch step {@link #crashAtFetchStep} crashed at, once it did. */
	String crashedAtFetchStep;

	private int fetchSteps;

	/** How long every snapshot fetch takes, in ms; 0 for a random while of up to 20 network delays. */
	long fetchTakes;

	private long nextRequest;

	private final Set<String> witnesses;

	/** The settings of the first data node: a node added later gets the same. */
	private NodeConfig template;

	Cluster(long seed, List<String> ids, long snapshotEvery, boolean requireBackup) {
		this(seed, ids, snapshotEvery, requireBackup, Compaction.NONE);
	}

	Cluster(long seed, List<String> ids, long snapshotEvery, boolean requireBackup, Compaction compaction) {
		this(seed, ids, List.of(), snapshotEvery, requireBackup, compaction);
	}

	/** {@code witnesses} are among {@code ids}: they vote and hold no data. */
	Cluster(long seed, List<String> ids, List<String> witnesses, long snapshotEvery, boolean requireBackup,
			Compaction compaction) {
		this(seed, ids, witnesses, snapshotEvery, requireBackup ? 1 : 0, compaction);
	}

	/** Data nodes that take writes only while {@code minInSync} backups are in sync. */
	Cluster(long seed, List<String> ids, List<String> witnesses, long snapshotEvery, int minInSync,
			Compaction compaction) {
		boolean requireBackup = minInSync > 0;
		this.seed = seed;
		this.witnesses = new java.util.HashSet<>(witnesses);
		if (ids.size() >= 3) {
			invariants.quorum();
		}
		this.random = new Random(seed);
		this.network = new SimNetwork(new Random(random.nextLong()));
		this.tickBeforeEachInput = random.nextBoolean();
		for (String id : ids) {
			List<String> peers = ids.stream().filter(p -> !p.equals(id)).map(p -> "http://" + p).toList();
			NodeConfig config = new NodeConfig(id, "http://" + id, peers, "cluster-1", snapshotEvery,
					HEARTBEAT_INTERVAL, HEARTBEAT_TIMEOUT, true, requireBackup, id.equals(ids.get(0)), 64, compaction);
			nodes.put(id, new SimNode(id, witnesses.contains(id) ? config.asWitness() : config.withMinInSync(minInSync)));
			if (template == null) {
				template = config.withMinInSync(minInSync);
			}
			idByUrl.put(config.advertisedUrl(), id);
		}
	}

	static Cluster of(long seed, String... ids) {
		return new Cluster(seed, List.of(ids), 1_000_000, false);
	}

	static Cluster of(long seed, long snapshotEvery, String... ids) {
		return new Cluster(seed, List.of(ids), snapshotEvery, false);
	}

	// --- time ---------------------------------------------------------------------------------------------

	long now() {
		return time.now();
	}

	long stamp() {
		return time.stamp();
	}

	void at(long at, Runnable action) {
		time.at(at, action);
	}

	void after(long delay, Runnable action) {
		time.at(time.now() + delay, action);
	}

	/** Schedules a fault; faults scheduled past the end of the faulty period are skipped. */
	void fault(long at, Runnable action) {
		time.at(at, () -> {
			if (!faultsOver) {
				action.run();
			}
		});
	}

	void runUntil(long until) {
		time.runUntil(until);
	}

	void runFor(long millis) {
		time.runUntil(time.now() + millis);
	}

	/** Runs until {@code condition} holds, checking after every event; false if {@code millis} pass first. */
	boolean runUntil(BooleanSupplier condition, long millis) {
		return time.runUntil(condition, millis);
	}

	// --- nodes: start, crash, restart, pause ----------------------------------------------------------------

	void startAll() {
		nodes.keySet().forEach(this::restart);
	}

	/** Starts a node from what its data dir holds (empty the first time). */
	void restart(String id) {
		SimNode n = nodes.get(id);
		if (n.up()) {
			return;
		}
		n.incarnation++;
		n.fetching = 0;
		n.crashAfterNextPersist = false;
		n.crashBeforeNextFsync = false;
		// Recovery keeps the newest snapshot file only.
		if (!n.store.files.isEmpty()) {
			n.store.files.headMap(n.store.files.lastKey()).clear();
		}
		n.clockOffset = random.nextInt(1_000_000_000);
		if (n.store.hardState.incarnation() == null && (n.config.peerUrls().size() >= 2 || n.config.witness())) {
			// What the runtime does for a data dir new to a cluster of three or more voters: name it, once.
			n.store.hardState = n.store.hardState.withIncarnation(id + "#" + n.incarnation);
		}
		n.node = new Node(n.config, n.store.hardState, n.store.snapshot, List.copyOf(n.store.entries),
				n.store.commitIndex);
		n.loop = new ReadyLoop(n.node, effects(n));
		n.seenCommit = n.store.snapshot.lastIndex();
		log(id + " starts (epoch " + n.store.hardState.epoch() + ", log to " + n.store.lastIndex() + ", commit "
				+ n.store.commitIndex + ")");
		invariants.commits(n);
		n.node.start(clock(n));
		processReady(n);
		int incarnation = n.incarnation;
		after(1 + random.nextInt((int) TICK), () -> tickLoop(n, incarnation));
	}

	private void tickLoop(SimNode n, int incarnation) {
		if (n.incarnation != incarnation || !n.up()) {
			return;
		}
		if (!n.paused) {
			n.node.tick(clock(n));
			processReady(n);
		}
		if (n.incarnation == incarnation && n.up()) {
			after(TICK, () -> tickLoop(n, incarnation));
		}
	}

	/** kill -9: the core and everything not on disk are gone; clients holding requests see the connection drop. */
	void crash(String id) {
		SimNode n = nodes.get(id);
		if (!n.up()) {
			return;
		}
		log(id + " crashes");
		lostWrites(n);
		n.node = null;
		n.paused = false;
		n.queued.clear();
		n.crashAfterNextPersist = false;
		n.crashBeforeNextFsync = false;
		n.store.crash(random);
		for (Request r : n.inside.values()) {
			replyToClient(r, new Outcome.Indeterminate("connection reset: node " + id + " crashed"));
		}
		n.inside.clear();
	}

	/**
	 * What a kill -9 does to the writes under way: the storage thread had written some of the batch it was syncing
	 * (the page cache keeps them), the rest and the queued ones never reached the disk. A primary whose appends left
	 * before its own fsync may so have sent entries it no longer holds.
	 */
	private void lostWrites(SimNode n) {
		int written = n.syncing > 0 ? random.nextInt(n.syncing + 1) : 0;
		for (int i = 0; i < written; i++) {
			persist(n, n.writes.poll().ready());
		}
		boolean sentEntries = n.writes.stream().anyMatch(w -> !w.ready().entries().isEmpty());
		NodeStatus status = n.node.status();
		if (sentEntries && status.role() == Role.PRIMARY && status.epoch() == n.store.hardState.epoch()) {
			invariants.primaryLostUnsyncedTail(n.store.hardState.epoch(), n.store.lastIndex());
		}
		n.writes.clear();
		n.syncing = 0;
	}

	/** Like {@link #crash} but the disk is lost too. */
	void crashAndWipe(String id) {
		crash(id);
		nodes.get(id).store.wipe();
		invariants.wiped(id);
		log(id + " lost its data dir");
	}

	/** SIGSTOP: the node gets no input (its clock keeps running); what arrives meanwhile waits for it. */
	void pause(String id) {
		pause(id, 0);
	}

	/**
	 * SIGSTOP where each peer message sent to the node meanwhile is lost with probability {@code loss}, as when
	 * the sender's request times out before the stopped process reads it.
	 */
	void pause(String id, double loss) {
		SimNode n = nodes.get(id);
		if (n.up() && !n.paused) {
			log(id + " paused" + (loss > 0 ? ", losing " + (int) (loss * 100) + "% of the messages sent to it" : ""));
			n.paused = true;
			n.pausedLoss = loss;
		}
	}

	/** SIGCONT: the node's loop wakes, ticks, and takes everything that queued up in one batch. */
	void resume(String id) {
		SimNode n = nodes.get(id);
		if (!n.up() || !n.paused) {
			return;
		}
		log(id + " resumes with " + n.queued.size() + " queued inputs");
		n.paused = false;
		long t = clock(n);
		n.node.tick(t);
		List<SimNode.Input> batch = new ArrayList<>(n.queued);
		n.queued.clear();
		for (SimNode.Input input : batch) {
			input.apply(n.node, t);
		}
		processReady(n);
	}

	void pauseFor(String id, long millis, double loss) {
		pause(id, loss);
		after(millis, () -> resume(id));
	}

	private long clock(SimNode n) {
		return time.now() + n.clockOffset;
	}

	/** One turn of the node's loop for one input, or the input waits while the node is paused. */
	private void turn(SimNode n, SimNode.Input input) {
		if (n.paused) {
			n.queued.add(input);
			return;
		}
		long t = clock(n);
		if (tickBeforeEachInput) {
			n.node.tick(t);
		}
		input.apply(n.node, t);
		processReady(n);
	}

	/** Runs the node's Readies through the runtime's own {@link ReadyLoop}. */
	private void processReady(SimNode n) {
		if (n.up()) {
			invariants.commits(n);
			n.loop.process();
		}
		if (n.up()) {
			invariants.commits(n);
			invariants.turnEnded(n);
		}
	}

	// --- the runtime around the core: effects of a Ready, and a disk whose fsync takes time ----------------

	private ReadyLoop.Effects effects(SimNode n) {
		return new ReadyLoop.Effects() {

			@Override
			public void send(List<Message> messages) {
				sendAll(n, messages);
			}

			@Override
			public void reply(Reply reply) {
				replied(n, reply);
			}

			@Override
			public void report(Ready rd) {
				roleChanges.addAll(rd.roleChanges());
				rd.roleChanges().forEach(c -> log(c.toString()));
				rd.events().stream().filter(e -> !e.text().isEmpty()).forEach(e -> log("  " + e.text()));
			}

			@Override
			public void write(ReadyLoop.StorageWrite write) {
				n.writes.add(write);
				if (n.syncing == 0) {
					startFsync(n);
				}
			}

			@Override
			public void snapshot(Snapshot snapshot) {
				invariants.commits(n);
				n.store.saveSnapshot(snapshot);
				n.store.compacted(n.node.snapshotSaved(snapshot.lastIndex()));
			}

			@Override
			public void fetch(SnapshotFetch f) {
				Cluster.this.fetch(n, f);
			}

		};
	}

	/** The storage thread takes every write queued so far and starts one fsync for all of them. */
	private void startFsync(SimNode n) {
		n.syncing = n.writes.size();
		long takes = time.now() >= n.slowDiskUntil ? 1 + random.nextInt(4)
				: n.diskHangs ? n.slowDiskUntil - time.now() : 200 + random.nextInt((int) (2 * HEARTBEAT_TIMEOUT));
		finishFsyncAfter(n, takes);
	}

	private void finishFsyncAfter(SimNode n, long delay) {
		int incarnation = n.incarnation;
		long fsync = ++n.fsyncs;
		after(delay, () -> {
			if (n.incarnation == incarnation && n.up() && n.fsyncs == fsync) {
				// A paused process's storage thread is stopped too: the writes complete when it resumes.
				turn(n, (node, t) -> fsyncDone(n));
			}
		});
	}

	/**
	 * The fsync under way finished: its writes are durable, their messages go out, the loop advances the core.
	 * With {@link SimNode#crashBeforeNextFsync} or {@link SimNode#crashAfterNextPersist}, the node dies just before
	 * the fsync or just after it.
	 */
	private void fsyncDone(SimNode n) {
		List<ReadyLoop.StorageWrite> batch = new ArrayList<>();
		for (int i = 0; i < n.syncing; i++) {
			batch.add(n.writes.poll());
		}
		n.syncing = 0;
		boolean writes = batch.stream().anyMatch(w -> w.ready().hardState() != null || w.ready().needsSync());
		if (n.crashBeforeNextFsync && writes) {
			n.writes.addAll(0, batch);
			n.syncing = batch.size();
			log(n.id + " dies before the fsync of " + batch.size() + " writes");
			crash(n.id);
			return;
		}
		for (ReadyLoop.StorageWrite w : batch) {
			persist(n, w.ready());
		}
		if (n.crashAfterNextPersist && writes) {
			log(n.id + " made " + batch.size() + " writes durable and dies before sending their messages");
			crash(n.id);
			return;
		}
		for (ReadyLoop.StorageWrite w : batch) {
			sendAll(n, w.messages());
		}
		for (ReadyLoop.StorageWrite w : batch) {
			n.loop.persisted(w);
			invariants.commits(n);
		}
		if (!n.writes.isEmpty()) {
			startFsync(n);
		}
	}

	private void persist(SimNode n, Ready rd) {
		invariants.persisting(n, rd);
		n.store.persist(rd);
		n.discarded.addAll(rd.discarded());
		if (rd.installSnapshot() != null) {
			n.snapshotsInstalled++;
		}
	}

	private void sendAll(SimNode n, List<Message> messages) {
		invariants.sent(n, messages);
		for (Message m : messages) {
			send(n, m);
		}
	}

	private void replied(SimNode n, Reply reply) {
		invariants.commits(n);
		invariants.replied(n, reply, commandOf);
		Request r = n.inside.remove(reply.requestId());
		if (r != null && r.query() != null && !(reply.outcome() instanceof Outcome.Unavailable)) {
			invariants.servedRead(n, nodes());
		}
		if (r != null) {
			if (reply.outcome() instanceof Outcome.Written w) {
				versionOf.put(r.id(), w.version());
			}
			else if (reply.outcome() instanceof Outcome.Deleted d) {
				versionOf.put(r.id(), d.version());
			}
			replyToClient(r, reply.outcome());
		}
	}

	/**
	 * The node's fsyncs take from 0.2 s to twice the heartbeat timeout each, for {@code millis}; when it ends, the
	 * fsync under way finishes at once.
	 */
	void slowDisk(String id, long millis) {
		SimNode n = nodes.get(id);
		log(id + "'s disk turns slow for " + millis + " ms");
		n.slowDiskUntil = time.now() + millis;
		after(millis, () -> diskRecovers(n));
	}

	/** No fsync of the node finishes for {@code millis}; then the one under way finishes at once. */
	void hangDisk(String id, long millis) {
		slowDisk(id, millis);
		nodes.get(id).diskHangs = true;
	}

	private void diskRecovers(SimNode n) {
		if (n.slowDiskUntil != 0 && n.slowDiskUntil <= time.now()) {
			n.slowDiskUntil = 0;
			n.diskHangs = false;
			if (n.up() && n.syncing > 0) {
				finishFsyncAfter(n, 1 + random.nextInt(4));
			}
		}
	}

	// --- network ------------------------------------------------------------------------------------------

	/** Shows every message a node sends to {@code tap}, whether or not it arrives. */
	void tap(Consumer<Message> tap) {
		taps.add(tap);
	}

	private void send(SimNode from, Message m) {
		taps.forEach(t -> t.accept(m));
		String to = idByUrl.get(m.to());
		if (to == null) {
			return;
		}
		for (long delay : network.fate(from.id, to, m)) {
			after(delay, () -> deliver(to, m));
		}
	}

	private void deliver(String to, Message m) {
		if (printTrace) {
			log("deliver " + m);
		}
		SimNode n = nodes.get(to);
		if (n.up() && !(n.paused && n.pausedLoss > 0 && random.nextDouble() < n.pausedLoss)) {
			turn(n, (node, t) -> node.step(t, m));
		}
	}

	/**
	 * A backup's runtime fetching an offered snapshot file from the primary, as the real fetcher does: chunk by
	 * chunk, each a request and a response over the simulated network (lost, duplicated, delayed and so reordered
	 * like any message), appended to a part file in the backup's data dir only when it continues that file
	 * exactly. A request unanswered for a while is sent again from where the part file ends; a few in a row and the
	 * fetch gives up (the primary's next offer resumes it). A crash keeps the part file, less an unsynced tail; a
	 * fetch of another snapshot replaces the part file; a primary that no longer has the file (it was replaced) ends
	 * the fetch and the part file. Once whole, the file is checked (a chunk corrupted on the way fails the check and
	 * the part file starts over) and handed to the core.
	 */
	private void fetch(SimNode n, SnapshotFetch f) {
		if (n.fetching == f.lastIndex()) {
			return;
		}
		n.fetching = f.lastIndex();
		n.store.incoming.keySet().removeIf(index -> index != f.lastIndex());
		fetchCounts.started++;
		if (n.store.incoming.containsKey(f.lastIndex())) {
			fetchCounts.resumed++;
		}
		log(n.id + " fetches snapshot " + f.lastIndex() + " from " + idByUrl.get(f.fromUrl()) + " at chunk "
				+ n.store.incoming.getOrDefault(f.lastIndex(), SimStore.PartFile.EMPTY).chunks());
		requestChunk(n, f, n.incarnation, 0);
	}

	/** Counts of what snapshot fetches went through: the paths a schedule must reach to test the transfer. */
	static final class FetchCounts {

		long started;

		/** Started with a part file left by an earlier attempt (a crash, a give-up). */
		long resumed;

		long completed;

		/** Whole, but a chunk was corrupted on the way: the check failed. */
		long corrupt;

		/** The primary no longer had the file (a newer snapshot replaced it). */
		long gone;

		/** Chunks that arrived twice or late and were not appended. */
		long ignoredChunks;

		void add(FetchCounts other) {
			started += other.started;
			resumed += other.resumed;
			completed += other.completed;
			corrupt += other.corrupt;
			gone += other.gone;
			ignoredChunks += other.ignoredChunks;
		}

		@Override
		public String toString() {
			return "started " + started + ", resumed " + resumed + ", completed " + completed + ", corrupt " + corrupt
					+ ", gone " + gone + ", chunks ignored " + ignoredChunks;
		}

	}

	/** Chunks of a snapshot file: a few, so that faults land between them. */
	static int chunksOf(long lastIndex) {
		return 1 + Math.floorMod(Long.hashCode(lastIndex * 0x9E3779B97F4A7C15L), 5);
	}

	private void requestChunk(SimNode n, SnapshotFetch f, int incarnation, int unanswered) {
		if (n.incarnation != incarnation || !n.up() || n.fetching != f.lastIndex()) {
			return;
		}
		if (unanswered == 3) {
			log(n.id + " gives up fetching snapshot " + f.lastIndex() + " for now");
			n.fetching = 0;
			return;
		}
		String source = idByUrl.get(f.fromUrl());
		int offset = n.store.incoming.getOrDefault(f.lastIndex(), SimStore.PartFile.EMPTY).chunks();
		long request = ++n.fetchRequests;
		for (long there : network.fate(n.id, source, null)) {
			after(there, () -> serveChunk(source, n, f, incarnation, offset));
		}
		long serving = fetchTakes > 0 ? fetchTakes / chunksOf(f.lastIndex()) : network.delay() * 4;
		after(2 * network.maxDelay + serving + 1, () -> {
			if (n.fetchRequests == request) {
				requestChunk(n, f, incarnation, unanswered + 1);
			}
		});
	}

	/**
	 * The primary's side: reads chunk {@code offset} of the file, if it still has it, and answers. Reading takes a
	 * while; a primary that crashes or is paused meanwhile never answers (the connection drops or times out).
	 */
	private void serveChunk(String source, SimNode n, SnapshotFetch f, int incarnation, int offset) {
		SimNode from = source == null ? null : nodes.get(source);
		if (from == null || !from.up() || from.paused) {
			return;
		}
		int serving = from.incarnation;
		long reading = fetchTakes > 0 ? fetchTakes / chunksOf(f.lastIndex()) : network.delay() * (1 + random.nextInt(4));
		after(reading, () -> {
			if (from.incarnation != serving || !from.up() || from.paused) {
				return;
			}
			Snapshot file = from.store.files.get(f.lastIndex());
			boolean corrupt = random.nextInt(40) == 0;
			for (long back : network.fate(source, n.id, null)) {
				after(back, () -> chunkArrived(n, f, incarnation, offset, file, corrupt));
			}
		});
	}

	private void chunkArrived(SimNode n, SnapshotFetch f, int incarnation, int offset, Snapshot file, boolean corrupt) {
		if (n.incarnation != incarnation || !n.up() || n.fetching != f.lastIndex()) {
			return;
		}
		if (file == null) {
			log(n.id + " failed to fetch snapshot " + f.lastIndex() + ": the primary no longer has it");
			fetchCounts.gone++;
			n.store.incoming.remove(f.lastIndex());
			n.fetching = 0;
			return;
		}
		SimStore.PartFile part = n.store.incoming.getOrDefault(f.lastIndex(), SimStore.PartFile.EMPTY);
		if (part.chunks() != offset) {
			fetchCounts.ignoredChunks++;
			return; // a duplicate or a late answer to a request sent again: the part file has moved on
		}
		n.fetchRequests++;
		part = part.append(corrupt);
		if (crashAtFetchStep > 0 && ++fetchSteps == crashAtFetchStep) {
			n.store.incoming.put(f.lastIndex(), part);
			crashedAtFetchStep = "chunk " + part.chunks() + " of " + chunksOf(f.lastIndex());
			crashAtFetchStep = 0;
			crash(n.id);
			return;
		}
		if (part.chunks() < chunksOf(f.lastIndex())) {
			n.store.incoming.put(f.lastIndex(), part);
			requestChunk(n, f, incarnation, 0);
			return;
		}
		n.store.incoming.remove(f.lastIndex());
		n.fetching = 0;
		if (part.corrupt()) {
			log(n.id + " fetched snapshot " + f.lastIndex() + " but its checksum fails: from zero at the next offer");
			fetchCounts.corrupt++;
			return;
		}
		fetchCounts.completed++;
		log(n.id + " fetched snapshot " + f.lastIndex());
		if (crashAtFetchStep > 0 && ++fetchSteps == crashAtFetchStep) {
			crashedAtFetchStep = "the install";
			crashAtFetchStep = 0;
			n.crashAfterNextPersist = true;
		}
		turn(n, (node, t) -> node.snapshotFetched(t, file, f.fromUrl(), f.sentAt()));
	}

	/** Hands {@code n} a snapshot as if its runtime had just fetched it from {@code fromUrl} (stale or old). */
	void deliverFetched(String to, Snapshot snapshot, String fromUrl, long sentAt) {
		SimNode n = nodes.get(to);
		if (n.up()) {
			turn(n, (node, t) -> node.snapshotFetched(t, snapshot, fromUrl, sentAt));
		}
	}

	/** Injects a message as if a peer had sent it (stale or forged), delivered now. */
	void inject(String to, Message m) {
		deliver(to, m);
	}

	// --- clients ------------------------------------------------------------------------------------------

	long write(String node, Command command, Consumer<Outcome> reply) {
		return submit(new Request(++nextRequest, node, command, null, false, null, reply));
	}

	long read(String node, Query query, Consumer<Outcome> reply) {
		return submit(new Request(++nextRequest, node, null, query, false, null, reply));
	}

	long forcePromote(String node, Consumer<Outcome> reply) {
		return submit(new Request(++nextRequest, node, null, null, true, null, reply));
	}

	/**
	 * A new node joins: started with an empty data dir and {@code kv.peers} naming only {@code contact}, as an
	 * operator would start it before adding it; it learns the other voters from the configuration.
	 */
	void addNode(String id, boolean witness, String contact) {
		NodeConfig config = new NodeConfig(id, "http://" + id, List.of("http://" + contact), "cluster-1",
				template.snapshotEvery(), HEARTBEAT_INTERVAL, HEARTBEAT_TIMEOUT, true, false, false, 64,
				template.compaction());
		SimNode n = new SimNode(id, witness ? config.asWitness() : config.withMinInSync(template.minInSync()));
		nodes.put(id, n);
		idByUrl.put(n.config.advertisedUrl(), id);
		if (witness) {
			witnesses.add(id);
		}
		added.add(id);
		log(id + " added as a new " + (witness ? "witness" : "data node") + " knowing " + contact);
		restart(id);
	}

	/** An operator asks {@code node} to add the voter at http://{@code id} ({@code add}) or remove voter {@code id}. */
	long changeVoters(String node, String id, boolean add, Consumer<Outcome> reply) {
		log("operator asks " + node + " to " + (add ? "add" : "remove") + " voter " + id);
		return submit(new Request(++nextRequest, node, null, null, false, null, outcome -> {
			if (outcome instanceof Outcome.Reconfigured) {
				membershipChangesDone++;
			}
			if (!add && outcome instanceof Outcome.Reconfigured) {
				removed.add(id);
				log("voter " + id + " removed");
			}
			reply.accept(outcome);
		}, add ? "+http://" + id : "-" + id));
	}

	/** Whether a node of this run lost its data dir already: one per run, as the fault model allows. */
	boolean wiped;

		/** Voters added or removed in this run, as their operators were told. */
	int membershipChangesDone;

	/** Nodes started after the others, to be added as voters. */
	private final Set<String> added = new java.util.HashSet<>();

	/** Voters an operator removed: they are out of the cluster, and the end checks leave them out. */
	final Set<String> removed = new java.util.HashSet<>();

	/** An operator asks {@code node} to hand the primary role over to {@code to}. */
	long handOver(String node, String to, Consumer<Outcome> reply) {
		log("operator asks " + node + " to hand over to " + to);
		return submit(new Request(++nextRequest, node, null, null, false, to, reply));
	}

	private long submit(Request r) {
		if (r.command() != null) {
			commandOf.put(r.id(), r.command());
		}
		List<Long> fate = network.fate("clients", r.node(), null);
		if (fate.isEmpty()) {
			return r.id();
		}
		after(fate.get(0), () -> arrive(r));
		return r.id();
	}

	private void arrive(Request r) {
		SimNode n = nodes.get(r.node());
		if (!n.up()) {
			replyToClient(r, new Outcome.Unavailable("connection refused: " + r.node() + " is down"));
			return;
		}
		n.inside.put(r.id(), r);
		turn(n, (node, t) -> {
			if (r.force()) {
				node.forcePromote(t, r.id());
			}
			else if (r.voter() != null) {
				node.changeVoters(t, r.id(), r.voter().substring(1), r.voter().startsWith("+"));
			}
			else if (r.handOverTo() != null) {
				node.handOver(t, r.id(), r.handOverTo());
			}
			else if (r.command() != null) {
				node.propose(t, r.id(), r.command());
			}
			else {
				node.read(t, r.id(), r.query(), false);
			}
		});
	}

	private void replyToClient(Request r, Outcome outcome) {
		List<Long> fate = network.fate(r.node(), "clients", null);
		if (!fate.isEmpty()) {
			after(fate.get(0), () -> r.reply().accept(outcome));
		}
	}

	// --- faults on links ----------------------------------------------------------------------------------

	void isolate(String id) {
		log(id + " isolated");
		network.isolate(id, new ArrayList<>(nodes.keySet()));
	}

	/** The link from {@code from} to {@code to} (and back, {@code bothWays}) silently carries nothing. */
	void cutLink(String from, String to, boolean bothWays) {
		log("link " + from + (bothWays ? " <-> " : " -> ") + to + " cut");
		network.cut(from, to);
		if (bothWays) {
			network.cut(to, from);
		}
	}

	void heal() {
		log("network healed");
		network.heal();
	}

	// --- the end of a run -----------------------------------------------------------------------------------

	/**
	 * Ends every fault (network healed, paused nodes resumed, crashed nodes restarted), then requires a primary
	 * that serves a read of every key within {@code patience} ms, lets the backups catch up, and runs the end
	 * checks: states agree with the committed history, acknowledged writes survive, each key is linearizable.
	 */
	void settleAndCheck(List<String> keys, long patience) {
		faultsOver = true;
		heal();
		network.dropRate = 0;
		network.duplicateRate = 0;
		for (SimNode n : nodes.values()) {
			n.crashAfterNextPersist = false;
			n.crashBeforeNextFsync = false;
			n.slowDiskUntil = time.now();
			diskRecovers(n);
			if (n.paused) {
				resume(n.id);
			}
			if (!n.up()) {
				restart(n.id);
			}
		}
		SimClient reader = new SimClient(0, this, new Random(random.nextLong()), keys);
		boolean[] done = {false};
		reader.readAll(keys, () -> done[0] = true);
		if (!runUntil(() -> done[0], patience)) {
			Invariants.fail("aPrimaryServesOnceFaultsEnd", "no primary served every key within " + patience
					+ " ms after the faults ended; " + describe());
		}
		runFor(2 * HEARTBEAT_TIMEOUT);
		String primary = primary();
		if (primary == null) {
			Invariants.fail("aPrimaryServesOnceFaultsEnd", "no primary at the end; " + describe());
		}
		// A voter the configuration no longer names left the cluster (its removal's answer may have been lost), and
		// so did a node whose addition never took.
		NodeStatus last = status(primary);
		if (last.config() != null && !last.config().voters().isEmpty()) {
			nodes.keySet().stream().filter(id -> !last.config().voters().contains("http://" + id)).forEach(removed::add);
		}
		else {
			// Still a pair: no node added to it was taken in.
			removed.addAll(added);
		}
		if (!runUntil(() -> everyNodeCaughtUp(primary), CATCH_UP_PATIENCE)) {
			Invariants.fail("everyNodeConverges", "not every node caught up with primary " + primary + " within "
					+ CATCH_UP_PATIENCE + " ms after the faults ended; " + describe());
		}
		invariants.statesAgree(dataNodes());
		invariants.statesConverged(nodes.get(primary), dataNodes());
		invariants.acknowledgedWritesSurvive(nodes.get(primary), versionOf, dataNodes());
		if (!invariants.splitBrainAllowed()) {
			checkLinearizable();
		}
	}

	/**
	 * Every other node is in {@code primary}'s in-sync set and has applied all it committed, and no node has a
	 * write under way (what it reports discarded is on its disk).
	 */
	private boolean everyNodeCaughtUp(String primary) {
		NodeStatus p = status(primary);
		return p != null && p.role() == Role.PRIMARY && nodes.values().stream().allMatch(n -> n.writes.isEmpty())
				&& nodes.keySet().stream()
			.filter(id -> !id.equals(primary) && !witnesses.contains(id) && !removed.contains(id))
			.allMatch(id -> inSync(primary, id) && status(id).appliedIndex() == p.commitIndex());
	}

	void checkLinearizable() {
		LinearizabilityChecker checker = new LinearizabilityChecker(invariants::valueAt);
		history.byKey().forEach((key, ops) -> {
			LinearizabilityChecker.Verdict verdict = checker.check(ops);
			if (!verdict.linearizable()) {
				Invariants.fail("linearizable", "key " + key + ": " + verdict.explanation());
			}
			if (verdict.inconclusive()) {
				log("linearizability of key " + key + " inconclusive: " + verdict.explanation());
			}
		});
	}

	String describe() {
		return nodes.values().stream().map(n -> {
			if (!n.up()) {
				return n.id + " down";
			}
			NodeStatus s = n.node.status();
			return String.format("%s %s epoch %d primary %s last %d commit %d%s%s", n.id, s.role(), s.epoch(),
					s.primaryId(), s.lastIndex(), s.commitIndex(), s.eligible() ? " eligible" : "",
					n.paused ? " paused" : "");
		}).collect(Collectors.joining("; "));
	}

	// --- what the tests look at ---------------------------------------------------------------------------

	SimNode node(String id) {
		return nodes.get(id);
	}

	List<SimNode> nodes() {
		return List.copyOf(nodes.values());
	}

	/** The nodes that hold the cluster's data: all but the witnesses and the removed voters. */
	List<SimNode> dataNodes() {
		return nodes.values().stream().filter(n -> !witnesses.contains(n.id) && !removed.contains(n.id)).toList();
	}

	List<String> ids() {
		return List.copyOf(nodes.keySet());
	}

	NodeStatus status(String id) {
		SimNode n = nodes.get(id);
		return n.up() ? n.node.status() : null;
	}

	/** The node that is primary in the highest epoch among live, unpaused nodes, or null. */
	String primary() {
		return nodes.values().stream().filter(n -> n.up() && !n.paused)
			.filter(n -> n.node.status().role() == Role.PRIMARY)
			.max(Comparator.comparingLong(n -> n.node.status().epoch())).map(n -> n.id).orElse(null);
	}

	/** Whether {@code primary} is primary with {@code backup} in its in-sync set, and the backup knows it. */
	boolean inSync(String primary, String backup) {
		NodeStatus p = status(primary);
		NodeStatus b = status(backup);
		return p != null && b != null && p.role() == Role.PRIMARY && b.eligible() && !nodes.get(primary).paused
				&& p.peers().stream().anyMatch(peer -> backup.equals(peer.nodeId()) && peer.inSync());
	}

	/** Every role change so far, in order. */
	List<RoleChange> roleChanges() {
		return roleChanges;
	}

	Map<Long, Long> versionOf() {
		return versionOf;
	}

	void log(String line) {
		String entry = String.format("%8d ms  %s", time.now(), line);
		if (printTrace) {
			System.out.println("seed " + seed + ": " + entry);
		}
		trace.addLast(entry);
		if (trace.size() > 400) {
			trace.removeFirst();
		}
	}

	String trace() {
		return trace.stream().collect(Collectors.joining("\n  ", "  ", ""));
	}

}
