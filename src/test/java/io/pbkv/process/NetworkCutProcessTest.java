package io.pbkv.process;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
 * A pair whose peer link is cut and healed while clients write, with real processes: each direction of the link
 * is a {@link LinkProxy} that can black-hole it (no RST, no FIN, as a dead network looks). Default replication
 * settings (sync, require-backup=false), so during a cut the old primary drops its backup and acknowledges alone
 * while the backup promotes itself: two divergent histories. After the heal, within a few heartbeat timeouts,
 * whatever each side did: exactly one primary, the other a backup in sync with the same log, every write the
 * final history acknowledged readable, and every write the other side acknowledged either readable too or
 * discarded for the record (in {@code discarded.jsonl}, counted in {@code kv.log.discarded}, logged).
 */
@Tag("process")
class NetworkCutProcessTest {

	private static final Duration INTERVAL = Duration.ofMillis(200);

	private static final Duration TIMEOUT = Duration.ofSeconds(1);

	/** How long after the last heal the pair must be one again. */
	private static final Duration CONVERGENCE = TIMEOUT.multipliedBy(5);

	private static final ObjectMapper JSON = new ObjectMapper();

	/** Where the nodes' logs and discarded.jsonl are kept after a test, since the work dir is deleted. */
	private static final Path KEPT = Path.of("target", "process-logs", "NetworkCutProcessTest");

	@TempDir
	Path work;

	private LinkProxy toA;

	private LinkProxy toB;

	private Pair pair;

	private Workload workload;

	private final KvHttp http = new KvHttp(Duration.ofSeconds(5));

	private final KvHttp poll = new KvHttp(Duration.ofSeconds(1));

	private final long startedAt = System.nanoTime();

	@BeforeEach
	void startPairBehindProxies() throws Exception {
		int portA = NodeProcess.freePort();
		int portB = NodeProcess.freePort();
		// b reaches a through toA, so a advertises toA's URL; and the other way round.
		toA = LinkProxy.to("b->a", portA);
		toB = LinkProxy.to("a->b", portB);
		NodeProcess a = new NodeProcess("a", portA, toA.url(), work,
				Pair.args(toB.url(), "primary", INTERVAL, TIMEOUT));
		NodeProcess b = new NodeProcess("b", portB, toB.url(), work,
				Pair.args(toA.url(), "backup", INTERVAL, TIMEOUT));
		pair = new Pair(a, b);
		pair.start();
		note("pair up: a on %s (advertised %s), b on %s (advertised %s)", a.url(), toA.url(), b.url(), toB.url());
	}

	@AfterEach
	void stopEverything(TestInfo test) throws Exception {
		try {
			if (workload != null) {
				workload.close();
			}
		}
		finally {
			try {
				if (pair != null) {
					pair.close();
					keepLogs(test.getTestMethod().map(m -> m.getName()).orElse("unknown"));
				}
			}
			finally {
				if (toA != null) {
					toA.close();
				}
				if (toB != null) {
					toB.close();
				}
			}
		}
	}

	@Test
	void afterASymmetricCutHealsTheOldPrimaryDiscardsItsTailAndCatchesUp() throws Exception {
		Map<String, String> before = writeSome("before/", 10);
		workload = new Workload(pair, "sym");
		workload.phase("before-cut");
		workload.awaitAcks(30, Duration.ofSeconds(20));

		note("cutting both directions for %s", TIMEOUT.multipliedBy(3));
		workload.phase("cut");
		toA.cut();
		toB.cut();
		Thread.sleep(TIMEOUT.multipliedBy(3).toMillis());
		note("end of the cut: a %s; b %s", brief(view(pair.a)), brief(view(pair.b)));
		// The scenario of the issue: both sides acknowledged writes on their own during the cut.
		assertThat(workload.acked("cut", "a")).as("scenario: the old primary a acknowledged writes alone during the cut")
			.isNotEmpty();
		assertThat(workload.acked("cut", "b")).as("scenario: b promoted itself and acknowledged writes during the cut")
			.isNotEmpty();
		toA.heal();
		toB.heal();
		long healedAt = System.nanoTime();
		workload.phase("healed");
		note("healed");
		Thread.sleep(TIMEOUT.toMillis());
		workload.close();

		Converged end = awaitConverged(healedAt);
		Map<String, String> data = checkHistory(end, before, workload);
		// With one cut the side that won keeps every write it acknowledged, during the cut too.
		for (Ack ack : workload.acks) {
			if (ack.servedBy().equals(end.primary().nodeId())) {
				assertThat(data.get(ack.key())).as("%s, acknowledged by the final primary", ack).isEqualTo(ack.value());
			}
		}
	}

	/**
	 * One peer request that hangs (its connection dies silently under it: no answer, no reset) while writes flow,
	 * again and again on both directions' connections. The sender abandons it after a third of the heartbeat
	 * timeout, so heartbeats never lapse: no second primary appears, no backup is dropped for good, and every
	 * acknowledged write is there at the end.
	 */
	@Test
	void aHangingPeerRequestCostsNoFailoverAndNoAcknowledgedWrite() throws Exception {
		Map<String, String> before = writeSome("before/", 10);
		workload = new Workload(pair, "stall");
		workload.phase("before-stall");
		workload.awaitAcks(30, Duration.ofSeconds(20));
		long epoch = view(pair.a).get("epoch").asLong();

		workload.phase("stalls");
		for (int i = 0; i < 8; i++) {
			(i % 2 == 0 ? toB : toA).stallNextConnection();
			Thread.sleep(TIMEOUT.toMillis() / 2);
		}
		Thread.sleep(TIMEOUT.toMillis());
		note("stalled %d connections to b and %d to a: a %s; b %s", toB.stalledConnections(),
				toA.stalledConnections(), brief(view(pair.a)), brief(view(pair.b)));
		assertThat(toB.stalledConnections() + toA.stalledConnections()).as("scenario: peer requests hung")
			.isGreaterThanOrEqualTo(4);
		workload.phase("after-stalls");
		workload.awaitAcks(workload.acks.size() + 10, Duration.ofSeconds(20));
		workload.close();

		Converged end = awaitConverged(System.nanoTime());
		assertThat(end.primary().nodeId()).as("the primary stayed primary").isEqualTo("a");
		assertThat(end.primaryView().get("epoch").asLong()).as("no new epoch: nobody promoted").isEqualTo(epoch);
		Map<String, String> data = checkHistory(end, before, workload);
		for (Ack ack : workload.acks) {
			assertThat(data.get(ack.key())).as("%s", ack).isEqualTo(ack.value());
		}
	}

	@Test
	void afterAOneWayCutAndRepeatedCutsEveryNodeCatchesUp() throws Exception {
		Map<String, String> before = writeSome("before/", 10);
		workload = new Workload(pair, "one-way");
		workload.phase("before-cut");
		workload.awaitAcks(30, Duration.ofSeconds(20));

		note("cutting a->b only for %s", TIMEOUT.multipliedBy(2));
		workload.phase("one-way-cut");
		toB.cut();
		Thread.sleep(TIMEOUT.multipliedBy(2).toMillis());
		note("end of the one-way cut: a %s; b %s", brief(view(pair.a)), brief(view(pair.b)));
		toB.heal();
		workload.phase("healed-0");
		Thread.sleep(TIMEOUT.dividedBy(2).toMillis());
		long healedAt = 0;
		for (int round = 1; round <= 2; round++) {
			note("cut %d: both directions for %s", round, TIMEOUT.multipliedBy(3).dividedBy(2));
			workload.phase("cut-" + round);
			toA.cut();
			toB.cut();
			Thread.sleep(TIMEOUT.multipliedBy(3).dividedBy(2).toMillis());
			note("end of cut %d: a %s; b %s", round, brief(view(pair.a)), brief(view(pair.b)));
			toA.heal();
			toB.heal();
			healedAt = System.nanoTime();
			workload.phase("healed-" + round);
			Thread.sleep(TIMEOUT.dividedBy(2).toMillis());
		}
		Thread.sleep(TIMEOUT.dividedBy(2).toMillis());
		workload.close();

		Converged end = awaitConverged(healedAt);
		checkHistory(end, before, workload);
	}

	/** The pair as one again: who is primary, and both nodes' /cluster. */
	record Converged(NodeProcess primary, NodeProcess backup, JsonNode primaryView, JsonNode backupView) {
	}

	/**
	 * Waits until, at most {@link #CONVERGENCE} after {@code healedAt}: exactly one primary; the other a backup
	 * of the same epoch that names it; the primary counts it in sync with everything it holds; both report the
	 * same last and commit index, all committed.
	 */
	private Converged awaitConverged(long healedAt) throws InterruptedException {
		long deadline = healedAt + CONVERGENCE.toNanos();
		JsonNode va = null;
		JsonNode vb = null;
		String why = "no answer yet";
		while (true) {
			va = view(pair.a);
			vb = view(pair.b);
			why = notConverged(va, vb);
			if (why == null) {
				break;
			}
			if (System.nanoTime() > deadline) {
				throw new AssertionError(String.format(
						"%s after the heal the pair is not one again: %s%n  a /cluster: %s%n  b /cluster: %s%n  %s%n"
								+ "  a discarded %d entries (meter %s), b discarded %d entries (meter %s)%n  links: %s; %s",
						CONVERGENCE, why, va, vb, workload.summary(), discardedLines(pair.a).size(),
						discardedMeter(pair.a), discardedLines(pair.b).size(), discardedMeter(pair.b), toA, toB));
			}
			Thread.sleep(100);
		}
		note("converged %d ms after the heal: a %s; b %s", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - healedAt),
				brief(va), brief(vb));
		boolean aLeads = "PRIMARY".equals(va.get("role").asString());
		return aLeads ? new Converged(pair.a, pair.b, va, vb) : new Converged(pair.b, pair.a, vb, va);
	}

	/** Null when the two views show one converged pair, else what is not yet so. */
	private static String notConverged(JsonNode va, JsonNode vb) {
		if (va == null || vb == null) {
			return "a node does not answer /cluster";
		}
		String ra = va.get("role").asString();
		String rb = vb.get("role").asString();
		JsonNode p;
		JsonNode q;
		if ("PRIMARY".equals(ra) && "BACKUP".equals(rb)) {
			p = va;
			q = vb;
		}
		else if ("BACKUP".equals(ra) && "PRIMARY".equals(rb)) {
			p = vb;
			q = va;
		}
		else {
			return "roles are a " + ra + ", b " + rb;
		}
		String primary = p.get("nodeId").asString();
		String backup = q.get("nodeId").asString();
		if (p.get("epoch").asLong() != q.get("epoch").asLong() || !primary.equals(q.get("primaryId").asString())) {
			return "backup " + backup + " is in epoch " + q.get("epoch") + " with primary " + q.get("primaryId")
					+ ", primary " + primary + " in epoch " + p.get("epoch");
		}
		JsonNode peer = p.get("peers").get(0);
		long last = p.get("lastIndex").asLong();
		if (!peer.get("inSync").asBoolean() || peer.get("matchIndex").asLong() != last) {
			return "primary " + primary + " sees backup " + backup + " inSync=" + peer.get("inSync") + " matchIndex="
					+ peer.get("matchIndex") + " (primary lastIndex " + last + ")";
		}
		if (q.get("lastIndex").asLong() != last || q.get("commitIndex").asLong() != p.get("commitIndex").asLong()
				|| p.get("commitIndex").asLong() != last || q.get("appliedIndex").asLong() != last) {
			return "last/commit/applied index: primary " + primary + " " + last + "/" + p.get("commitIndex") + "/"
					+ p.get("appliedIndex") + ", backup " + backup + " " + q.get("lastIndex") + "/"
					+ q.get("commitIndex") + "/" + q.get("appliedIndex");
		}
		return null;
	}

	/**
	 * What must hold of the data once the pair is one again; returns the final primary's data. Every write
	 * acknowledged before the first cut is there; every other acknowledged write is either there or was discarded
	 * for the record by a node; each node's discarded.jsonl matches its meter and its log; the backup's copy
	 * equals the primary's.
	 */
	private Map<String, String> checkHistory(Converged end, Map<String, String> before, Workload load)
			throws Exception {
		Map<String, String> data = listing(end.primary(), false);
		Map<String, String> copy = listing(end.backup(), true);
		assertThat(copy).as("backup %s's own copy (consistency=local) equals primary %s's data",
				end.backup().nodeId(), end.primary().nodeId())
			.isEqualTo(data);
		before.forEach((key, value) -> {
			assertThat(data.get(key)).as("%s written before the cut, on the final primary", key).isEqualTo(value);
			assertThat(http.send(HttpRequest
				.newBuilder(URI.create(end.backup().url() + "/kv/" + key + "?consistency=local"))
				.GET()).body()).as("%s on the backup (consistency=local)", key).isEqualTo(value);
		});

		Map<String, String> discarded = new HashMap<>();
		for (NodeProcess node : List.of(pair.a, pair.b)) {
			List<JsonNode> lines = discardedLines(node);
			note("node %s discarded %d entries (meter %s)", node.nodeId(), lines.size(), discardedMeter(node));
			assertThat(discardedMeter(node)).as("kv_log_discarded_total of node %s counts its discarded.jsonl",
					node.nodeId())
				.isEqualTo(lines.size());
			if (!lines.isEmpty()) {
				assertThat(Files.readString(node.logFile()))
					.as("node %s logs that it discarded entries", node.nodeId())
					.contains("discarded");
			}
			for (JsonNode line : lines) {
				if ("put".equals(line.get("op").asString())) {
					discarded.put(line.get("key").asString(), new String(
							Base64.getDecoder().decode(line.get("valueBase64").asString()), StandardCharsets.UTF_8));
				}
			}
		}

		List<Ack> missing = new ArrayList<>();
		for (Ack ack : load.acks) {
			if (!ack.value().equals(data.get(ack.key()))) {
				missing.add(ack);
				assertThat(ack.phase()).as("%s is not on the final primary: only writes made during or after a cut "
						+ "may be lost", ack).isNotEqualTo("before-cut");
				assertThat(discarded.get(ack.key()))
					.as("%s is not on the final primary %s, so it must be in a discarded.jsonl", ack,
							end.primary().nodeId())
					.isEqualTo(ack.value());
			}
		}
		note("%s; %d acknowledged writes discarded: %s", load.summary(), missing.size(), missing.stream()
			.collect(Collectors.groupingBy(ack -> ack.servedBy() + "@" + ack.epoch(), Collectors.counting())));

		int checked = 0;
		for (Ack ack : load.acks) {
			if (data.containsKey(ack.key()) && checked++ < 100) {
				assertThat(http.send(HttpRequest
					.newBuilder(URI.create(end.backup().url() + "/kv/" + ack.key() + "?consistency=local"))
					.GET()).body()).as("%s on the backup (consistency=local)", ack).isEqualTo(data.get(ack.key()));
			}
		}
		return data;
	}

	private Map<String, String> writeSome(String prefix, int n) {
		Map<String, String> written = new LinkedHashMap<>();
		for (int i = 0; i < n; i++) {
			String key = prefix + i;
			assertThat(http.put(pair.a.url(), key, "v" + i).status()).as("write %s", key).isEqualTo(200);
			written.put(key, "v" + i);
		}
		return written;
	}

	/** Every key and value of {@code node}: linearizable on the primary, its own copy when {@code local}. */
	/** Every key and value the node holds, following the listing's pages. */
	private Map<String, String> listing(NodeProcess node, boolean local) {
		Map<String, String> data = new HashMap<>();
		String after = "";
		for (int page = 0; page < 1_000; page++) {
			KvHttp.Result r = http.send(HttpRequest.newBuilder(URI.create(node.url() + "/kv?values=true&limit=10000"
					+ (local ? "&consistency=local" : "") + "&after=" + URLEncoder.encode(after, StandardCharsets.UTF_8)))
				.GET());
			assertThat(r.status()).as("listing of %s: %s", node.nodeId(), r.body()).isEqualTo(200);
			JsonNode listing = JSON.readTree(r.body());
			JsonNode entries = listing.get("entries");
			if (entries != null) {
				for (JsonNode e : entries) {
					data.put(e.get("key").asString(),
							e.has("value") ? e.get("value").asString() : "base64:" + e.get("valueBase64").asString());
				}
			}
			if (!listing.has("next")) {
				return data;
			}
			after = listing.get("next").asString();
		}
		throw new AssertionError("the listing of " + node.nodeId() + " never ended");
	}

	private JsonNode view(NodeProcess node) {
		KvHttp.Result r = poll.send(HttpRequest.newBuilder(URI.create(node.url() + "/cluster")).GET());
		return r.status() == 200 ? JSON.readTree(r.body()) : null;
	}

	private static String brief(JsonNode v) {
		if (v == null) {
			return "(no answer)";
		}
		JsonNode peer = v.get("peers").get(0);
		return String.format("%s epoch %s primary %s last %s commit %s; peer inSync=%s matchIndex=%s reachable=%s",
				v.get("role").asString(), v.get("epoch"), v.get("primaryId"), v.get("lastIndex"), v.get("commitIndex"),
				peer.get("inSync"), peer.get("matchIndex"), peer.get("reachable"));
	}

	/** The lines of the node's {@code discarded.jsonl}, none when it has none. */
	private static List<JsonNode> discardedLines(NodeProcess node) {
		Path file = node.dataDir().resolve("discarded.jsonl");
		if (!Files.exists(file)) {
			return List.of();
		}
		try {
			return Files.readAllLines(file).stream().filter(l -> !l.isBlank()).map(JSON::readTree).toList();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** {@code kv_log_discarded_total} of the node's /actuator/prometheus, or -1 when it does not answer. */
	private long discardedMeter(NodeProcess node) {
		KvHttp.Result r = poll.send(HttpRequest.newBuilder(URI.create(node.url() + "/actuator/prometheus")).GET());
		if (r.status() != 200) {
			return -1;
		}
		double total = 0;
		for (String line : r.body().split("\n")) {
			if (line.startsWith("kv_log_discarded_total")) {
				total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
			}
		}
		return (long) total;
	}

	private void keepLogs(String testName) {
		try {
			Path dir = KEPT.resolve(testName);
			Files.createDirectories(dir);
			for (NodeProcess node : List.of(pair.a, pair.b)) {
				if (Files.exists(node.logFile())) {
					Files.copy(node.logFile(), dir.resolve(node.nodeId() + ".log"),
							java.nio.file.StandardCopyOption.REPLACE_EXISTING);
				}
				Path discarded = node.dataDir().resolve("discarded.jsonl");
				if (Files.exists(discarded)) {
					Files.copy(discarded, dir.resolve(node.nodeId() + "-discarded.jsonl"),
							java.nio.file.StandardCopyOption.REPLACE_EXISTING);
				}
			}
		}
		catch (IOException ex) {
			note("could not keep the logs: %s", ex);
		}
	}

	private void note(String format, Object... args) {
		System.out.printf("[%6d ms] %s%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedAt),
				String.format(format, args));
	}

	/** An acknowledged write: which node the client sent it to, which answered as primary, in which epoch. */
	record Ack(String key, String value, String via, String servedBy, long epoch, long version, String phase) {
	}

	/**
	 * Two clients writing distinct keys until closed, one sending to a, one to b (a backup forwards to the
	 * primary it knows; during a cut each side answers for itself). Bounded: at most 100,000 writes each, each
	 * request at most two heartbeat timeouts.
	 */
	static final class Workload implements AutoCloseable {

		final Queue<Ack> acks = new ConcurrentLinkedQueue<>();

		private final Queue<String> unknown = new ConcurrentLinkedQueue<>();

		private final AtomicBoolean stop = new AtomicBoolean();

		private final HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

		private final List<Thread> writers = new ArrayList<>();

		private volatile String phase = "before-cut";

		Workload(Pair pair, String prefix) {
			for (NodeProcess via : List.of(pair.a, pair.b)) {
				writers.add(Thread.ofPlatform()
					.daemon()
					.name("writer-" + via.nodeId())
					.start(() -> write(via, prefix + "/via-" + via.nodeId() + "/")));
			}
		}

		void phase(String phase) {
			this.phase = phase;
		}

		private void write(NodeProcess via, String prefix) {
			for (int i = 0; i < 100_000 && !stop.get(); i++) {
				String key = prefix + i;
				String value = "v-" + key;
				String writtenIn = phase;
				try {
					HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(via.url() + "/kv/" + key))
						.timeout(TIMEOUT.multipliedBy(2))
						.PUT(HttpRequest.BodyPublishers.ofString(value))
						.build(), HttpResponse.BodyHandlers.ofString());
					if (r.statusCode() == 200) {
						JsonNode body = JSON.readTree(r.body());
						String endPhase = phase;
						acks.add(new Ack(key, value, via.nodeId(), r.headers().firstValue("X-Kv-Primary").orElse("?"),
								body.get("epoch").asLong(), body.get("version").asLong(),
								writtenIn.equals(endPhase) ? writtenIn : writtenIn + ".." + endPhase));
					}
					else if (r.statusCode() == 504) {
						unknown.add(key);
					}
					else {
						Thread.sleep(20); // 503: no primary known right now
					}
				}
				catch (IOException ex) {
					unknown.add(key);
				}
				catch (InterruptedException ex) {
					return;
				}
			}
		}

		void awaitAcks(int n, Duration timeout) throws InterruptedException {
			Pair.await(n + " acknowledged writes", timeout, () -> acks.size() >= n);
		}

		/** The writes acknowledged by {@code servedBy} that were sent during {@code phase}. */
		List<Ack> acked(String phase, String servedBy) {
			return acks.stream().filter(a -> a.phase().equals(phase) && a.servedBy().equals(servedBy)).toList();
		}

		String summary() {
			Map<String, Long> byPhase = acks.stream()
				.collect(Collectors.groupingBy(a -> a.phase() + " by " + a.servedBy() + "@" + a.epoch(),
						java.util.TreeMap::new, Collectors.counting()));
			return "acknowledged writes " + byPhase + ", " + unknown.size() + " with unknown outcome";
		}

		@Override
		public void close() throws InterruptedException {
			stop.set(true);
			for (Thread writer : writers) {
				if (!writer.join(TIMEOUT.multipliedBy(5))) {
					writer.interrupt();
					writer.join(TIMEOUT);
				}
			}
		}

	}

}
