package io.pbkv.process;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import static org.assertj.core.api.Assertions.assertThat;

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

	private static final Duration TIMEOUT = NamespacedCluster.TIMEOUT;

	/** Slack on top of the heartbeat timeout for what the nodes must do "within a timeout". */
	private static final Duration MARGIN = Duration.ofSeconds(1);

	/** How long after the heal the cluster must be one again. */
	private static final Duration CONVERGENCE = TIMEOUT.multipliedBy(6);

	/** Where the nodes' logs are kept after a test, since the work dir is deleted. */
	private static final Path KEPT = Path.of("target", "process-logs", "PartitionProcessTest");

	private static final ObjectMapper JSON = new ObjectMapper();

	@TempDir
	Path work;

	private NamespacedCluster cluster;

	private NetworkNamespaces net;

	private NodeProcess a;

	private NodeProcess b;

	private NodeProcess w;

	private Workload load;

	private ClusterWatch watch;

	private final KvHttp http = new KvHttp(Duration.ofSeconds(5));

	@BeforeEach
	void startThreeNodesInThreeNamespaces(TestInfo test) throws Exception {
		note("=== %s", test.getDisplayName());
		cluster = NamespacedCluster.start(NamespacedCluster.Shape.TWO_DATA_NODES_AND_A_WITNESS, work);
		net = cluster.net;
		a = cluster.node("a");
		b = cluster.node("b");
		w = cluster.node("w");
		watch = new ClusterWatch(List.of(a, b, w));
	}

	@AfterEach
	void stopEverything(TestInfo test) throws Exception {
		NamespacedCluster.tearDown(cluster, load, watch, KEPT.resolve(test.getTestMethod().map(m -> m.getName()).orElse("unknown")));
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
		NamespacedCluster.Converged healed = awaitConverged(System.nanoTime(), CONVERGENCE, false);
		assertThat(healed.primary()).as("the primary after the heal").isSameAs(b);
		assertThat(view(healed.backups().get(0)).get("epoch").asLong()).as("a's epoch after the heal").isGreaterThan(epoch0);
		Pair.await("a's own copy of after-election (consistency=local)", Duration.ofSeconds(10),
				() -> "from-b".equals(http.send(
						HttpRequest.newBuilder(URI.create(a.url() + "/kv/after-election?consistency=local")).GET())
					.body()));
		Thread.sleep(1000);
		load.close();
		NamespacedCluster.Converged end = awaitConverged(System.nanoTime(), TIMEOUT.multipliedBy(2), true);

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

	/** A cut's bounds on the test's clock, the writes made before the workload, and the cluster once healed. */
	record Partition(long cut, long healed, Map<String, String> before, NamespacedCluster.Converged end) {
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

	// --- delegates ---------------------------------------------------------------------------------------------

	private void checkHistory(NamespacedCluster.Converged end, Map<String, String> before) {
		cluster.checkHistory(end, before, load, watch);
	}

	private NamespacedCluster.Converged awaitConverged(long since, Duration within, boolean indices)
			throws InterruptedException {
		return cluster.awaitConverged(since, within, indices, watch);
	}

	private Map<String, String> writeSome(NodeProcess via, String prefix, int n) {
		return cluster.writeSome(via, prefix, n);
	}

	private JsonNode view(NodeProcess node) {
		return cluster.view(node);
	}

	private static String brief(JsonNode v) {
		return NamespacedCluster.brief(v);
	}

	private static String statuses(List<Workload.Op> ops) {
		return ops.stream()
			.collect(Collectors.groupingBy(op -> (op.isPut() ? "PUT " : "GET ") + op.status(), TreeMap::new,
					Collectors.counting()))
			.toString();
	}

	private static long sinceMs(long nanos) {
		return NamespacedCluster.sinceMs(nanos);
	}

	private static void note(String format, Object... args) {
		NamespacedCluster.note(format, args);
	}

}
