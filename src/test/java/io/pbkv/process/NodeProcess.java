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
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One real pbkv node: {@code java -jar target/pbkv.jar} on 127.0.0.1 with its own data dir and log file. Can be
 * killed with SIGKILL, paused with SIGSTOP and resumed with SIGCONT.
 */
public final class NodeProcess implements AutoCloseable {

	private static final Path JAR = Path.of("target/pbkv.jar");

	private final String nodeId;

	private final int port;

	private final Path dataDir;

	private final Path logFile;

	private final List<String> extraArgs;

	private Process process;

	public NodeProcess(String nodeId, int port, Path workDir, List<String> extraArgs) {
		this.nodeId = nodeId;
		this.port = port;
		this.dataDir = workDir.resolve(nodeId).resolve("data");
		this.logFile = workDir.resolve(nodeId).resolve("node.log");
		this.extraArgs = List.copyOf(extraArgs);
	}

	public static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

	public NodeProcess start() throws IOException {
		if (!Files.exists(JAR)) {
			throw new IllegalStateException(JAR + " is missing: run the tests with ./mvnw verify");
		}
		Files.createDirectories(logFile.getParent());
		String java = ProcessHandle.current().info().command().orElse("java");
		List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-jar",
				JAR.toAbsolutePath().toString(), "--server.address=127.0.0.1", "--server.port=" + port,
				"--kv.node-id=" + nodeId, "--kv.advertised-url=" + url(), "--kv.data-dir=" + dataDir));
		command.addAll(extraArgs);
		process = new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
			.start();
		return this;
	}

	/** Polls until the node answers {@code /cluster} with a role, for at most {@code timeout}. */
	public NodeProcess awaitReady(Duration timeout) throws Exception {
		long deadline = System.nanoTime() + timeout.toNanos();
		HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();
		while (System.nanoTime() < deadline) {
			if (!process.isAlive()) {
				throw new IllegalStateException("node " + nodeId + " exited with " + process.exitValue() + "; log:\n"
						+ tail());
			}
			try {
				HttpResponse<String> r = http.send(
						HttpRequest.newBuilder(URI.create(url() + "/actuator/health/readiness"))
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
		throw new IllegalStateException("node " + nodeId + " not ready within " + timeout + "; log:\n" + tail());
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

	public String url() {
		return "http://127.0.0.1:" + port;
	}

	public String nodeId() {
		return nodeId;
	}

	public Path dataDir() {
		return dataDir;
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
