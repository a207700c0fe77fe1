package io.pbkv.bench;

import io.pbkv.process.NodeProcess;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A single node without peers, primary from the start, fsync on every commit (group commit allowed). */
public final class LoneNode implements Target {

	private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(90);

	private final NodeProcess node;

	private boolean closed;

	LoneNode(BenchSettings settings, Path dir) throws IOException {
		this(settings, dir, List.of());
	}

	/** A lone node started with these arguments besides its own, such as {@code --kv.bench.no-op-endpoint=true}. */
	public LoneNode(BenchSettings settings, Path dir, List<String> extraArgs) throws IOException {
		List<String> args = new ArrayList<>(List.of("--kv.initial-role=primary", "--kv.storage.fsync=always"));
		args.addAll(extraArgs);
		this.node = settings.node("a", NodeProcess.freePort(), dir, args);
	}

	/** Its process: the command line, pid and log. */
	public NodeProcess process() {
		return this.node;
	}

	@Override
	public String name() {
		return "lone node";
	}

	@Override
	public void start() throws Exception {
		synchronized (this) {
			// After close() (the shutdown hook ran), starting would leave a process behind.
			if (this.closed) {
				throw new IllegalStateException("the benchmark is stopping");
			}
			this.node.start();
		}
		this.node.awaitReady(STARTUP_TIMEOUT);
	}

	@Override
	public URI clientUrl() {
		return URI.create(this.node.url());
	}

	@Override
	public synchronized void close() {
		this.closed = true;
		Nodes.stop(this.node);
	}

}
