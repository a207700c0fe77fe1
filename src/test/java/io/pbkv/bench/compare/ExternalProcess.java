package io.pbkv.bench.compare;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A server process the comparison starts (an etcd member, a Redis server): its command line, stdout and stderr to
 * a log file, stopped with SIGKILL (its data is thrown away, so a clean shutdown buys nothing).
 */
final class ExternalProcess implements AutoCloseable {

	private final String name;

	private final List<String> command;

	private final Path log;

	private Process process;

	private boolean closed;

	ExternalProcess(String name, List<String> command, Path log) {
		this.name = name;
		this.command = List.copyOf(command);
		this.log = log;
	}

	synchronized ExternalProcess start() throws IOException {
		if (this.closed) {
			throw new IllegalStateException("the benchmark is stopping");
		}
		Files.createDirectories(this.log.getParent());
		this.process = new ProcessBuilder(this.command).redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.appendTo(this.log.toFile()))
			.start();
		return this;
	}

	String name() {
		return this.name;
	}

	boolean isAlive() {
		return this.process != null && this.process.isAlive();
	}

	/** Throws with the end of its log when it has exited. */
	void requireAlive() {
		if (this.process != null && !this.process.isAlive()) {
			throw new IllegalStateException(this.name + " exited with " + this.process.exitValue() + "; log:\n" + tail());
		}
	}

	String tail() {
		try {
			List<String> lines = Files.readAllLines(this.log);
			return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
		}
		catch (IOException ex) {
			return "(no log: " + ex + ")";
		}
	}

	/** The command line as a shell would take it, for the benchmark to print. */
	String commandLine() {
		return shellQuote(this.command);
	}

	static String shellQuote(List<String> words) {
		return words.stream().map(ExternalProcess::quote).collect(Collectors.joining(" "));
	}

	private static String quote(String word) {
		if (word.isEmpty()) {
			return "\"\"";
		}
		if (word.matches("[A-Za-z0-9_./:=,@%+-]+")) {
			return word;
		}
		return "'" + word.replace("'", "'\\''") + "'";
	}

	@Override
	public synchronized void close() {
		this.closed = true;
		if (this.process != null && this.process.isAlive()) {
			this.process.destroyForcibly();
			try {
				this.process.waitFor(10, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
	}

}
