package io.pbkv.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One more client beside a load: PUTs small keys ({@code <prefix><n>}) to a node one at a time, at most one every
 * {@code period}, and keeps the longest time between two consecutive acknowledgements (200), counting from its
 * start and up to its stop, so a node that never answers again shows the whole time. That is the stall a user
 * sees, whatever the node's own meters say.
 */
final class AckGapWriter {

	private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

	private static final byte[] VALUE = "gap-probe".getBytes(StandardCharsets.UTF_8);

	/**
	 * What the writer saw.
	 *
	 * @param acknowledged PUTs answered 200
	 * @param failed PUTs answered otherwise or not at all
	 * @param longestGap the longest time without an acknowledgement, between start, acknowledgements and stop
	 * @param sentBytes key and value bytes of every PUT sent
	 */
	record Result(long acknowledged, long failed, Duration longestGap, long sentBytes) {
	}

	private final URI node;

	private final String prefix;

	private final Duration period;

	private final AtomicBoolean stop = new AtomicBoolean();

	private final Thread thread;

	private final long started = System.nanoTime();

	private long lastAck = this.started;

	private long longestGap;

	private long acknowledged;

	private long failed;

	private long sentBytes;

	private AckGapWriter(URI node, String prefix, Duration period) {
		this.node = node;
		this.prefix = prefix;
		this.period = period;
		this.thread = Thread.ofPlatform().name("bench-gap-writer").start(this::loop);
	}

	static AckGapWriter start(URI node, String prefix, Duration period) {
		return new AckGapWriter(node, prefix, period);
	}

	/** Stops the writer after its request in flight (at most the request timeout) and says what it saw. */
	Result stop() throws InterruptedException {
		long stoppedAt = System.nanoTime();
		this.stop.set(true);
		this.thread.join(REQUEST_TIMEOUT.plusSeconds(2));
		synchronized (this) {
			long gap = Math.max(this.longestGap, stoppedAt - this.lastAck);
			return new Result(this.acknowledged, this.failed, Duration.ofNanos(gap), this.sentBytes);
		}
	}

	private void loop() {
		try (HttpClient http = Nodes.newHttpClient()) {
			for (long n = 0; !this.stop.get(); n++) {
				long began = System.nanoTime();
				String key = this.prefix + n;
				int status = Nodes.put(http, this.node, key, VALUE, REQUEST_TIMEOUT);
				long answeredAt = System.nanoTime();
				synchronized (this) {
					this.sentBytes += key.length() + VALUE.length;
					if (status == 200) {
						if (!this.stop.get()) {
							this.longestGap = Math.max(this.longestGap, answeredAt - this.lastAck);
							this.lastAck = answeredAt;
						}
						this.acknowledged++;
					}
					else {
						this.failed++;
					}
				}
				long sleep = began + this.period.toNanos() - System.nanoTime();
				if (sleep > 0) {
					Thread.sleep(Duration.ofNanos(sleep));
				}
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
