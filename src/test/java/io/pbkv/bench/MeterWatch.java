package io.pbkv.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.OptionalDouble;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Scrapes a node's {@code /actuator/prometheus} every {@link #PERIOD} while a phase runs and keeps the largest
 * {@code _max} of the snapshot timer ({@code kv.storage.snapshot}) and of the loop stall meter
 * ({@code kv.loop.stall}, absent from older nodes). Micrometer's {@code _max} only covers the last two minutes or
 * so, hence a scrape every second rather than one at the end.
 */
final class MeterWatch {

	static final String SNAPSHOT_MAX = "kv_storage_snapshot_seconds_max";

	static final String SNAPSHOT_COUNT = "kv_storage_snapshot_seconds_count";

	static final String LOOP_STALL_MAX = "kv_loop_stall_seconds_max";

	private static final Duration PERIOD = Duration.ofSeconds(1);

	/**
	 * What the scrapes showed.
	 *
	 * @param snapshotMaxSeconds the longest snapshot write seen; empty without a scrape that had the timer
	 * @param snapshots snapshots written during the phase (count at the last scrape minus at the first)
	 * @param loopStallMaxSeconds the longest loop stall seen; empty when the node has no such meter
	 * @param scrapes scrapes answered
	 */
	record Result(OptionalDouble snapshotMaxSeconds, OptionalDouble snapshots, OptionalDouble loopStallMaxSeconds,
			int scrapes) {
	}

	private final URI node;

	private final AtomicBoolean stop = new AtomicBoolean();

	private final Thread thread;

	private OptionalDouble snapshotMax = OptionalDouble.empty();

	private OptionalDouble firstCount = OptionalDouble.empty();

	private OptionalDouble lastCount = OptionalDouble.empty();

	private OptionalDouble loopStallMax = OptionalDouble.empty();

	private int scrapes;

	private MeterWatch(URI node) {
		this.node = node;
		this.thread = Thread.ofPlatform().name("bench-meter-watch").start(this::loop);
	}

	/** Starts scraping {@code node} at once, then every {@link #PERIOD}. */
	static MeterWatch start(URI node) {
		return new MeterWatch(node);
	}

	/** A last scrape, then the largest values seen. */
	Result stop() throws InterruptedException {
		this.stop.set(true);
		this.thread.interrupt();
		this.thread.join(Duration.ofSeconds(10));
		try (HttpClient http = Nodes.newHttpClient()) {
			scrape(http);
		}
		synchronized (this) {
			OptionalDouble snapshots = (this.firstCount.isPresent() && this.lastCount.isPresent())
					? OptionalDouble.of(this.lastCount.getAsDouble() - this.firstCount.getAsDouble())
					: OptionalDouble.empty();
			return new Result(this.snapshotMax, snapshots, this.loopStallMax, this.scrapes);
		}
	}

	private void loop() {
		try (HttpClient http = Nodes.newHttpClient()) {
			while (!this.stop.get()) {
				scrape(http);
				Thread.sleep(PERIOD);
			}
		}
		catch (InterruptedException ex) {
			// stop() interrupts the sleep
		}
	}

	private void scrape(HttpClient http) {
		String body = Nodes.prometheus(http, this.node);
		if (body == null) {
			return;
		}
		PrometheusText text = PrometheusText.parse(body);
		synchronized (this) {
			this.scrapes++;
			this.snapshotMax = larger(this.snapshotMax, text.max(SNAPSHOT_MAX));
			this.loopStallMax = larger(this.loopStallMax, text.max(LOOP_STALL_MAX));
			OptionalDouble count = text.max(SNAPSHOT_COUNT);
			if (this.firstCount.isEmpty()) {
				this.firstCount = count;
			}
			if (count.isPresent()) {
				this.lastCount = count;
			}
		}
	}

	static OptionalDouble larger(OptionalDouble a, OptionalDouble b) {
		if (a.isEmpty()) {
			return b;
		}
		if (b.isEmpty()) {
			return a;
		}
		return OptionalDouble.of(Math.max(a.getAsDouble(), b.getAsDouble()));
	}

}
