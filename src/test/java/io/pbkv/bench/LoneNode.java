package io.pbkv.bench;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** A single node without peers, primary from the start, fsync on every commit (group commit allowed). */
final class LoneNode implements Target {

	private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(90);

	private final NodeProcess node;

	LoneNode(BenchSettings settings, Path dir) {
		this.node = new NodeProcess(settings.java(), settings.jar(), "bench-a", NodeProcess.freePort(), dir.resolve("a"),
				List.of("--kv.initial-role=primary", "--kv.storage.fsync=always"));
	}

	@Override
	public String name() {
		return "lone node";
	}

	@Override
	public void start() throws Exception {
		this.node.start();
		this.node.awaitReady(STARTUP_TIMEOUT);
	}

	@Override
	public URI clientUrl() {
		return this.node.url();
	}

	@Override
	public void close() {
		this.node.close();
	}

}
