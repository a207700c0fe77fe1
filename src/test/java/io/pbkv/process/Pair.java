package io.pbkv.process;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The primary-backup pair as real processes on 127.0.0.1: node a starts as primary, b as backup, each with its
 * own data dir, a cluster token, and a short heartbeat timeout so that failovers take seconds.
 */
final class Pair implements AutoCloseable {

	static final String TOKEN = "test-token";

	static final Duration TIMEOUT = Duration.ofSeconds(2);

	final NodeProcess a;

	final NodeProcess b;

	final KvHttp http = new KvHttp(Duration.ofSeconds(10));

	private final ObjectMapper json = new ObjectMapper();

	Pair(Path work, String... extraArgs) throws Exception {
		int portA = NodeProcess.freePort();
		int portB = NodeProcess.freePort();
		a = new NodeProcess("a", portA, work, args("http://127.0.0.1:" + portB, "primary", extraArgs));
		b = new NodeProcess("b", portB, work, args("http://127.0.0.1:" + portA, "backup", extraArgs));
	}

	/** A pair of nodes built elsewhere (with {@link #args}), for tests that put something between them. */
	Pair(NodeProcess a, NodeProcess b) {
		this.a = a;
		this.b = b;
	}

	private static List<String> args(String peer, String role, String... extra) {
		return args(peer, role, Duration.ofMillis(300), TIMEOUT, extra);
	}

	/** The arguments of a pair node whose peer is {@code peer}: the pair's token, the given heartbeat. */
	static List<String> args(String peer, String role, Duration heartbeatInterval, Duration heartbeatTimeout,
			String... extra) {
		List<String> args = new ArrayList<>(List.of("--kv.peers=" + peer, "--kv.initial-role=" + role,
				"--kv.cluster.token=" + TOKEN, "--kv.heartbeat.interval=" + heartbeatInterval.toMillis() + "ms",
				"--kv.heartbeat.timeout=" + heartbeatTimeout.toMillis() + "ms"));
		args.addAll(List.of(extra));
		return args;
	}

	Pair start() throws Exception {
		a.start();
		b.start();
		a.awaitReady(Duration.ofSeconds(90));
		b.awaitReady(Duration.ofSeconds(90));
		awaitInSync(a, b);
		return this;
	}

	JsonNode cluster(NodeProcess node) {
		KvHttp.Result r = http.send(HttpRequest.newBuilder(URI.create(node.url() + "/cluster")).GET());
		return r.status() == 200 ? json.readTree(r.body()) : null;
	}

	boolean isPrimary(NodeProcess node) {
		JsonNode c = cluster(node);
		return c != null && "PRIMARY".equals(c.get("role").asString());
	}

	/** Waits until {@code primary} leads and {@code backup} is in its in-sync set (so it may take over). */
	void awaitInSync(NodeProcess primary, NodeProcess backup) throws InterruptedException {
		await("backup " + backup.nodeId() + " in sync with primary " + primary.nodeId(), Duration.ofSeconds(60), () -> {
			JsonNode c = cluster(primary);
			JsonNode bc = cluster(backup);
			return c != null && bc != null && "PRIMARY".equals(c.get("role").asString())
					&& c.get("peers").get(0).get("inSync").asBoolean() && bc.get("eligible").asBoolean();
		});
	}

	void awaitPrimary(NodeProcess node, Duration timeout) throws InterruptedException {
		await(node.nodeId() + " to become primary", timeout, () -> isPrimary(node));
	}

	static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (System.nanoTime() < deadline) {
			if (condition.getAsBoolean()) {
				return;
			}
			Thread.sleep(50);
		}
		throw new AssertionError("timed out after " + timeout + " waiting for " + what);
	}

	@Override
	public void close() throws InterruptedException {
		a.close();
		b.close();
	}

}
