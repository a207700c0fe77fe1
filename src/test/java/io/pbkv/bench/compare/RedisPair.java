package io.pbkv.bench.compare;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Redis 7, a primary and a replica ({@code replicaof}) on 127.0.0.1, each with its own port and dir, both with
 * {@code appendonly yes}, {@code appendfsync always} (the AOF is fsynced before a write is answered) and no RDB
 * snapshots ({@code --save ""}). Writes go to the primary as {@code SET} + {@code WAIT 1 0}.
 */
final class RedisPair implements AutoCloseable {

	private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);

	private final ExternalProcess primary;

	private final ExternalProcess replica;

	private final int primaryPort;

	private final int replicaPort;

	RedisPair(String binary, Path dir) throws IOException {
		Set<Integer> taken = new TreeSet<>();
		this.primaryPort = Ports.free(taken);
		this.replicaPort = Ports.free(taken);
		Path primaryDir = dir.resolve("primary").toAbsolutePath();
		Path replicaDir = dir.resolve("replica").toAbsolutePath();
		Files.createDirectories(primaryDir);
		Files.createDirectories(replicaDir);
		this.primary = new ExternalProcess("redis primary", command(binary, this.primaryPort, primaryDir, List.of()),
				dir.resolve("primary.log"));
		this.replica = new ExternalProcess("redis replica",
				command(binary, this.replicaPort, replicaDir, List.of("--replicaof", "127.0.0.1", Integer.toString(this.primaryPort))),
				dir.resolve("replica.log"));
	}

	private static List<String> command(String binary, int port, Path dir, List<String> extra) {
		List<String> command = new ArrayList<>(List.of(binary, "--bind", "127.0.0.1", "--port", Integer.toString(port),
				"--dir", dir.toString(), "--daemonize", "no", "--appendonly", "yes", "--appendfsync", "always", "--save",
				""));
		command.addAll(extra);
		return command;
	}

	List<ExternalProcess> processes() {
		return List.of(this.primary, this.replica);
	}

	int primaryPort() {
		return this.primaryPort;
	}

	/**
	 * Starts both and waits until the primary counts one online replica and the replica reports its link up, and a
	 * {@code SET} + {@code WAIT 1 0} succeeds.
	 */
	void start() throws Exception {
		this.primary.start();
		this.replica.start();
		long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
		try (RedisConnection p = new RedisConnection("127.0.0.1", this.primaryPort, Duration.ofSeconds(5));
				RedisConnection r = new RedisConnection("127.0.0.1", this.replicaPort, Duration.ofSeconds(5))) {
			String primaryInfo = "";
			String replicaInfo = "";
			while (true) {
				this.primary.requireAlive();
				this.replica.requireAlive();
				primaryInfo = info(p);
				replicaInfo = info(r);
				if (primaryInfo.contains("connected_slaves:1") && primaryInfo.contains("state=online")
						&& replicaInfo.contains("master_link_status:up")) {
					break;
				}
				if (System.nanoTime() > deadline) {
					throw new IllegalStateException("redis replica not in sync within " + STARTUP_TIMEOUT.toSeconds()
							+ " s; primary says:\n" + primaryInfo + "\nreplica says:\n" + replicaInfo);
				}
				Thread.sleep(200);
			}
			var replies = p.pipeline(concat(Resp.command("SET", "check", "ok"), Resp.command("WAIT", "1", "5000")), 2);
			if (Resp.integer(replies.get(1)) < 1) {
				throw new IllegalStateException("redis SET + WAIT 1 did not reach the replica: " + replies);
			}
		}
	}

	private static String info(RedisConnection redis) {
		try {
			Resp.Reply reply = redis.call("INFO", "replication");
			return (reply instanceof Resp.Reply.Bulk b && b.bytes() != null)
					? new String(b.bytes(), StandardCharsets.UTF_8) : String.valueOf(reply);
		}
		catch (IOException ex) {
			return "(no answer: " + ex.getMessage() + ")";
		}
	}

	static byte[] concat(byte[] a, byte[] b) {
		byte[] both = new byte[a.length + b.length];
		System.arraycopy(a, 0, both, 0, a.length);
		System.arraycopy(b, 0, both, a.length, b.length);
		return both;
	}

	@Override
	public void close() {
		this.replica.close();
		this.primary.close();
	}

}
