package io.pbkv.api;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.pbkv.runtime.NodeRuntime;

import java.util.concurrent.atomic.AtomicInteger;

import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The watches this node is streaming. It stops before the web server's graceful shutdown, which waits for open
 * requests: a watch never ends by itself, so each one is told to finish (with a last event saying why) first.
 */
@Component
class Watches implements SmartLifecycle {

	private final NodeRuntime runtime;

	private final AtomicInteger open = new AtomicInteger();

	private volatile boolean running;

	Watches(NodeRuntime runtime, MeterRegistry registry) {
		this.runtime = runtime;
		Gauge.builder("kv.watches.open", open, AtomicInteger::get)
			.description("Watches (GET /kv?watch=true) this node is streaming now")
			.register(registry);
	}

	void opened() {
		open.incrementAndGet();
	}

	void closed() {
		open.decrementAndGet();
	}

	/** False once the node is shutting down: every watch then ends. */
	boolean accepting() {
		return running;
	}

	@Override
	public void start() {
		running = true;
	}

	@Override
	public void stop() {
		running = false;
		runtime.wakeFollowers();
	}

	@Override
	public boolean isRunning() {
		return running;
	}

}
