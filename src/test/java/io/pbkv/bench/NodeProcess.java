package io.pbkv.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
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

/** One pbkv node run from the jar as a child process, with its own data dir and log file under {@code dir}. */
final class NodeProcess implements AutoCloseable {

	private static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);

	private final List<String> command = new ArrayList<>();

	private final String nodeId;

	private final URI url;

	private final Path dir;

	private Process process;

	NodeProcess(Path java, Path jar, String nodeId, int port, Path dir, List<String> extraArgs) {
		this.nodeId = nodeId;
		this.url = URI.create("http://localhost:" + port);
		this.dir = dir;
		this.command.addAll(List.of(java.toString(), "-jar", jar.toAbsolutePath().toString(), "--server.port=" + port,
				"--kv.node-id=" + nodeId, "--kv.advertised-url=" + this.url, "--kv.data-dir=" + dir.resolve("data")));
		this.command.addAll(extraArgs);
	}

	/** A port that was free a moment ago; good enough for a benchmark on one machine. */
	static int freePort() {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	URI url() {
		return this.url;
	}

	Path log() {
		return this.dir.resolve("node.log");
	}

	void start() throws IOException {
		Files.createDirectories(this.dir);
		this.process = new ProcessBuilder(this.command).redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()))
			.start();
	}

	/** Polls the readiness probe until it answers 200; throws if the process exits or time runs out. */
	void awaitReady(Duration timeout) throws IOException, InterruptedException {
		URI readiness = this.url.resolve("/actuator/health/readiness");
		long deadline = System.nanoTime() + timeout.toNanos();
		try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build()) {
			while (true) {
				if (!this.process.isAlive()) {
					throw new IllegalStateException("node " + this.nodeId + " exited with status "
							+ this.process.exitValue() + " during startup; its log:\n" + logTail());
				}
				try {
					HttpRequest request = HttpRequest.newBuilder(readiness).timeout(Duration.ofSeconds(2)).build();
					if (http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
						return;
					}
				}
				catch (IOException notYetListening) {
					// keep polling
				}
				if (System.nanoTime() > deadline) {
					throw new IllegalStateException("node " + this.nodeId + " not ready after " + timeout.toSeconds()
							+ " s; its log:\n" + logTail());
				}
				Thread.sleep(200);
			}
		}
	}

	/** SIGTERM, then SIGKILL if the node has not exited after {@link #STOP_TIMEOUT}. */
	@Override
	public synchronized void close() {
		if (this.process == null || !this.process.isAlive()) {
			return;
		}
		this.process.destroy();
		try {
			if (!this.process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
				this.process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
			}
		}
		catch (InterruptedException ex) {
			this.process.destroyForcibly();
			Thread.currentThread().interrupt();
		}
	}

	private String logTail() {
		try {
			List<String> lines = Files.readAllLines(log());
			return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
		}
		catch (IOException ex) {
			return "(cannot read " + log() + ": " + ex.getMessage() + ")";
		}
	}

}
