package io.pbkv.process;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Two data nodes and a witness, each a real process in its own Linux network namespace (see
 * {@link NetworkNamespaces}), partitioned by iptables DROP rules inside a node's namespace: no proxy, no RST, no
 * FIN, the peers' packets simply vanish, while the test reaches every node over the bridge. Node a starts as
 * primary, b as backup, w is the witness; heartbeat every 300 ms, timeout 2 s.
 *
 * <p>
 * Every test runs a {@link Workload} across the partition and its heal and then checks its history: no write
 * acknowledged with {@code 200} is missing on the final primary; at most one node acknowledges writes in any one
 * epoch; and the register {@code reg}, written by one client with increasing numbers, is never read stale (a read
 * that begins after a write was acknowledged never returns an older acknowledged value, nor an older value than a
 * read that ended before it began). Skipped where namespaces cannot be made, unless {@code CI} is set: then it
 * fails.
 */
@Tag("process")
class PartitionProcessTest {

	private static final Duration INTERVAL = Duration.ofMillis(300);

	private static final Duration TIMEOUT = Pair.TIMEOUT;

	/** Slack on top of the heartbeat timeout for what the nodes must do "within a timeout". */
	private static final Duration MARGIN = Duration.ofSeconds(1);

	/** How long after the heal the cluster must be one again. */
	private static final Duration CONVERGENCE = TIMEOUT.multipliedBy(6);

	/** Every node listens on this port, each in its own namespace. */
	private static final int PORT = 8080;

	private static final ObjectMapper JSON = new ObjectMapper();

	/** Where the nodes' logs are kept after a test, since the work dir is deleted. */
	private static final Path KEPT = Path.of("target", "process-logs", "PartitionProcessTest");

	@TempDir
	Path work;

	private NetworkNamespaces net;

	private NodeProcess a;

	private NodeProcess b;

	private NodeProcess w;

	private Workload load;

	private ClusterWatch watch;

	private final KvHttp http = new KvHttp(Duration.ofSeconds(5));

	private final KvHttp poll = new KvHttp(Duration.ofSeconds(1));

	private static final long T0 = System.nanoTime();

	@BeforeEach
	void startThreeNodesInThreeNamespaces(TestInfo test) throws Exception {
		String why = NetworkNamespaces.unavailable();
		if (why != null) {
			if (System.getenv("CI") != null) {
				fail("CI is set, and this test needs network namespaces: " + why);
			}
			Assumptions.assumeTrue(false, why);
		}
		note("=== %s", test.getDisplayName());
		net = NetworkNamespaces.create();
		String ipA = net.add("a");
		String ipB = net.add("b");
		String ipW = net.add("w");
		String urlA = "http://" + ipA + ":" + PORT;
		String urlB = "http://" + ipB + ":" + PORT;
		String urlW = "http://" + ipW + ":" + PORT;
		a = NodeProcess.launchedBy(net.exec("a"), ipA, "a", PORT, work,
				Pair.args(urlB + "," + urlW, "primary", INTERVAL, TIMEOUT));
		b = NodeProcess.launchedBy(net.exec("b"), ipB, "b", PORT, work,
				Pair.args(urlA + "," + urlW, "backup", INTERVAL, TIMEOUT));
		w = NodeProcess.launchedBy(net.exec("w"), ipW, "w", PORT, work,
				Pair.args(urlA + "," + urlB, "backup", INTERVAL, TIMEOUT, "--kv.role=witness"));
		for (NodeProcess n : List.of(a, b, w)) {
			net.closeFirst(n);
		}
		for (NodeProcess n : List.of(a, b, w)) {
			n.start();
		}
		for (NodeProcess n : List.of(a, b, w)) {
			n.awaitReady(Duration.ofSeconds(90));
		}
		Pair.await("a primary with b in sync and eligible, as the witness knows", Duration.ofSeconds(60), () -> {
			JsonNode va = view(a);
			JsonNode vb = view(b);
			JsonNode vw = view(w);
			return va != null && vb != null && vw != null && "PRIMARY".equals(va.get("role").asString())
					&& vb.get("eligible").asBoolean() && "a".equals(vw.get("primaryId").asString())
					&& members(vw).containsAll(List.of("a", "b"));
		});
		note("cluster up in %s; host at %s", net, net.hostAddress());
		watch = new ClusterWatch(List.of(a, b, w));
	}

	@AfterEach
	void stopEverything(TestInfo test) throws Exception {
		try {
			if (load != null) {
				load.close();
			}
			if (watch != null) {
				watch.close();
			}
		}
		finally {
			try {
				for (NodeProcess n : new NodeProcess[] { a, b, w }) {
					if (n != null) {
						n.close();
					}
				}
				keepLogs(test.getTestMethod().map(m -> m.getName()).orElse("unknown"));
			}
			finally {
				if (net != null) {
					// Throws if anything of it is left behind.
					net.close();
					note("namespaces, veths and bridge of %s deleted", net);
				}
			}
		}
	}

	/**
	 * a is cut from b and from w while a client keeps writing and reading through a. a must stop serving once its
	 * lease ran out (503 for reads, 503 or 504 for writes, and no write sent after the cut ever acknowledged); b
	 * and w elect b in a newer epoch, and b takes writes; a never serves b's new value, nor an old one, during
	 * the cut. After the heal a follows b, holds b's value, and every acknowledged write is on b.
	 */
	@Test
	void anIsolatedPrimaryStopsServingAndTheMajorityElectsANewOneWithNothingLost() throws Exception {
		Map<String, String> before = writeSome(a, "before/", 20);
		long epoch0 = view(a).get("epoch").asLong();
		load = new Workload(a, List.of(a), List.of(a, b), List.of(a, b));
		load.awaitAcks(30, Duration.ofSeconds(20));

		note("isolating a from b and w");
		net.isolate("a", "b", "w");
		long cut = System.nanoTime();
		load.phase("isolated");
		note("rules in a's namespace: %s", net.rules("a"));

		// Past the lease, a answers for itself at once and serves nothing.
		Thread.sleep(TIMEOUT.plus(MARGIN).toMillis());
		long probeAt = System.nanoTime();
		KvHttp.Result write = http.put(a.url(), "probe/after-lease", "x");
		long writeMs = sinceMs(probeAt);
		KvHttp.Result read = http.get(a.url(), "reg");
		note("a after its lease: write %d in %d ms (%s), read %d (%s)", write.status(), writeMs, write.body(),
				read.status(), read.body());
		assertThat(write.status()).as("a write on the isolated a, %s after the cut: %s", TIMEOUT.plus(MARGIN),
				write.body()).isIn(503, 504);
		assertThat(read.status()).as("a linearizable read on the isolated a after its lease: %s", read.body())
			.isEqualTo(503);

		Pair.await("b primary in an epoch after " + epoch0, TIMEOUT.multipliedBy(5), () -> {
			JsonNode vb = view(b);
			return vb != null && "PRIMARY".equals(vb.get("role").asString()) && vb.get("epoch").asLong() > epoch0;
		});
		long elected = System.nanoTime();
		note("b elected %d ms after the cut: %s", sinceMs(cut), brief(view(b)));
		KvHttp.Result[] fromB = new KvHttp.Result[1];
		Pair.await("b to take a write", Duration.ofSeconds(10),
				() -> (fromB[0] = http.put(b.url(), "after-election", "from-b")).status() == 200);
		assertThat(JSON.readTree(fromB[0].body()).get("epoch").asLong()).as("epoch of b's write")
			.isGreaterThan(epoch0);
		note("b took after-election=from-b: %s", fromB[0].body());

		// While the cut lasts, a serves neither b's value nor the absence of it, however often it is asked.
		long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
		int asked = 0;
		while (System.nanoTime() < until) {
			KvHttp.Result r = http.get(a.url(), "after-election");
			assertThat(r.status()).as("read of after-election on the isolated a: %s", r.body()).isEqualTo(503);
			asked++;
			Thread.sleep(50);
		}
		note("the isolated a answered 503 to %d reads of b's new key; a is %s", asked, brief(view(a)));

		long healing = System.nanoTime();
		net.heal();
		load.phase("healed");
		note("healed after %d ms of isolation", TimeUnit.NANOSECONDS.toMillis(healing - cut));
		Converged healed = awaitConverged(System.nanoTime(), CONVERGENCE, false);
		assertThat(healed.primary()).as("the primary after the heal").isSameAs(b);
		assertThat(healed.backupView().get("epoch").asLong()).as("a's epoch after the heal").isGreaterThan(epoch0);
		Pair.await("a's own copy of after-election (consistency=local)", Duration.ofSeconds(10),
				() -> "from-b".equals(http.send(
						HttpRequest.newBuilder(URI.create(a.url() + "/kv/after-election?consistency=local")).GET())
					.body()));
		Thread.sleep(1000);
		load.close();
		Converged end = awaitConverged(System.nanoTime(), TIMEOUT.multipliedBy(2), true);

		// What a answered while it was cut off.
		long leaseOut = cut + TIMEOUT.plus(MARGIN).toNanos();
		List<Workload.Op> toA = load.ops(op -> op.via().equals("a") && op.start() > cut && op.start() < healing);
		List<Workload.Op> writesAfterLease = toA.stream().filter(op -> op.isPut() && op.start() > leaseOut).toList();
		List<Workload.Op> readsAfterLease = toA.stream().filter(op -> !op.isPut() && op.start() > leaseOut).toList();
		note("sent to a during the cut: %s; after its lease: %d writes %s, %d reads %s, slowest answer %d ms",
				statuses(toA), writesAfterLease.size(), statuses(writesAfterLease), readsAfterLease.size(),
				statuses(readsAfterLease), toA.stream()
					.filter(op -> op.start() > leaseOut)
					.mapToLong(Workload.Op::millis)
					.max()
					.orElse(-1));
		List<Workload.Op> servedByA = toA.stream().filter(op -> !op.isPut() && op.status() == 200).toList();
		note("a served its last read during the cut %d ms after the cut (sent %d ms after it); b was elected %d ms "
				+ "after it", servedByA.stream().mapToLong(op -> op.end() - cut).max().orElse(0) / 1_000_000,
				servedByA.stream().mapToLong(op -> op.start() - cut).max().orElse(0) / 1_000_000,
				TimeUnit.NANOSECONDS.toMillis(elected - cut));
		assertThat(toA.stream().filter(op -> op.isPut() && op.status() == 200).toList())
			.as("writes sent to a after it was cut off must never be acknowledged")
			.isEmpty();
		// Its lease counts from a heartbeat sent before the cut: no read sent a timeout after it may be served.
		assertThat(servedByA.stream().filter(op -> op.start() > cut + TIMEOUT.toNanos()).toList())
			.as("reads a served although they were sent a heartbeat timeout after it was cut off")
			.isEmpty();
		assertThat(writesAfterLease).as("scenario: writes reached a after its lease ran out").isNotEmpty();
		assertThat(readsAfterLease).as("scenario: reads reached a after its lease ran out").isNotEmpty();
		assertThat(writesAfterLease).as("a's answers to writes after its lease: 503 or 504")
			.allMatch(op -> op.status() == 503 || op.status() == 504);
		assertThat(readsAfterLease).as("a's answers to linearizable reads after its lease: 503")
			.allMatch(op -> op.status() == 503);
		assertThat(load.ops(op -> op.via().equals("b") && op.isPut() && op.status() == 200 && op.start() > cut))
			.as("scenario: b acknowledged register writes during the cut")
			.isNotEmpty();

		before.put("after-election", "from-b");
		checkHistory(end, before);
	}

	/**
	 * a and b lose each other, both ways, while both still reach w. Writes keep (or regain within two timeouts)
	 * a primary that serves them; at no time do two nodes acknowledge writes in one epoch; nothing acknowledged is
	 * lost after the heal, and nothing is read stale.
	 */
	@Test
	void aBridgeWhereTheDataNodesLoseEachOtherButBothReachTheWitness() throws Exception {
		Partition bridge = partition("bridge", "cutting a <-> b; both still reach w", () -> net.cut("a", "b"));

		List<Workload.Op> ackedDuringCut = load.ops(op -> op.isPut() && op.status() == 200 && op.start() > bridge.cut()
				&& op.end() < bridge.healed());
		long firstMs = ackedDuringCut.stream().mapToLong(op -> op.end() - bridge.cut()).min().orElse(Long.MAX_VALUE)
				/ 1_000_000;
		note("during the cut %d writes were acknowledged, the first %d ms after it, by %s", ackedDuringCut.size(),
				firstMs, ackedDuringCut.stream()
					.collect(Collectors.groupingBy(op -> op.servedBy() + "@" + op.epoch(), TreeMap::new,
							Collectors.counting())));
		assertThat(firstMs).as("ms after the cut until some primary acknowledged a write sent after it")
			.isLessThanOrEqualTo(TIMEOUT.multipliedBy(2).plus(MARGIN).toMillis());
		assertThat(ackedDuringCut).as("writes acknowledged in the last 2 s of the cut: service kept")
			.anyMatch(op -> op.end() > bridge.healed() - TimeUnit.SECONDS.toNanos(2));
		checkHistory(bridge.end(), bridge.before());
	}

	/**
	 * Packets from a to b are dropped, those from b to a still arrive; both reach w. Nothing acknowledged is lost,
	 * nothing is read stale, and after the heal the cluster is one again.
	 */
	@Test
	void aOneWayCutFromThePrimaryToTheBackup() throws Exception {
		Partition oneWay = partition("one-way", "cutting a -> b only", () -> {
			net.cutOneWay("a", "b");
			note("rules in a's namespace: %s; in b's: %s", net.rules("a"), net.rules("b"));
		});
		note("during the cut %d writes were acknowledged", load.ops(op -> op.isPut() && op.status() == 200
				&& op.start() > oneWay.cut() && op.end() < oneWay.healed()).size());
		checkHistory(oneWay.end(), oneWay.before());
	}

	/** A cut's bounds on the test's clock, the writes made before the workload, and the cluster once healed. */
	record Partition(long cut, long healed, Map<String, String> before, Converged end) {
	}

	@FunctionalInterface
	interface Cut {
		void make() throws IOException;
	}

	/**
	 * Writes some keys through a, starts the workload, makes {@code cut} for four heartbeat timeouts, heals, waits
	 * until the cluster is one again (and once more after the clients stopped, indices included).
	 */
	private Partition partition(String phase, String what, Cut cut) throws Exception {
		Map<String, String> before = writeSome(a, "before/", 20);
		load = new Workload(a, List.of(a, b), List.of(a, b), List.of(a, b));
		load.awaitAcks(30, Duration.ofSeconds(20));
		note("%s", what);
		cut.make();
		long cutAt = System.nanoTime();
		load.phase(phase);
		Thread.sleep(TIMEOUT.multipliedBy(4).toMillis());
		note("end of the cut: a %s; b %s; w %s", brief(view(a)), brief(view(b)), brief(view(w)));
		long healing = System.nanoTime();
		net.heal();
		load.phase("healed");
		awaitConverged(System.nanoTime(), CONVERGENCE, false);
		Thread.sleep(1000);
		load.close();
		return new Partition(cutAt, healing, before, awaitConverged(System.nanoTime(), TIMEOUT.multipliedBy(2), true));
	}

	// --- checks -----------------------------------------------------------------------------------------------

	/**
	 * Every write acknowledged before the workload (in {@code before}) and by the workload is on the final
	 * primary, and the backup's own copy agrees; one node acknowledges per epoch; the register was never stale.
	 */
	private void checkHistory(Converged end, Map<String, String> before) {
		load.finalRead(end.primary());
		note("%s", load.summary());
		before.forEach((key, value) -> assertThat(http.get(end.primary().url(), key).body())
			.as("%s, written before the cut, on the final primary %s", key, end.primary().nodeId())
			.isEqualTo(value));
		List<String> lost = new ArrayList<>();
		List<Workload.Op> acked = load.ops(op -> op.isPut() && op.status() == 200 && !op.key().equals(Workload.REGISTER));
		for (Workload.Op op : acked) {
			KvHttp.Result r = http.get(end.primary().url(), op.key());
			if (r.status() != 200 || !op.value().equals(r.body())) {
				lost.add(op + " -> " + r.status() + " " + r.body());
			}
		}
		assertThat(lost).as("acknowledged writes (of %d) missing on the final primary %s", acked.size(),
				end.primary().nodeId()).isEmpty();
		int checked = 0;
		for (Workload.Op op : acked) {
			if (checked++ % 10 == 0) {
				assertThat(http.send(HttpRequest
					.newBuilder(URI.create(end.backup().url() + "/kv/" + op.key() + "?consistency=local"))
					.GET()).body()).as("%s on the backup %s (consistency=local)", op.key(), end.backup().nodeId())
					.isEqualTo(op.value());
			}
		}
		assertThat(load.servingConflicts()).as("epochs in which more than one node acknowledged writes").isEmpty();
		assertThat(load.registerViolations()).as("stale or impossible reads of the register").isEmpty();
		assertThat(watch.primariesPerEpoch().entrySet().stream().filter(e -> e.getValue().size() > 1).toList())
			.as("epochs in which more than one node said it was PRIMARY").isEmpty();
	}

	/** The cluster as one again: who is primary, who the backup, and their /cluster. */
	record Converged(NodeProcess primary, NodeProcess backup, JsonNode primaryView, JsonNode backupView) {
	}

	/**
	 * Waits, at most {@code within} after {@code since}, until: exactly one of a and b is PRIMARY, the other a
	 * BACKUP of the same epoch that names it and is eligible; w names it too; both data nodes are in the in-sync
	 * set the primary and w hold; and, with {@code indices} (for when no client writes any more), the primary has
	 * the backup in sync with all it holds, and both hold, commit and apply the same entries.
	 */
	private Converged awaitConverged(long since, Duration within, boolean indices) throws InterruptedException {
		long deadline = since + within.toNanos();
		while (true) {
			JsonNode va = view(a);
			JsonNode vb = view(b);
			JsonNode vw = view(w);
			String why = notConverged(va, vb, vw, indices);
			if (why == null) {
				note("converged%s %d ms after %s: a %s; b %s; w %s", indices ? ", indices too," : "", sinceMs(since),
						indices ? "the clients stopped" : "the heal", brief(va), brief(vb), brief(vw));
				return "PRIMARY".equals(va.get("role").asString()) ? new Converged(a, b, va, vb)
						: new Converged(b, a, vb, va);
			}
			if (System.nanoTime() > deadline) {
				throw new AssertionError(String.format("%s after %s the cluster is not one again: %s%n  a: %s%n"
						+ "  b: %s%n  w: %s%n  role changes: %s", within,
						indices ? "the clients stopped" : "the heal", why, va, vb, vw, watch.changes()));
			}
			Thread.sleep(100);
		}
	}

	private static String notConverged(JsonNode va, JsonNode vb, JsonNode vw, boolean indices) {
		if (va == null || vb == null || vw == null) {
			return "a node does not answer /cluster";
		}
		JsonNode p;
		JsonNode q;
		if ("PRIMARY".equals(va.get("role").asString()) && "BACKUP".equals(vb.get("role").asString())) {
			p = va;
			q = vb;
		}
		else if ("BACKUP".equals(va.get("role").asString()) && "PRIMARY".equals(vb.get("role").asString())) {
			p = vb;
			q = va;
		}
		else {
			return "roles are a " + va.get("role") + ", b " + vb.get("role");
		}
		String primary = p.get("nodeId").asString();
		String backup = q.get("nodeId").asString();
		long epoch = p.get("epoch").asLong();
		if (q.get("epoch").asLong() != epoch || !primary.equals(q.get("primaryId").asString())) {
			return "backup " + backup + " in epoch " + q.get("epoch") + " follows " + q.get("primaryId") + "; primary "
					+ primary + " is in epoch " + epoch;
		}
		if (vw.get("epoch").asLong() != epoch || !primary.equals(vw.get("primaryId").asString())) {
			return "w in epoch " + vw.get("epoch") + " names " + vw.get("primaryId");
		}
		if (!q.get("eligible").asBoolean() || !members(p).containsAll(List.of("a", "b"))
				|| !members(vw).containsAll(List.of("a", "b"))) {
			return "in-sync set: primary " + p.get("inSync") + ", w " + vw.get("inSync") + ", backup eligible "
					+ q.get("eligible");
		}
		if (!indices) {
			return null;
		}
		long last = p.get("lastIndex").asLong();
		JsonNode peer = null;
		for (JsonNode x : p.get("peers")) {
			if (backup.equals(x.get("nodeId").asString())) {
				peer = x;
			}
		}
		if (peer == null || !peer.get("inSync").asBoolean() || peer.get("matchIndex").asLong() != last) {
			return "primary " + primary + " sees backup " + backup + " as " + peer + " (lastIndex " + last + ")";
		}
		if (p.get("commitIndex").asLong() != last || q.get("lastIndex").asLong() != last
				|| q.get("commitIndex").asLong() != last || q.get("appliedIndex").asLong() != last) {
			return "last/commit/applied: primary " + last + "/" + p.get("commitIndex") + "/" + p.get("appliedIndex")
					+ ", backup " + q.get("lastIndex") + "/" + q.get("commitIndex") + "/" + q.get("appliedIndex");
		}
		return null;
	}

	private static List<String> members(JsonNode view) {
		JsonNode inSync = view.get("inSync");
		List<String> members = new ArrayList<>();
		if (inSync != null && inSync.get("members") != null) {
			inSync.get("members").forEach(m -> members.add(m.asString()));
		}
		return members;
	}

	private Map<String, String> writeSome(NodeProcess via, String prefix, int n) {
		Map<String, String> written = new LinkedHashMap<>();
		for (int i = 0; i < n; i++) {
			String key = prefix + i;
			KvHttp.Result r = http.put(via.url(), key, "v" + i);
			assertThat(r.status()).as("write %s: %s", key, r.body()).isEqualTo(200);
			written.put(key, "v" + i);
		}
		return written;
	}

	private JsonNode view(NodeProcess node) {
		KvHttp.Result r = poll.send(HttpRequest.newBuilder(URI.create(node.url() + "/cluster")).GET());
		return r.status() == 200 ? JSON.readTree(r.body()) : null;
	}

	private static String brief(JsonNode v) {
		if (v == null) {
			return "(no answer)";
		}
		return String.format("%s epoch %s primary %s last %s commit %s inSync %s", v.get("role").asString(),
				v.get("epoch"), v.get("primaryId"), v.get("lastIndex"), v.get("commitIndex"),
				v.get("inSync") == null ? "-" : v.get("inSync"));
	}

	private static String statuses(List<Workload.Op> ops) {
		return ops.stream()
			.collect(Collectors.groupingBy(op -> (op.isPut() ? "PUT " : "GET ") + op.status(), TreeMap::new,
					Collectors.counting()))
			.toString();
	}

	private void keepLogs(String testName) {
		try {
			Path dir = KEPT.resolve(testName);
			Files.createDirectories(dir);
			for (NodeProcess node : new NodeProcess[] { a, b, w }) {
				if (node != null && Files.exists(node.logFile())) {
					Files.copy(node.logFile(), dir.resolve(node.nodeId() + ".log"), StandardCopyOption.REPLACE_EXISTING);
				}
			}
			if (load != null) {
				Files.write(dir.resolve("history.txt"), load.ops(op -> true).stream()
					.sorted(Comparator.comparingLong(Workload.Op::start))
					.map(Workload.Op::toString)
					.toList());
			}
			if (watch != null) {
				Files.write(dir.resolve("roles.txt"), watch.changes());
			}
		}
		catch (IOException ex) {
			note("could not keep the logs: %s", ex);
		}
	}

	private static long sinceMs(long nanos) {
		return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
	}

	static void note(String format, Object... args) {
		System.out.printf("[%6d ms] %s%n", sinceMs(T0), String.format(format, args));
	}

	/**
	 * Clients across a partition: one writer of distinct keys per node it writes through; one writer of the
	 * register {@code reg} (0, 1, 2, ... one at a time, through each of its nodes in turn); one reader of the
	 * register per node it reads through (linearizable reads). Each operation is recorded with when the test sent
	 * it and when the answer came, on the test's monotonic clock. Bounded: each request at most 4 s, each thread at
	 * most 100,000 operations.
	 */
	static final class Workload implements AutoCloseable {

		static final String REGISTER = "reg";

		/**
		 * One request: {@code via} the node it was sent to, {@code servedBy} the node that answered as primary
		 * ({@code X-Kv-Primary}), {@code epoch} that of an acknowledged write.
		 */
		record Op(String method, String via, String key, String value, long start, long end, int status, String body,
				String servedBy, long epoch, String phase) {

			boolean isPut() {
				return method.equals("PUT");
			}

			long millis() {
				return TimeUnit.NANOSECONDS.toMillis(end - start);
			}

			@Override
			public String toString() {
				return String.format("%d..%d ms %s %s via %s = %s -> %d%s%s [%s]%s", TimeUnit.NANOSECONDS.toMillis(start - T0),
						TimeUnit.NANOSECONDS.toMillis(end - T0), method, key, via, value, status,
						servedBy != null ? " by " + servedBy : "", epoch > 0 ? "@" + epoch : "", phase,
						status == 200 || body == null ? "" : " " + body.replace('\n', ' '));
			}
		}

		private final Queue<Op> ops = new ConcurrentLinkedQueue<>();

		private final AtomicBoolean stop = new AtomicBoolean();

		private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

		private final List<Thread> threads = new ArrayList<>();

		private volatile String phase = "before";

		/** Writes {@code reg} = 0 through {@code first}, then starts the clients. */
		Workload(NodeProcess first, List<NodeProcess> keyWriters, List<NodeProcess> registerWriters,
				List<NodeProcess> registerReaders) {
			Op initial = send("PUT", first, REGISTER, "0");
			assertThat(initial.status()).as("initial register write: %s", initial).isEqualTo(200);
			for (NodeProcess via : keyWriters) {
				threads.add(Thread.ofPlatform().daemon().name("writer-" + via.nodeId()).start(() -> {
					for (int i = 0; i < 100_000 && !stop.get(); i++) {
						String key = "w/" + via.nodeId() + "/" + i;
						pace(send("PUT", via, key, "v-" + via.nodeId() + "-" + i));
					}
				}));
			}
			threads.add(Thread.ofPlatform().daemon().name("register-writer").start(() -> {
				for (int n = 1; n <= 100_000 && !stop.get(); n++) {
					pace(send("PUT", registerWriters.get(n % registerWriters.size()), REGISTER, Integer.toString(n)));
				}
			}));
			for (NodeProcess via : registerReaders) {
				threads.add(Thread.ofPlatform().daemon().name("reader-" + via.nodeId()).start(() -> {
					for (int i = 0; i < 100_000 && !stop.get(); i++) {
						pace(send("GET", via, REGISTER, null));
					}
				}));
			}
		}

		/** A short pause, longer after a refusal, so that a node that says no is not hammered. */
		private void pace(Op op) {
			try {
				Thread.sleep(op.status() == 200 ? 5 : 25);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				stop.set(true);
			}
		}

		private Op send(String method, NodeProcess via, String key, String value) {
			HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(via.url() + "/kv/" + key))
				.timeout(Duration.ofSeconds(4));
			if (value != null) {
				request.PUT(HttpRequest.BodyPublishers.ofString(value));
			}
			else {
				request.GET();
			}
			String sentIn = phase;
			long start = System.nanoTime();
			Op op;
			try {
				HttpResponse<String> r = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
				long end = System.nanoTime();
				long epoch = 0;
				String got = value;
				if (r.statusCode() == 200 && value != null) {
					epoch = JSON.readTree(r.body()).get("epoch").asLong();
				}
				else if (value == null) {
					got = r.statusCode() == 200 ? r.body() : null;
				}
				op = new Op(method, via.nodeId(), key, got, start, end, r.statusCode(), r.body(),
						r.headers().firstValue("X-Kv-Primary").orElse(null), epoch, phaseLabel(sentIn));
			}
			catch (IOException ex) {
				op = new Op(method, via.nodeId(), key, value, start, System.nanoTime(), -1, ex.toString(), null, 0,
						phaseLabel(sentIn));
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				stop.set(true);
				op = new Op(method, via.nodeId(), key, value, start, System.nanoTime(), -1, ex.toString(), null, 0,
						phaseLabel(sentIn));
			}
			ops.add(op);
			return op;
		}

		/** The phase a request was sent in, and the one it ended in if that differs. */
		private String phaseLabel(String sentIn) {
			String now = phase;
			return sentIn.equals(now) ? now : sentIn + ".." + now;
		}

		void phase(String phase) {
			this.phase = phase;
		}

		/** A last linearizable read of the register on {@code primary}, once the clients have stopped. */
		void finalRead(NodeProcess primary) {
			phase("final");
			send("GET", primary, REGISTER, null);
		}

		void awaitAcks(int n, Duration timeout) throws InterruptedException {
			Pair.await(n + " acknowledged writes", timeout,
					() -> ops.stream().filter(op -> op.isPut() && op.status() == 200).count() >= n);
		}

		List<Op> ops(Predicate<Op> filter) {
			return ops.stream().filter(filter).toList();
		}

		/** The epochs in which writes were acknowledged by more than one node, with those nodes. */
		Map<Long, Set<String>> servingConflicts() {
			Map<Long, Set<String>> byEpoch = new TreeMap<>();
			for (Op op : ops) {
				if (op.isPut() && op.status() == 200) {
					byEpoch.computeIfAbsent(op.epoch(), e -> new TreeSet<>()).add(String.valueOf(op.servedBy()));
				}
			}
			byEpoch.values().removeIf(nodes -> nodes.size() <= 1);
			return byEpoch;
		}

		/**
		 * Reads of the register that no linearizable history allows. The register's writes are sequential, so a
		 * smaller number was written (and, if acknowledged, answered) before a larger one was sent. A read that
		 * returns {@code v} is stale when {@code v} was acknowledged and, before the read was sent, a larger value
		 * was acknowledged or another read had returned a larger value. A read may not return a value nobody wrote,
		 * a value whose write was refused with 503 (not done), or nothing (404).
		 */
		List<String> registerViolations() {
			Map<Long, Op> writes = new HashMap<>();
			for (Op op : ops) {
				if (op.isPut() && op.key().equals(REGISTER)) {
					writes.put(Long.parseLong(op.value()), op);
				}
			}
			List<Op> reads = ops.stream()
				.filter(op -> !op.isPut() && op.key().equals(REGISTER) && (op.status() == 200 || op.status() == 404))
				.sorted(Comparator.comparingLong(Op::start))
				.toList();
			// Acknowledged writes and successful reads by when they ended, with the largest value so far.
			List<long[]> ended = new ArrayList<>();
			for (Op op : writes.values()) {
				if (op.status() == 200) {
					ended.add(new long[] { op.end(), Long.parseLong(op.value()) });
				}
			}
			for (Op op : reads) {
				if (op.status() == 200) {
					ended.add(new long[] { op.end(), Long.parseLong(op.value()) });
				}
			}
			ended.sort(Comparator.comparingLong(e -> e[0]));
			long[] endTimes = new long[ended.size()];
			long[] maxSoFar = new long[ended.size()];
			long max = -1;
			for (int i = 0; i < ended.size(); i++) {
				endTimes[i] = ended.get(i)[0];
				max = Math.max(max, ended.get(i)[1]);
				maxSoFar[i] = max;
			}
			List<String> violations = new ArrayList<>();
			for (Op r : reads) {
				if (r.status() == 404) {
					violations.add("the register is missing: " + r);
					continue;
				}
				long v = Long.parseLong(r.value());
				Op write = writes.get(v);
				if (write == null) {
					violations.add("a value nobody wrote: " + r);
					continue;
				}
				if (write.status() == 503) {
					violations.add("a value whose write was refused (" + write + "): " + r);
					continue;
				}
				// The largest value acknowledged or read before r was sent.
				int i = upperBound(endTimes, r.start()) - 1;
				long seen = i >= 0 ? maxSoFar[i] : -1;
				if (write.status() == 200 && v < seen) {
					violations.add("stale: " + seen + " was acknowledged or read before this read was sent: " + r);
				}
			}
			return violations;
		}

		private static int upperBound(long[] sorted, long key) {
			int lo = 0;
			int hi = sorted.length;
			while (lo < hi) {
				int mid = (lo + hi) >>> 1;
				if (sorted[mid] < key) {
					lo = mid + 1;
				}
				else {
					hi = mid;
				}
			}
			return lo;
		}

		String summary() {
			Map<String, Long> byOutcome = ops.stream()
				.collect(Collectors.groupingBy(
						op -> op.method() + (op.key().equals(REGISTER) ? " reg" : " key") + " via " + op.via() + " -> "
								+ op.status() + (op.servedBy() != null ? " by " + op.servedBy() : "")
								+ (op.epoch() > 0 ? "@" + op.epoch() : ""),
						TreeMap::new, Collectors.counting()));
			return "workload: " + byOutcome;
		}

		@Override
		public void close() throws InterruptedException {
			stop.set(true);
			for (Thread t : threads) {
				if (!t.join(Duration.ofSeconds(10))) {
					t.interrupt();
					t.join(Duration.ofSeconds(5));
				}
			}
		}

	}

	/**
	 * Polls /cluster of every node every 100 ms and records each change of role, epoch or primary, with when it
	 * was seen; also which nodes said they were PRIMARY in which epoch.
	 */
	static final class ClusterWatch implements AutoCloseable {

		private final KvHttp poll = new KvHttp(Duration.ofMillis(800));

		private final Queue<String> changes = new ConcurrentLinkedQueue<>();

		private final Map<Long, Set<String>> primaries = new java.util.concurrent.ConcurrentHashMap<>();

		private final AtomicBoolean stop = new AtomicBoolean();

		private final List<Thread> threads = new ArrayList<>();

		ClusterWatch(List<NodeProcess> nodes) {
			for (NodeProcess node : nodes) {
				threads.add(Thread.ofPlatform().daemon().name("watch-" + node.nodeId()).start(() -> {
					String last = null;
					while (!stop.get()) {
						KvHttp.Result r = poll.send(HttpRequest.newBuilder(URI.create(node.url() + "/cluster")).GET());
						String now;
						if (r.status() == 200) {
							JsonNode v = JSON.readTree(r.body());
							now = v.get("role").asString() + " epoch " + v.get("epoch") + " primary "
									+ v.get("primaryId") + " inSync " + v.get("inSync");
							if ("PRIMARY".equals(v.get("role").asString())) {
								primaries.computeIfAbsent(v.get("epoch").asLong(),
										e -> java.util.concurrent.ConcurrentHashMap.newKeySet())
									.add(node.nodeId());
							}
						}
						else {
							now = "no answer (" + r.status() + ")";
						}
						if (!Objects.equals(now, last)) {
							String change = String.format("[%6d ms] %s: %s", sinceMs(T0), node.nodeId(), now);
							changes.add(change);
							System.out.println(change);
							last = now;
						}
						try {
							Thread.sleep(100);
						}
						catch (InterruptedException ex) {
							return;
						}
					}
				}));
			}
		}

		List<String> changes() {
			return List.copyOf(changes);
		}

		Map<Long, Set<String>> primariesPerEpoch() {
			return new TreeMap<>(primaries);
		}

		@Override
		public void close() throws InterruptedException {
			stop.set(true);
			for (Thread t : threads) {
				t.interrupt();
				t.join(Duration.ofSeconds(5));
			}
		}

	}

}
