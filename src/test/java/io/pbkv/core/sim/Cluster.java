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
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * A simulated pbkv cluster: pure {@link Node} cores, each with an in-memory data dir ({@link SimStore}), driven by
 * one event queue over virtual time and a {@link SimNetwork}. Every input is a turn as in the real runtime: the
 * input, then each {@link Ready} executed in the documented order (persist, send, reply, advance, save a
 * requested snapshot). Crash, restart, pause and resume act on one node; every random choice comes from the
 * seed, so a run replays exactly.
 */
final class Cluster {

	static final long TICK = 100;

	static final long HEARTBEAT_INTERVAL = 500;

	static final long HEARTBEAT_TIMEOUT = 3000;

	/** How soon after the faults end, and a primary serves, every node must be caught up: a few timeouts. */
	static final long CATCH_UP_PATIENCE = 4 * HEARTBEAT_TIMEOUT;

	record Request(long id, String node, Command command, Query query, boolean force, Consumer<Outcome> reply) {
	}

	final long seed;

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

	/** How long every snapshot fetch takes, in ms; 0 for a random while of up to 20 network delays. */
	long fetchTakes;

	private long nextRequest;

	Cluster(long seed, List<String> ids, long snapshotEvery, boolean requireBackup) {
		this(seed, ids, snapshotEvery, requireBackup, Compaction.NONE);
	}

	Cluster(long seed, List<String> ids, long snapshotEvery, boolean requireBackup, Compaction compaction) {
		this.seed = seed;
		this.random = new Random(seed);
		this.network = new SimNetwork(new Random(random.nextLong()));
		this.tickBeforeEachInput = random.nextBoolean();
		for (String id : ids) {
			List<String> peers = ids.stream().filter(p -> !p.equals(id)).map(p -> "http://" + p).toList();
			NodeConfig config = new NodeConfig(id, "http://" + id, peers, "cluster-1", snapshotEvery,
					HEARTBEAT_INTERVAL, HEARTBEAT_TIMEOUT, true, requireBackup, id.equals(ids.get(0)), 64, compaction);
			nodes.put(id, new SimNode(id, config));
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
		// Recovery keeps the newest snapshot file only.
		if (!n.store.files.isEmpty()) {
			n.store.files.headMap(n.store.files.lastKey()).clear();
		}
		n.clockOffset = random.nextInt(1_000_000_000);
		n.node = new Node(n.config, n.store.hardState, n.store.snapshot, List.copyOf(n.store.entries),
				n.store.commitIndex);
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
		n.node = null;
		n.paused = false;
		n.queued.clear();
		n.crashAfterNextPersist = false;
		n.store.crash(random);
		for (Request r : n.inside.values()) {
			replyToClient(r, new Outcome.Indeterminate("connection reset: node " + id + " crashed"));
		}
		n.inside.clear();
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

	/** Executes the node's Readies in the order {@link Ready} documents. */
	private void processReady(SimNode n) {
		for (int guard = 0; n.up() && n.node.hasReady(); guard++) {
			if (guard > 10_000) {
				throw new AssertionError("node " + n.id + " never stops producing Readies");
			}
			invariants.commits(n);
			Ready rd = n.node.ready();
			invariants.persisting(n, rd);
			n.store.persist(rd);
			if (n.crashAfterNextPersist && (rd.hardState() != null || rd.needsSync())) {
				log(n.id + " persisted a Ready (" + rd.entries().size() + " entries) and dies before sending it");
				crash(n.id);
				return;
			}
			invariants.persisted(n, rd, commandOf);
			n.discarded.addAll(rd.discarded());
			if (rd.installSnapshot() != null) {
				n.snapshotsInstalled++;
			}
			roleChanges.addAll(rd.roleChanges());
			rd.roleChanges().forEach(c -> log(c.toString()));
			rd.events().stream().filter(e -> !e.text().isEmpty()).forEach(e -> log("  " + e.text()));
			for (Message m : rd.messages()) {
				send(n, m);
			}
			for (Reply reply : rd.replies()) {
				Request r = n.inside.remove(reply.requestId());
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
			n.node.advance(rd);
			invariants.commits(n);
			if (rd.snapshot() != null) {
				n.store.saveSnapshot(rd.snapshot());
				n.store.compacted(n.node.snapshotSaved(rd.snapshot().lastIndex()));
			}
			if (rd.fetch() != null) {
				fetch(n, rd.fetch());
			}
		}
		if (n.up()) {
			invariants.commits(n);
			invariants.turnEnded(n);
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
	 * A backup's runtime fetching an offered snapshot file from the primary, in chunks that take a while: it fails
	 * when the primary is down, paused, cut off, or no longer has that file (it was replaced), and a fetch already
	 * under way for the same file is not started twice. A crash of either side ends it.
	 */
	private void fetch(SimNode n, SnapshotFetch f) {
		if (n.fetching == f.lastIndex()) {
			return;
		}
		n.fetching = f.lastIndex();
		int incarnation = n.incarnation;
		String source = idByUrl.get(f.fromUrl());
		long took = fetchTakes > 0 ? fetchTakes : network.delay() * (1 + random.nextInt(20));
		log(n.id + " fetches snapshot " + f.lastIndex() + " from " + source);
		after(took, () -> {
			if (n.incarnation != incarnation || !n.up() || n.fetching != f.lastIndex()) {
				return;
			}
			n.fetching = 0;
			SimNode from = source == null ? null : nodes.get(source);
			Snapshot file = from == null || !from.up() || from.paused ? null : from.store.files.get(f.lastIndex());
			if (file == null || network.fate(source, n.id, null).isEmpty() || random.nextInt(10) == 0) {
				log(n.id + " failed to fetch snapshot " + f.lastIndex());
				return;
			}
			log(n.id + " fetched snapshot " + f.lastIndex());
			turn(n, (node, t) -> node.snapshotFetched(t, file, f.fromUrl(), f.sentAt()));
		});
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
		return submit(new Request(++nextRequest, node, command, null, false, reply));
	}

	long read(String node, Query query, Consumer<Outcome> reply) {
		return submit(new Request(++nextRequest, node, null, query, false, reply));
	}

	long forcePromote(String node, Consumer<Outcome> reply) {
		return submit(new Request(++nextRequest, node, null, null, true, reply));
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
		if (!runUntil(() -> everyNodeCaughtUp(primary), CATCH_UP_PATIENCE)) {
			Invariants.fail("everyNodeConverges", "not every node caught up with primary " + primary + " within "
					+ CATCH_UP_PATIENCE + " ms after the faults ended; " + describe());
		}
		invariants.statesAgree(nodes());
		invariants.statesConverged(nodes.get(primary), nodes());
		invariants.acknowledgedWritesSurvive(nodes.get(primary), versionOf, nodes());
		if (!invariants.splitBrainAllowed()) {
			checkLinearizable();
		}
	}

	/** Every other node is in {@code primary}'s in-sync set and has applied all it committed. */
	private boolean everyNodeCaughtUp(String primary) {
		NodeStatus p = status(primary);
		return p != null && p.role() == Role.PRIMARY && nodes.keySet().stream()
			.filter(id -> !id.equals(primary))
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
