package io.pbkv.process;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;

/**
 * One real pbkv node: {@code java -jar target/pbkv.jar} on 127.0.0.1 (or, see {@link #launchedBy}, on another
 * address and behind a launcher such as {@code ip netns exec}) with its own data dir and log file. Can be killed with
 * SIGKILL, paused with SIGSTOP and resumed with SIGCONT.
 */
public final class NodeProcess implements AutoCloseable {

	/** Ports {@link #freePort()} has handed out in this JVM. */
	private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

	private static final Path JAR = Path.of("target/pbkv.jar");

	/** What the tests run the node with: a small heap and C1 only, to start fast rather than run fast. */
	public static final List<String> TEST_JVM_OPTIONS = List.of("-Xmx256m", "-XX:TieredStopAtLevel=1");

	private final Path java;

	private final Path jar;

	private final List<String> jvmOptions;

	private final Map<String, String> environment = new LinkedHashMap<>();

	private final String nodeId;

	private final int port;

	private final String advertisedUrl;

	private final Path dataDir;

	private final Path logFile;

	private final List<String> extraArgs;

	/** What runs {@code java}, such as {@code ip netns exec NS}; empty to run it directly. */
	private final List<String> launcher;

	/** The address the node binds to and the tests reach it on. */
	private final String host;

	private Process process;

	/** How the test reaches a node that serves TLS, or null for plain HTTP. */
	private SSLContext tls;

	public NodeProcess(String nodeId, int port, Path workDir, List<String> extraArgs) {
		this(nodeId, port, null, workDir, extraArgs);
	}

	/**
	 * A node that advertises {@code advertisedUrl} to its peers instead of its own {@link #url()}: the address its
	 * peers list in {@code kv.peers}, such as a proxy in front of it. Clients of the test still use {@link #url()}.
	 */
	public NodeProcess(String nodeId, int port, String advertisedUrl, Path workDir, List<String> extraArgs) {
		this(Path.of(ProcessHandle.current().info().command().orElse("java")), JAR, TEST_JVM_OPTIONS, nodeId, port,
				advertisedUrl, workDir, extraArgs);
	}

	/**
	 * A node run by {@code java -jar jar} with the given JVM options instead of {@link #TEST_JVM_OPTIONS}; the
	 * benchmark uses it to measure the JVM as deployed (default heap, full JIT).
	 */
	public NodeProcess(Path java, Path jar, List<String> jvmOptions, String nodeId, int port, Path workDir,
			List<String> extraArgs) {
		this(java, jar, jvmOptions, nodeId, port, null, workDir, extraArgs);
	}

	private NodeProcess(Path java, Path jar, List<String> jvmOptions, String nodeId, int port, String advertisedUrl,
			Path workDir, List<String> extraArgs) {
		this(List.of(), "127.0.0.1", java, jar, jvmOptions, nodeId, port, advertisedUrl, workDir, extraArgs);
	}

	private NodeProcess(List<String> launcher, String host, Path java, Path jar, List<String> jvmOptions,
			String nodeId, int port, String advertisedUrl, Path workDir, List<String> extraArgs) {
		this.launcher = List.copyOf(launcher);
		this.host = host;
		this.java = java;
		this.jar = jar;
		this.jvmOptions = List.copyOf(jvmOptions);
		this.nodeId = nodeId;
		this.port = port;
		this.advertisedUrl = advertisedUrl != null ? advertisedUrl : url();
		this.dataDir = workDir.resolve(nodeId).resolve("data");
		this.logFile = workDir.resolve(nodeId).resolve("node.log");
		this.extraArgs = List.copyOf(extraArgs);
	}

	/**
	 * A node bound to {@code host} (which it also advertises to its peers) and run as {@code launcher java -jar ...},
	 * such as {@code ip netns exec NS java -jar ...} to run it in a network namespace whose address is {@code host}.
	 * The launcher must exec {@code java} in its own process, as {@code ip netns exec} does, so that the process
	 * the test kills, stops and continues is the node's JVM.
	 */
	public static NodeProcess launchedBy(List<String> launcher, String host, String nodeId, int port, Path workDir,
			List<String> extraArgs) {
		return new NodeProcess(launcher, host, Path.of(ProcessHandle.current().info().command().orElse("java")), JAR,
				TEST_JVM_OPTIONS, nodeId, port, null, workDir, extraArgs);
	}

	/**
	 * A port no process listens on, and that this JVM has not handed out before: the kernel may give the same free
	 * port to two binds in a row, and two nodes of one test given one port make one node answer for both.
	 */
	public static int freePort() throws IOException {
		for (int attempt = 0; attempt < 100; attempt++) {
			try (ServerSocket socket = new ServerSocket(0)) {
				if (HANDED_OUT.add(socket.getLocalPort())) {
					return socket.getLocalPort();
				}
			}
		}
		throw new IOException("100 free ports in a row had been handed out before");
	}

	public NodeProcess start() throws IOException {
		if (!Files.exists(jar)) {
			throw new IllegalStateException(jar + " is missing: run the tests with ./mvnw verify");
		}
		Files.createDirectories(logFile.getParent());
		ProcessBuilder builder = new ProcessBuilder(command()).redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
		builder.environment().putAll(environment);
		process = builder.start();
		return this;
	}

	/** Environment variables for the node's process, set the way a container's are. */
	public NodeProcess withEnvironment(Map<String, String> variables) {
		environment.putAll(variables);
		return this;
	}

	/** The command line {@link #start()} runs, for a benchmark to print. */
	public List<String> command() {
		List<String> command = new ArrayList<>(launcher);
		command.add(java.toString());
		command.addAll(jvmOptions);
		command.addAll(List.of("-jar", jar.toAbsolutePath().toString(), "--server.address=" + host,
				"--server.port=" + port, "--kv.node-id=" + nodeId, "--kv.advertised-url=" + advertisedUrl,
				"--kv.data-dir=" + dataDir));
		command.addAll(extraArgs);
		return command;
	}

	/** Polls until the node is ready to serve clients (it is primary or knows one), for at most {@code timeout}. */
	public NodeProcess awaitReady(Duration timeout) throws Exception {
		return await("/actuator/health/readiness", timeout);
	}

	/** Polls until the node runs, whether or not it can serve clients yet, for at most {@code timeout}. */
	public NodeProcess awaitLive(Duration timeout) throws Exception {
		return await("/actuator/health/liveness", timeout);
	}

	private NodeProcess await(String probe, Duration timeout) throws Exception {
		long deadline = System.nanoTime() + timeout.toNanos();
		HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500));
		HttpClient http = (tls != null ? builder.sslContext(tls) : builder).build();
		while (System.nanoTime() < deadline) {
			if (!process.isAlive()) {
				throw new IllegalStateException("node " + nodeId + " exited with " + process.exitValue() + "; log:\n"
						+ tail());
			}
			try {
				HttpResponse<String> r = http.send(
						HttpRequest.newBuilder(URI.create(url() + probe))
							.timeout(Duration.ofSeconds(1))
							.build(),
						HttpResponse.BodyHandlers.ofString());
				if (r.statusCode() == 200) {
					return this;
				}
			}
			catch (IOException ex) {
				// not listening yet
			}
			Thread.sleep(100);
		}
		throw new IllegalStateException("node " + nodeId + " not up (" + probe + ") within " + timeout + "; log:\n" + tail());
	}

	public void kill9() throws InterruptedException {
		process.destroyForcibly();
		process.waitFor(10, TimeUnit.SECONDS);
	}

	public void pause() throws Exception {
		signal("STOP");
	}

	public void resume() throws Exception {
		signal("CONT");
	}

	private void signal(String name) throws Exception {
		Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
		if (kill.waitFor() != 0) {
			throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
		}
	}

	public boolean isAlive() {
		return process != null && process.isAlive();
	}

	/** The test reaches the node over HTTPS, trusting what {@code context} trusts (its advertised URL is the caller's). */
	public NodeProcess withTls(SSLContext context) {
		this.tls = context;
		return this;
	}

	public String url() {
		return (tls != null ? "https://" : "http://") + host + ":" + port;
	}

	/** The process id of the node's JVM, for {@code /proc/<pid>/...}; the node must have been started. */
	public long pid() {
		return process.pid();
	}

	public String nodeId() {
		return nodeId;
	}

	public Path dataDir() {
		return dataDir;
	}

	public Path logFile() {
		return logFile;
	}

	public String tail() {
		try {
			List<String> lines = Files.readAllLines(logFile);
			return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
		}
		catch (IOException ex) {
			return "(no log: " + ex + ")";
		}
	}

	@Override
	public void close() throws InterruptedException {
		if (process != null && process.isAlive()) {
			try {
				resume();
			}
			catch (Exception ignored) {
				// best effort: a stopped process must be continued before it can exit
			}
			kill9();
		}
	}

}
