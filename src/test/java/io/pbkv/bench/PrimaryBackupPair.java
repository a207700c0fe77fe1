package io.pbkv.bench;

import io.pbkv.process.NodeProcess;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The primary-backup pair with its defaults: synchronous replication, fsync always, the default heartbeat.
 * Node {@code a} starts as primary, {@code b} as backup, each naming the other in {@code kv.peers} by the URL the
 * other advertises ({@code http://127.0.0.1:<port>}), each with its own data dir. The load goes to the primary.
 *
 * <p>For the failover runs it can kill the primary with SIGKILL and restart the killed node as backup on the
 * same port and data dir; it tracks which node leads. For the scale rows it can kill the backup and start it
 * again without waiting. Node indexes are 0 for {@code a} and 1 for {@code b}.
 */
public final class PrimaryBackupPair implements Target {

	private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(90);

	/** Until the primary admits the backup to its in-sync set after a (re)start: catch-up included. */
	private static final Duration IN_SYNC_TIMEOUT = Duration.ofSeconds(90);

	private static final String[] IDS = { "a", "b" };

	private final BenchSettings settings;

	private final Path dir;

	private final List<String> jvmOptions;

	private final int[] ports = new int[2];

	private final NodeProcess[] nodes = new NodeProcess[2];

	private final HttpClient http = Nodes.newHttpClient();

	/** Index of the node that leads, as far as this class made it so. */
	private volatile int primary;

	private boolean closed;

	public PrimaryBackupPair(BenchSettings settings, Path dir) throws IOException {
		this(settings, dir, List.of());
	}

	/** A pair whose nodes run with these JVM options, such as the scale rows' {@code -Xmx}. */
	PrimaryBackupPair(BenchSettings settings, Path dir, List<String> jvmOptions) throws IOException {
		this.settings = settings;
		this.dir = dir;
		this.jvmOptions = List.copyOf(jvmOptions);
		this.ports[0] = NodeProcess.freePort();
		do {
			this.ports[1] = NodeProcess.freePort();
		}
		while (this.ports[1] == this.ports[0]);
	}

	@Override
	public String name() {
		return "pair (sync)";
	}

	@Override
	public void start() throws Exception {
		launch(0, "primary");
		launch(1, "backup");
		this.nodes[0].awaitReady(STARTUP_TIMEOUT);
		this.nodes[1].awaitReady(STARTUP_TIMEOUT);
		this.primary = 0;
		awaitInSync();
	}

	@Override
	public URI clientUrl() {
		return url(this.primary);
	}

	public URI url(int node) {
		return URI.create("http://127.0.0.1:" + this.ports[node]);
	}

	static String id(int node) {
		return IDS[node];
	}

	public int primary() {
		return this.primary;
	}

	public int backup() {
		return 1 - this.primary;
	}

	/**
	 * SIGKILL of the primary; from now on the backup counts as primary (it takes over on its own after the
	 * heartbeat timeout). Returns {@link System#nanoTime()} just before the signal.
	 */
	long killPrimary() throws InterruptedException {
		int victim = this.primary;
		long killedAt = System.nanoTime();
		this.nodes[victim].kill9();
		this.primary = 1 - victim;
		return killedAt;
	}

	/**
	 * Starts the killed node again on its port and data dir, as backup of the survivor, and waits until the
	 * survivor has admitted it to its in-sync set (it rejoins by itself).
	 */
	void restartBackup() throws Exception {
		int node = backup();
		launch(node, "backup");
		this.nodes[node].awaitReady(STARTUP_TIMEOUT);
		awaitInSync();
	}

	/** SIGKILL of the backup; the primary goes on alone once it drops the backup from its in-sync set. */
	void killBackup() throws InterruptedException {
		this.nodes[backup()].kill9();
	}

	/**
	 * Starts the backup's process again on its port and data dir (which may have been deleted meanwhile) and
	 * returns at once, with {@link System#nanoTime()} just before the start.
	 */
	long launchBackup() throws IOException {
		long startedAt = System.nanoTime();
		launch(backup(), "backup");
		return startedAt;
	}

	/** The process of {@code node}: its pid, data dir and log. */
	public NodeProcess process(int node) {
		return this.nodes[node];
	}

	/**
	 * Polls until the primary reports role PRIMARY with {@code peers[0].inSync} and the backup reports itself
	 * eligible to take over; bounded by {@link #IN_SYNC_TIMEOUT}.
	 */
	void awaitInSync() throws InterruptedException {
		int p = this.primary;
		long deadline = System.nanoTime() + IN_SYNC_TIMEOUT.toNanos();
		Optional<ClusterView> primaryView = Optional.empty();
		Optional<ClusterView> backupView = Optional.empty();
		while (System.nanoTime() < deadline) {
			primaryView = view(p);
			backupView = view(1 - p);
			if (primaryView.filter(ClusterView::isPrimaryWithBackupInSync).isPresent()
					&& backupView.filter(ClusterView::eligible).isPresent()) {
				return;
			}
			for (int node = 0; node < 2; node++) {
				if (!this.nodes[node].isAlive()) {
					throw new IllegalStateException("node " + id(node) + " exited while waiting for the pair to be"
							+ " in sync; its log:\n" + this.nodes[node].tail());
				}
			}
			Thread.sleep(100);
		}
		throw new IllegalStateException("backup " + id(1 - p) + " not in sync with primary " + id(p) + " after "
				+ IN_SYNC_TIMEOUT.toSeconds() + " s: " + id(p) + " says " + primaryView.orElse(null) + ", "
				+ id(1 - p) + " says " + backupView.orElse(null) + "; log of " + id(1 - p) + ":\n"
				+ this.nodes[1 - p].tail());
	}

	Optional<ClusterView> view(int node) {
		String body = Nodes.cluster(this.http, url(node));
		return (body != null) ? ClusterView.parse(body) : Optional.empty();
	}

	/** A new process for {@code node} (a killed one is replaced), unless the benchmark is already stopping. */
	private synchronized void launch(int node, String role) throws IOException {
		if (this.closed) {
			throw new IllegalStateException("the benchmark is stopping");
		}
		int peer = 1 - node;
		this.nodes[node] = this.settings.node(id(node), this.ports[node], this.dir, this.jvmOptions,
				List.of("--kv.initial-role=" + role, "--kv.peers=" + url(peer), "--kv.storage.fsync=always"));
		this.nodes[node].start();
	}

	@Override
	public synchronized void close() {
		this.closed = true;
		for (NodeProcess node : this.nodes) {
			Nodes.stop(node);
		}
		this.http.close();
	}

}
