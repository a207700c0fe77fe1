package io.pbkv.process;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * A quorum cluster of real node processes, each in its own Linux network namespace (see {@link NetworkNamespaces}):
 * data nodes {@code a}, {@code b} (and {@code c}), and optionally the witness {@code w}. {@code a} starts as
 * primary; heartbeat every 300 ms, timeout 2 s. It knows what "one cluster again" means for its shape, and checks a
 * {@link Workload}'s history against the final primary.
 */
final class NamespacedCluster implements AutoCloseable {

	static final Duration INTERVAL = Duration.ofMillis(300);

	static final Duration TIMEOUT = Pair.TIMEOUT;

	/** Every node listens on this port, each in its own namespace. */
	private static final int PORT = 8080;

	private static final ObjectMapper JSON = new ObjectMapper();

	static final long T0 = System.nanoTime();

	/** The shapes of partition-safe cluster the tests run. */
	enum Shape {

		TWO_DATA_NODES_AND_A_WITNESS(List.of("a", "b"), true), THREE_DATA_NODES(List.of("a", "b", "c"), false);

		final List<String> dataIds;

		final boolean witness;

		Shape(List<String> dataIds, boolean witness) {
			this.dataIds = dataIds;
			this.witness = witness;
		}

	}

	final Shape shape;

	final NetworkNamespaces net;

	/** The data nodes, by id. */
	final Map<String, NodeProcess> data = new LinkedHashMap<>();

	/** The witness, or null. */
	final NodeProcess witness;

	private final KvHttp http = new KvHttp(Duration.ofSeconds(5));

	private final KvHttp poll = new KvHttp(Duration.ofSeconds(1));

	private NamespacedCluster(Shape shape, NetworkNamespaces net, Path work) throws IOException {
		this.shape = shape;
		this.net = net;
		List<String> ids = new ArrayList<>(shape.dataIds);
		if (shape.witness) {
			ids.add("w");
		}
		Map<String, String> urls = new LinkedHashMap<>();
		for (String id : ids) {
			urls.put(id, "http://" + net.add(id) + ":" + PORT);
		}
		NodeProcess w = null;
		for (String id : ids) {
			String peers = String.join(",", urls.entrySet().stream().filter(e -> !e.getKey().equals(id))
				.map(Map.Entry::getValue).toList());
			List<String> extra = id.equals("w") ? List.of("--kv.role=witness") : List.of();
			NodeProcess node = NodeProcess.launchedBy(net.exec(id), net.address(id), id, PORT, work,
					Pair.args(peers, id.equals("a") ? "primary" : "backup", INTERVAL, TIMEOUT,
							extra.toArray(String[]::new)));
			net.closeFirst(node);
			if (id.equals("w")) {
				w = node;
			}
			else {
				data.put(id, node);
			}
		}
		this.witness = w;
	}

	/**
	 * Starts the cluster and waits until {@code a} is primary with every other data node in sync, as every node
	 * knows. Skips the test where namespaces cannot be made, unless {@code CI} is set: then it fails.
	 */
	static NamespacedCluster start(Shape shape, Path work) throws Exception {
		String why = NetworkNamespaces.unavailable();
		if (why != null) {
			if (System.getenv("CI") != null) {
				fail("CI is set, and this test needs network namespaces: " + why);
			}
			Assumptions.assumeTrue(false, why);
		}
		NetworkNamespaces net = NetworkNamespaces.create();
		NamespacedCluster cluster;
		try {
			cluster = new NamespacedCluster(shape, net, work);
			for (NodeProcess n : cluster.nodes()) {
				n.start();
			}
			for (NodeProcess n : cluster.nodes()) {
				n.awaitReady(Duration.ofSeconds(90));
			}
		}
		catch (Exception | AssertionError ex) {
			net.close();
			throw ex;
		}
		Pair.await("a primary with every data node in sync, as every node knows", Duration.ofSeconds(60),
				() -> cluster.notConverged(false) == null && "a".equals(cluster.view(cluster.node("a"))
					.get("primaryId")
					.asString()));
		note("%s up in %s; host at %s", shape, net, net.hostAddress());
		return cluster;
	}

	List<NodeProcess> nodes() {
		return Stream.concat(data.values().stream(), Stream.ofNullable(witness)).toList();
	}

	NodeProcess node(String id) {
		return id.equals("w") ? witness : data.get(id);
	}

	/** The voter that is neither of two data nodes: the witness, or the third data node. */
	NodeProcess third(NodeProcess x, NodeProcess y) {
		return nodes().stream().filter(n -> n != x && n != y).findFirst().orElseThrow();
	}

	/** Ids of every node but {@code node}. */
	String[] others(NodeProcess node) {
		return nodes().stream().filter(n -> n != node).map(NodeProcess::nodeId).toArray(String[]::new);
	}

	// --- convergence ------------------------------------------------------------------------------------------

	/** The cluster as one again: the primary, its /cluster, and the backups. */
	record Converged(NodeProcess primary, JsonNode primaryView, List<NodeProcess> backups) {
	}

	/**
	 * Waits, at most {@code within} after {@code since}, until: exactly one data node is PRIMARY, every other a
	 * BACKUP of the same epoch that names it and is eligible; the witness names it too; every data node is in the
	 * in-sync set the primary and the witness hold; and, with {@code indices} (for when no client writes any more),
	 * the primary has every backup in sync with all it holds, and all hold, commit and apply the same entries.
	 */
	Converged awaitConverged(long since, Duration within, boolean indices, ClusterWatch watch)
			throws InterruptedException {
		long deadline = since + within.toNanos();
		while (true) {
			String why = notConverged(indices);
			if (why == null) {
				NodeProcess primary = primary();
				note("converged%s %d ms after %s: %s", indices ? ", indices too," : "", sinceMs(since),
						indices ? "the clients stopped" : "the heal", briefs());
				return new Converged(primary, view(primary),
						data.values().stream().filter(n -> n != primary).toList());
			}
			if (System.nanoTime() > deadline) {
				throw new AssertionError(String.format("%s after %s the cluster is not one again: %s%n  %s%n"
						+ "  role changes: %s", within, indices ? "the clients stopped" : "the heal", why, briefs(),
						watch == null ? "-" : watch.changes()));
			}
			Thread.sleep(100);
		}
	}

	private NodeProcess primary() {
		for (NodeProcess n : data.values()) {
			JsonNode v = view(n);
			if (v != null && "PRIMARY".equals(v.get("role").asString())) {
				return n;
			}
		}
		throw new AssertionError("no primary any more: " + briefs());
	}

	String notConverged(boolean indices) {
		Map<String, JsonNode> views = new LinkedHashMap<>();
		for (NodeProcess n : nodes()) {
			JsonNode v = view(n);
			if (v == null) {
				return n.nodeId() + " does not answer /cluster";
			}
			views.put(n.nodeId(), v);
		}
		List<String> primaries = data.keySet().stream()
			.filter(id -> "PRIMARY".equals(views.get(id).get("role").asString()))
			.toList();
		if (primaries.size() != 1) {
			return "primaries among the data nodes: " + primaries;
		}
		String primary = primaries.get(0);
		JsonNode p = views.get(primary);
		long epoch = p.get("epoch").asLong();
		for (Map.Entry<String, JsonNode> e : views.entrySet()) {
			JsonNode v = e.getValue();
			if (e.getKey().equals(primary)) {
				continue;
			}
			if (v.get("epoch").asLong() != epoch || !primary.equals(v.get("primaryId").asString())) {
				return e.getKey() + " in epoch " + v.get("epoch") + " follows " + v.get("primaryId") + "; primary "
						+ primary + " is in epoch " + epoch;
			}
			if (data.containsKey(e.getKey())
					&& (!"BACKUP".equals(v.get("role").asString()) || !v.get("eligible").asBoolean())) {
				return e.getKey() + " is " + v.get("role") + ", eligible " + v.get("eligible");
			}
		}
		for (String holder : witness == null ? List.of(primary) : List.of(primary, "w")) {
			if (!members(views.get(holder)).containsAll(data.keySet())) {
				return "in-sync set held by " + holder + ": " + views.get(holder).get("inSync");
			}
		}
		if (!indices) {
			return null;
		}
		long last = p.get("lastIndex").asLong();
		if (p.get("commitIndex").asLong() != last) {
			return "primary " + primary + " last " + last + ", commit " + p.get("commitIndex");
		}
		for (String backup : data.keySet()) {
			if (backup.equals(primary)) {
				continue;
			}
			JsonNode peer = null;
			for (JsonNode x : p.get("peers")) {
				if (backup.equals(x.get("nodeId").asString())) {
					peer = x;
				}
			}
			if (peer == null || !peer.get("inSync").asBoolean() || peer.get("matchIndex").asLong() != last) {
				return "primary " + primary + " sees backup " + backup + " as " + peer + " (lastIndex " + last + ")";
			}
			JsonNode q = views.get(backup);
			if (q.get("lastIndex").asLong() != last || q.get("commitIndex").asLong() != last
					|| q.get("appliedIndex").asLong() != last) {
				return "last/commit/applied: primary " + last + ", backup " + backup + " " + q.get("lastIndex") + "/"
						+ q.get("commitIndex") + "/" + q.get("appliedIndex");
			}
		}
		return null;
	}

	static List<String> members(JsonNode view) {
		JsonNode inSync = view.get("inSync");
		List<String> members = new ArrayList<>();
		if (inSync != null && inSync.get("members") != null) {
			inSync.get("members").forEach(m -> members.add(m.asString()));
		}
		return members;
	}

	// --- checks -----------------------------------------------------------------------------------------------

	/**
	 * Every write acknowledged before the workload (in {@code before}) and by the workload is on the final
	 * primary, and every backup's own copy agrees (one in ten checked); one node acknowledges per epoch, and one
	 * says it is primary per epoch; the register was never read stale.
	 */
	void checkHistory(Converged end, Map<String, String> before, Workload load, ClusterWatch watch) {
		load.finalRead(end.primary());
		note("%s", load.summary());
		before.forEach((key, value) -> assertThat(http.get(end.primary().url(), key).body())
			.as("%s, written before the faults, on the final primary %s", key, end.primary().nodeId())
			.isEqualTo(value));
		List<String> lost = new ArrayList<>();
		List<Workload.Op> acked = load
			.ops(op -> op.isPut() && op.status() == 200 && !op.key().equals(Workload.REGISTER));
		for (Workload.Op op : acked) {
			KvHttp.Result r = http.get(end.primary().url(), op.key());
			if (r.status() != 200 || !op.value().equals(r.body())) {
				lost.add(op + " -> " + r.status() + " " + r.body());
			}
		}
		assertThat(lost).as("acknowledged writes (of %d) missing on the final primary %s", acked.size(),
				end.primary().nodeId())
			.isEmpty();
		int checked = 0;
		for (Workload.Op op : acked) {
			if (checked++ % 10 != 0) {
				continue;
			}
			for (NodeProcess backup : end.backups()) {
				assertThat(http.send(HttpRequest
					.newBuilder(URI.create(backup.url() + "/kv/" + op.key() + "?consistency=local"))
					.GET()).body()).as("%s on the backup %s (consistency=local)", op.key(), backup.nodeId())
					.isEqualTo(op.value());
			}
		}
		assertThat(load.servingConflicts()).as("epochs in which more than one node acknowledged writes").isEmpty();
		assertThat(load.registerViolations()).as("stale or impossible reads of the register").isEmpty();
		assertThat(watch.primariesPerEpoch().entrySet().stream().filter(e -> e.getValue().size() > 1).toList())
			.as("epochs in which more than one node said it was PRIMARY")
			.isEmpty();
	}

	// --- helpers ----------------------------------------------------------------------------------------------

	Map<String, String> writeSome(NodeProcess via, String prefix, int n) {
		Map<String, String> written = new LinkedHashMap<>();
		for (int i = 0; i < n; i++) {
			String key = prefix + i;
			KvHttp.Result r = http.put(via.url(), key, "v" + i);
			assertThat(r.status()).as("write %s: %s", key, r.body()).isEqualTo(200);
			written.put(key, "v" + i);
		}
		return written;
	}

	JsonNode view(NodeProcess node) {
		KvHttp.Result r = poll.send(HttpRequest.newBuilder(URI.create(node.url() + "/cluster")).GET());
		return r.status() == 200 ? JSON.readTree(r.body()) : null;
	}

	/** Every node's role, epoch, primary, indices and in-sync set, on one line. */
	String briefs() {
		StringBuilder s = new StringBuilder();
		for (NodeProcess n : nodes()) {
			s.append(s.isEmpty() ? "" : "; ").append(n.nodeId()).append(' ').append(brief(view(n)));
		}
		return s.toString();
	}

	static String brief(JsonNode v) {
		if (v == null) {
			return "(no answer)";
		}
		return String.format("%s epoch %s primary %s last %s commit %s inSync %s", v.get("role").asString(),
				v.get("epoch"), v.get("primaryId"), v.get("lastIndex"), v.get("commitIndex"),
				v.get("inSync") == null ? "-" : v.get("inSync"));
	}

	/** Copies every node's log, the workload's history and the role changes to {@code dir}. */
	void keepLogs(Path dir, Workload load, ClusterWatch watch) {
		try {
			Files.createDirectories(dir);
			for (NodeProcess node : nodes()) {
				if (Files.exists(node.logFile())) {
					Files.copy(node.logFile(), dir.resolve(node.nodeId() + ".log"),
							StandardCopyOption.REPLACE_EXISTING);
				}
			}
			if (load != null) {
				Files.write(dir.resolve("history.txt"), load.ops(op -> true)
					.stream()
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

	/**
	 * After a test: stops the clients and the watch, keeps the logs in {@code keptIn}, ends every node and deletes
	 * the namespaces, whatever fails on the way.
	 */
	static void tearDown(NamespacedCluster cluster, Workload load, ClusterWatch watch, Path keptIn) throws Exception {
		try {
			if (load != null) {
				load.close();
			}
			if (watch != null) {
				watch.close();
			}
		}
		finally {
			if (cluster != null) {
				try {
					cluster.keepLogs(keptIn, load, watch);
				}
				finally {
					cluster.close();
				}
			}
		}
	}

	/** Ends every node, then deletes the namespaces (throws if anything of them is left behind). */
	@Override
	public void close() throws Exception {
		try {
			for (NodeProcess n : nodes()) {
				n.close();
			}
		}
		finally {
			net.close();
			note("namespaces, veths and bridge of %s deleted", net);
		}
	}

	static long sinceMs(long nanos) {
		return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
	}

	static void note(String format, Object... args) {
		System.out.printf("[%6d ms] %s%n", sinceMs(T0), String.format(format, args));
	}

}
