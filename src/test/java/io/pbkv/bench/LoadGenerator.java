package io.pbkv.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Closed-loop load over real HTTP: each client sends its next request as soon as the previous one is answered,
 * on its own thread and its own connection, like separate application instances would.
 *
 * <p>Client {@code c} writes the keys {@code bench/c/0}, {@code bench/c/1}, ... and reads back random keys among
 * those it wrote, so a GET row needs a PUT row (or the warm-up) with at least as many clients before it.
 */
final class LoadGenerator {

	private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

	private final byte[] value;

	/** Keys written so far per client index; each client only touches its own slot. */
	private final AtomicLongArray written;

	LoadGenerator(int valueBytes, int maxClients) {
		this.value = new byte[valueBytes];
		Arrays.fill(this.value, (byte) 'v');
		this.written = new AtomicLongArray(maxClients);
	}

	Measurement run(Target target, Operation operation, int clients, Duration duration) throws InterruptedException {
		List<Client> running = new ArrayList<>();
		CountDownLatch go = new CountDownLatch(1);
		AtomicLong deadline = new AtomicLong();
		for (int c = 0; c < clients; c++) {
			Client client = new Client(c, target.clientUrl(), operation, go, deadline);
			running.add(client);
			client.start();
		}
		// The clock starts once every client thread exists, so creating 64 threads is not measured.
		long start = System.nanoTime();
		deadline.set(start + duration.toNanos());
		go.countDown();
		LatencySamples all = new LatencySamples();
		long succeeded = 0;
		long failed = 0;
		for (Client client : running) {
			client.thread.join();
			all.addAll(client.samples);
			succeeded += client.succeeded;
			failed += client.failed;
		}
		Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
		return new Measurement(target.name(), operation, clients, succeeded, failed, elapsed, all.stats());
	}

	/**
	 * One PUT and one GET of a single key, checking the value comes back; throws with the answer when the API
	 * does not work, so that a broken node fails the run at once instead of after every row.
	 */
	void checkRoundTrip(Target target) throws IOException, InterruptedException {
		URI uri = target.clientUrl().resolve("/kv/bench/check");
		try (HttpClient http = newHttpClient()) {
			HttpResponse<String> put = http.send(HttpRequest.newBuilder(uri)
				.timeout(REQUEST_TIMEOUT)
				.PUT(HttpRequest.BodyPublishers.ofByteArray(this.value))
				.build(), HttpResponse.BodyHandlers.ofString());
			HttpResponse<byte[]> get = http.send(HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT).build(),
					HttpResponse.BodyHandlers.ofByteArray());
			if (put.statusCode() != 200 || get.statusCode() != 200 || !Arrays.equals(get.body(), this.value)) {
				throw new IllegalStateException("the client API of " + target.name() + " does not work yet: PUT " + uri
						+ " -> " + put.statusCode() + " " + put.body() + "; GET -> " + get.statusCode() + " "
						+ new String(get.body(), StandardCharsets.UTF_8));
			}
		}
	}

	private static HttpClient newHttpClient() {
		return HttpClient.newBuilder()
			.version(HttpClient.Version.HTTP_1_1)
			.connectTimeout(Duration.ofSeconds(5))
			.build();
	}

	private final class Client {

		private final int index;

		private final URI base;

		private final Operation operation;

		private final CountDownLatch go;

		private final AtomicLong deadline;

		private final LatencySamples samples = new LatencySamples();

		private long succeeded;

		private long failed;

		private Thread thread;

		Client(int index, URI base, Operation operation, CountDownLatch go, AtomicLong deadline) {
			this.index = index;
			this.base = base;
			this.operation = operation;
			this.go = go;
			this.deadline = deadline;
		}

		void start() {
			this.thread = Thread.ofPlatform().name("bench-client-" + this.index).start(this::loop);
		}

		private void loop() {
			try (HttpClient http = newHttpClient()) {
				this.go.await();
				long deadline = this.deadline.get();
				while (System.nanoTime() < deadline) {
					HttpRequest request = nextRequest();
					long sent = System.nanoTime();
					try {
						int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
						long latency = System.nanoTime() - sent;
						if (status == 200) {
							this.samples.add(latency);
							this.succeeded++;
							if (this.operation == Operation.PUT) {
								LoadGenerator.this.written.incrementAndGet(this.index);
							}
						}
						else {
							this.failed++;
						}
					}
					catch (IOException ex) {
						this.failed++;
					}
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}

		private HttpRequest nextRequest() {
			long count = LoadGenerator.this.written.get(this.index);
			return switch (this.operation) {
				case PUT -> HttpRequest.newBuilder(key(count))
					.timeout(REQUEST_TIMEOUT)
					.header("Content-Type", "application/octet-stream")
					.PUT(HttpRequest.BodyPublishers.ofByteArray(LoadGenerator.this.value))
					.build();
				case GET -> HttpRequest.newBuilder(key(ThreadLocalRandom.current().nextLong(Math.max(count, 1))))
					.timeout(REQUEST_TIMEOUT)
					.GET()
					.build();
			};
		}

		private URI key(long n) {
			return this.base.resolve("/kv/bench/" + this.index + "/" + n);
		}

	}

}
