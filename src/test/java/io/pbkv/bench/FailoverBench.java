package io.pbkv.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Client-visible unavailability when the primary dies: {@link #WRITERS} writers (half through {@code a}, half
 * through {@code b}, which forwards to the primary) load the pair, the primary gets SIGKILL, and a probe PUTs to
 * the survivor every {@link #PROBE_PERIOD} until one is answered 200. Every acknowledged PUT, of writers and
 * probe, is remembered for {@link #readBack()}.
 *
 * <p>Every key is written once ({@code failover/r<round>/w<writer>/<n>}, value {@code v-<key>}), so a value read
 * back can only be the acknowledged one.
 */
final class FailoverBench {

	static final int WRITERS = 8;

	/** {@code kv.heartbeat.timeout} when not set, which the pair is not; FailoverStatsTest checks it still is. */
	static final Duration DEFAULT_HEARTBEAT_TIMEOUT = Duration.ofSeconds(3);

	static final Duration LOAD_BEFORE_KILL = Duration.ofSeconds(3);

	static final Duration LOAD_AFTER_RECOVERY = Duration.ofSeconds(1);

	static final Duration PROBE_PERIOD = Duration.ofMillis(20);

	/** The longest a round waits for the survivor to take a write. */
	static final Duration PROBE_BOUND = Duration.ofSeconds(30);

	private static final Duration PROBE_REQUEST_TIMEOUT = Duration.ofSeconds(2);

	private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);

	private static final int READERS = 16;

	private static final Duration READ_BACK_BOUND = Duration.ofSeconds(120);

	private final PrimaryBackupPair pair;

	private final Queue<String> acknowledged = new ConcurrentLinkedQueue<>();

	FailoverBench(PrimaryBackupPair pair) {
		this.pair = pair;
	}

	/** Loads the pair, kills the primary, measures until the survivor takes a PUT, and stops the writers. */
	FailoverStats.Round round(int number) throws InterruptedException {
		String killed = PrimaryBackupPair.id(this.pair.primary());
		int survivor = this.pair.backup();
		AtomicBoolean stop = new AtomicBoolean();
		AtomicLong acked = new AtomicLong();
		long hardDeadline = System.nanoTime()
				+ LOAD_BEFORE_KILL.plus(PROBE_BOUND).plus(LOAD_AFTER_RECOVERY).plus(REQUEST_TIMEOUT).toNanos();
		List<Thread> writers = new ArrayList<>();
		for (int w = 0; w < WRITERS; w++) {
			URI via = this.pair.url(w % 2);
			String prefix = "failover/r" + number + "/w" + w + "/";
			writers.add(Thread.ofPlatform()
				.name("failover-writer-" + w)
				.start(() -> write(via, prefix, stop, hardDeadline, acked)));
		}
		Optional<Duration> unavailable;
		try {
			Thread.sleep(LOAD_BEFORE_KILL);
			long killedAt = this.pair.killPrimary();
			unavailable = probe(this.pair.url(survivor), killedAt, "failover/r" + number + "/probe/", acked);
			if (unavailable.isPresent()) {
				Thread.sleep(LOAD_AFTER_RECOVERY);
			}
		}
		finally {
			stop.set(true);
			for (Thread writer : writers) {
				writer.join(Math.max(1, (hardDeadline - System.nanoTime()) / 1_000_000 + 1_000));
			}
		}
		return new FailoverStats.Round(number, killed, PrimaryBackupPair.id(survivor), unavailable, acked.get());
	}

	/** Every acknowledged key so far. */
	int acknowledgedCount() {
		return this.acknowledged.size();
	}

	/** Reads every acknowledged key back from the current primary, {@link #READERS} at a time. */
	ReadBack readBack() throws InterruptedException {
		List<String> keys = List.copyOf(this.acknowledged);
		URI primary = this.pair.clientUrl();
		AtomicInteger next = new AtomicInteger();
		AtomicLong missing = new AtomicLong();
		AtomicLong wrong = new AtomicLong();
		AtomicLong unanswered = new AtomicLong();
		long deadline = System.nanoTime() + READ_BACK_BOUND.toNanos();
		List<Thread> readers = new ArrayList<>();
		for (int r = 0; r < READERS; r++) {
			readers.add(Thread.ofPlatform().name("failover-reader-" + r).start(() -> {
				try (HttpClient http = Nodes.newHttpClient()) {
					for (int i = next.getAndIncrement(); i < keys.size(); i = next.getAndIncrement()) {
						String key = keys.get(i);
						HttpResponse<byte[]> r2 = (System.nanoTime() < deadline)
								? Nodes.get(http, primary, key, REQUEST_TIMEOUT) : null;
						if (r2 == null || (r2.statusCode() != 200 && r2.statusCode() != 404)) {
							unanswered.incrementAndGet();
						}
						else if (r2.statusCode() == 404) {
							missing.incrementAndGet();
						}
						else if (!Arrays.equals(r2.body(), value(key))) {
							wrong.incrementAndGet();
						}
					}
				}
			}));
		}
		for (Thread reader : readers) {
			reader.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000) + 2 * REQUEST_TIMEOUT.toMillis());
		}
		return new ReadBack(keys.size(), missing.get(), wrong.get(), unanswered.get());
	}

	private void write(URI via, String prefix, AtomicBoolean stop, long hardDeadline, AtomicLong acked) {
		try (HttpClient http = Nodes.newHttpClient()) {
			for (long n = 0; !stop.get() && System.nanoTime() < hardDeadline; n++) {
				String key = prefix + n;
				if (Nodes.put(http, via, key, value(key), REQUEST_TIMEOUT) == 200) {
					this.acknowledged.add(key);
					acked.incrementAndGet();
				}
				else {
					// The killed node refuses connections at once; do not spin on it.
					Thread.sleep(PROBE_PERIOD);
				}
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/** PUTs to the survivor every {@link #PROBE_PERIOD} until one is answered 200, at most {@link #PROBE_BOUND}. */
	private Optional<Duration> probe(URI survivor, long killedAt, String prefix, AtomicLong acked)
			throws InterruptedException {
		long deadline = killedAt + PROBE_BOUND.toNanos();
		try (HttpClient http = Nodes.newHttpClient()) {
			for (int n = 0;; n++) {
				long began = System.nanoTime();
				long left = deadline - began;
				if (left <= 0) {
					return Optional.empty();
				}
				String key = prefix + n;
				Duration timeout = Duration.ofNanos(Math.min(PROBE_REQUEST_TIMEOUT.toNanos(), left));
				if (Nodes.put(http, survivor, key, value(key), timeout) == 200) {
					long answeredAt = System.nanoTime();
					this.acknowledged.add(key);
					acked.incrementAndGet();
					return Optional.of(Duration.ofNanos(answeredAt - killedAt));
				}
				long sleep = began + PROBE_PERIOD.toNanos() - System.nanoTime();
				if (sleep > 0) {
					Thread.sleep(Duration.ofNanos(sleep));
				}
			}
		}
	}

	static byte[] value(String key) {
		return ("v-" + key).getBytes(StandardCharsets.UTF_8);
	}

}
