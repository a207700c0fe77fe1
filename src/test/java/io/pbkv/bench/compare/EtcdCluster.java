package io.pbkv.bench.compare;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Three etcd members on 127.0.0.1, each with its own client and peer port and data dir, otherwise etcd's defaults
 * (the WAL is fsynced before a write is acknowledged; heartbeat 100 ms, election timeout 1000 ms, snapshot count
 * 100000). The load goes to the leader through the JSON gateway, as pbkv's goes to its primary.
 */
final class EtcdCluster implements AutoCloseable {

	private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);

	private static final Pattern MEMBER_ID = Pattern.compile("\"member_id\"\\s*:\\s*\"?(\\d+)");

	private static final Pattern LEADER = Pattern.compile("\"leader\"\\s*:\\s*\"?(\\d+)");

	private final List<ExternalProcess> members = new ArrayList<>();

	private final int[] clientPorts = new int[3];

	private URI leader;

	private String apiPrefix;

	EtcdCluster(String binary, Path dir) throws IOException {
		int[] peerPorts = new int[3];
		Set<Integer> taken = new TreeSet<>();
		for (int i = 0; i < 3; i++) {
			this.clientPorts[i] = Ports.free(taken);
			peerPorts[i] = Ports.free(taken);
		}
		List<String> initial = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			initial.add(name(i) + "=http://127.0.0.1:" + peerPorts[i]);
		}
		for (int i = 0; i < 3; i++) {
			String client = "http://127.0.0.1:" + this.clientPorts[i];
			String peer = "http://127.0.0.1:" + peerPorts[i];
			List<String> command = List.of(binary, "--name", name(i), "--data-dir",
					dir.resolve(name(i)).toAbsolutePath().toString(), "--listen-client-urls", client,
					"--advertise-client-urls", client, "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
					"--initial-cluster", String.join(",", initial), "--initial-cluster-token", "pbkv-compare",
					"--initial-cluster-state", "new", "--logger", "zap", "--log-outputs", "stderr");
			this.members.add(new ExternalProcess("etcd " + name(i), command, dir.resolve(name(i) + ".log")));
		}
	}

	private static String name(int i) {
		return "m" + (i + 1);
	}

	List<ExternalProcess> members() {
		return this.members;
	}

	/**
	 * Starts the members, waits until each answers {@code /health} with true, finds the leader, and which path of the
	 * JSON gateway serves ({@code /v3} or {@code /v3beta}).
	 */
	void start() throws Exception {
		for (ExternalProcess member : this.members) {
			member.start();
		}
		long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
		for (int i = 0; i < 3; i++) {
			while (true) {
				this.members.get(i).requireAlive();
				HttpResponse r = OneOffHttp.get(url(i), "/health");
				if (r != null && r.status() == 200 && r.bodyText().contains("\"true\"")) {
					break;
				}
				timeout(deadline, "etcd " + name(i) + " not healthy");
				Thread.sleep(200);
			}
		}
		while (this.leader == null) {
			for (int i = 0; i < 3 && this.leader == null; i++) {
				for (String prefix : List.of("/v3", "/v3beta")) {
					HttpResponse r = OneOffHttp.post(url(i), prefix + "/maintenance/status", "{}");
					if (r == null || r.status() != 200) {
						continue;
					}
					Matcher id = MEMBER_ID.matcher(r.bodyText());
					Matcher leaderId = LEADER.matcher(r.bodyText());
					if (id.find() && leaderId.find() && id.group(1).equals(leaderId.group(1))) {
						this.leader = url(i);
						this.apiPrefix = prefix;
					}
					break;
				}
			}
			if (this.leader == null) {
				timeout(deadline, "no etcd leader found");
				Thread.sleep(200);
			}
		}
		HttpResponse put = OneOffHttp.post(this.leader, this.apiPrefix + "/kv/put",
				"{\"key\":\"Y2hlY2s=\",\"value\":\"b2s=\"}");
		if (put == null || put.status() != 200) {
			throw new IllegalStateException("etcd does not take a PUT at " + this.leader + this.apiPrefix
					+ "/kv/put: " + (put == null ? "no answer" : put.status() + " " + put.bodyText()));
		}
	}

	private static void timeout(long deadline, String what) {
		if (System.nanoTime() > deadline) {
			throw new IllegalStateException(what + " within " + STARTUP_TIMEOUT.toSeconds() + " s");
		}
	}

	URI url(int member) {
		return URI.create("http://127.0.0.1:" + this.clientPorts[member]);
	}

	URI leader() {
		return this.leader;
	}

	String leaderName() {
		for (int i = 0; i < 3; i++) {
			if (url(i).equals(this.leader)) {
				return name(i);
			}
		}
		return "?";
	}

	/** {@code /v3} or {@code /v3beta}: the JSON gateway's path on this etcd. */
	String apiPrefix() {
		return this.apiPrefix;
	}

	@Override
	public void close() {
		this.members.forEach(ExternalProcess::close);
	}

}
