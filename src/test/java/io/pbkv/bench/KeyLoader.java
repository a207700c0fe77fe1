package io.pbkv.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Loads a range of distinct keys ({@code scale/<n>}) through one node as fast as it takes them: asynchronous PUTs
 * on one {@link HttpClient}, {@code inFlight} at a time (one connection each), unlike {@link LoadGenerator}'s
 * thread per client, so that the benchmark's own threads do not compete with the nodes for the CPUs. A PUT that
 * fails is sent again, at most {@link #ATTEMPTS} times in all (PUT of the same value is idempotent).
 */
final class KeyLoader {

	static final int ATTEMPTS = 3;

	private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

	private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

	private final byte[] value;

	private final int inFlight;

	/**
	 * What one load did.
	 *
	 * @param acknowledged keys answered 200
	 * @param failed keys not answered 200 after {@link #ATTEMPTS} attempts, or never sent because the load gave up
	 * @param sentBytes key and value bytes of every PUT sent, retries included (UTF-8 key as in the URL path)
	 * @param elapsed from the first PUT until the last answer
	 * @param gaveUp whether the node acknowledged nothing for the bound and the load stopped early
	 */
	record Result(long acknowledged, long failed, long sentBytes, Duration elapsed, boolean gaveUp) {

		double keysPerSecond() {
			return this.elapsed.isZero() ? 0 : this.acknowledged / (this.elapsed.toNanos() / 1e9);
		}

	}

	KeyLoader(int valueBytes, int inFlight) {
		this.value = new byte[valueBytes];
		Arrays.fill(this.value, (byte) 'v');
		this.inFlight = inFlight;
	}

	static String key(long n) {
		return "scale/" + n;
	}

	/**
	 * PUTs keys {@code from} (inclusive) to {@code to} (exclusive) to {@code node}; gives up when no PUT has been
	 * acknowledged for {@code stallBound} (the node hangs), counting the keys left as failed.
	 */
	Result load(URI node, long from, long to, Duration stallBound) throws InterruptedException {
		Semaphore permits = new Semaphore(this.inFlight);
		AtomicLong acknowledged = new AtomicLong();
		AtomicLong failed = new AtomicLong();
		AtomicLong sentBytes = new AtomicLong();
		AtomicLong lastProgress = new AtomicLong(System.nanoTime());
		long start = System.nanoTime();
		boolean gaveUp = false;
		long notSent = 0;
		Duration elapsed;
		try (HttpClient http = Nodes.newHttpClient()) {
			for (long n = from; n < to && !gaveUp; n++) {
				while (!permits.tryAcquire(POLL_NANOS, TimeUnit.NANOSECONDS)) {
					if (System.nanoTime() - lastProgress.get() > stallBound.toNanos()) {
						gaveUp = true;
						notSent = to - n;
						break;
					}
				}
				if (!gaveUp) {
					send(http, node, key(n), 1, permits, acknowledged, failed, sentBytes, lastProgress);
				}
			}
			// Every answer is in once all permits are back; a hung node is given the same bound.
			while (!permits.tryAcquire(this.inFlight, POLL_NANOS, TimeUnit.NANOSECONDS)) {
				if (System.nanoTime() - lastProgress.get() > stallBound.toNanos()) {
					gaveUp = true;
					break;
				}
			}
			elapsed = Duration.ofNanos(System.nanoTime() - start);
		}
		// Closing the client waited for the requests still out (their timeout bounds it); they count now.
		long unanswered = Math.max(0, (to - from) - notSent - acknowledged.get() - failed.get());
		return new Result(acknowledged.get(), failed.get() + notSent + unanswered, sentBytes.get(), elapsed, gaveUp);
	}

	private void send(HttpClient http, URI node, String key, int attempt, Semaphore permits, AtomicLong acknowledged,
			AtomicLong failed, AtomicLong sentBytes, AtomicLong lastProgress) {
		HttpRequest request = HttpRequest.newBuilder(node.resolve("/kv/" + key))
			.timeout(REQUEST_TIMEOUT)
			.header("Content-Type", "application/octet-stream")
			.PUT(HttpRequest.BodyPublishers.ofByteArray(this.value))
			.build();
		sentBytes.addAndGet(key.getBytes(StandardCharsets.UTF_8).length + this.value.length);
		http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> {
			if (response != null && response.statusCode() == 200) {
				acknowledged.incrementAndGet();
				lastProgress.set(System.nanoTime());
				permits.release();
			}
			else if (attempt < ATTEMPTS) {
				send(http, node, key, attempt + 1, permits, acknowledged, failed, sentBytes, lastProgress);
			}
			else {
				failed.incrementAndGet();
				permits.release();
			}
		});
	}

}
