package io.pbkv.process;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A backup that lost its data dir catches up by a snapshot transfer that takes longer than the heartbeat timeout,
 * with real processes: the primary keeps answering a writer without a pause while the backup pulls the file, a
 * kill -9 of the backup in the middle of the transfer is survived (the transfer resumes), and once the backup is in
 * sync it can take over with every acknowledged write.
 */
@Tag("process")
class SnapshotTransferProcessTest {

	private static final Duration INTERVAL = Duration.ofMillis(300);

	private static final Duration TIMEOUT = Duration.ofSeconds(2);

	private static final int BIG_VALUES = 160;

	private static final int BIG_VALUE_BYTES = 256 * 1024;

	/** About 40 MB of state at 8 MB/s: a transfer of about 5 s, over twice the heartbeat timeout. */
	private static final String FETCH_RATE = "8MB";

	private static final long FETCH_BYTES_PER_SECOND = 8L << 20;

	/** The longest the primary may leave a client's write unanswered while the backup fetches. */
	private static final Duration MAX_GAP = Duration.ofSeconds(1);

	private static final Path KEPT = Path.of("target", "process-logs", "SnapshotTransferProcessTest");

	private static final Pattern FETCHED = Pattern
		.compile("fetched snapshot (\\d+) \\((\\d+) keys, (\\d+) bytes\\) from \\S+ in (\\d+) ms");

	@TempDir
	Path work;

	private Pair pair;

	private Writer writer;

	private boolean failed;

	private final KvHttp http = new KvHttp(Duration.ofSeconds(10));

	private final KvHttp poll = new KvHttp(Duration.ofSeconds(1));

	private final long startedAt = System.nanoTime();

	@AfterEach
	void stopEverything(TestInfo test) throws Exception {
		try {
			if (writer != null) {
				writer.close();
			}
		}
		finally {
			if (pair != null) {
				pair.close();
				if (failed) {
					keepLogs(test.getTestMethod().map(m -> m.getName()).orElse("unknown"));
				}
			}
		}
	}

	@Test
	void aBackupCatchesUpBySnapshotWhileThePrimaryServesAndResumesAfterAKill() throws Throwable {
		try {
			run();
		}
		catch (Throwable t) {
			failed = true;
			throw t;
		}
	}

	private void run() throws Exception {
		int portA = NodeProcess.freePort();
		int portB = NodeProcess.freePort();
		// No retained tail: with the default (the last 100,000 entries, at most 64MB) the primary would keep the
		// whole state in its log and the wiped backup would catch up from the log, never by snapshot.
		NodeProcess a = new NodeProcess("a", portA, work, Pair.args("http://127.0.0.1:" + portB, "primary", INTERVAL,
				TIMEOUT, "--kv.storage.snapshot-every=100", "--kv.storage.retain-entries=0"));
		NodeProcess b = new NodeProcess("b", portB, work, Pair.args("http://127.0.0.1:" + portA, "backup", INTERVAL,
				TIMEOUT, "--kv.storage.snapshot-every=100", "--kv.storage.retain-entries=0",
				"--kv.replication.snapshot-fetch-rate=" + FETCH_RATE));
		pair = new Pair(a, b);
		pair.start();
		note("pair up");

		Map<String, String> acked = new ConcurrentHashMap<>();
		loadBigValues(acked);
		note("%d values of %d KiB written", BIG_VALUES, BIG_VALUE_BYTES / 1024);

		b.kill9();
		deleteTree(b.dataDir());
		for (int i = 0; i < 300; i++) {
			String key = "small/" + i;
			assertThat(http.put(a.url(), key, "s" + i).status()).as("write %s with the backup gone", key).isEqualTo(200);
			acked.put(key, "s" + i);
		}
		note("backup b killed, its data dir deleted, 300 more keys written");

		writer = new Writer(a, http);
		long logBefore = Files.size(b.logFile());
		b.start();
		Path part = awaitPartFile(b, logBefore);
		long partIndex = indexOf(part);
		// While b is down its pin on the snapshot lapses (after a heartbeat timeout), and a snapshot taken then
		// would let the primary delete the file; a resumed transfer needs the primary to still have it. So the
		// writer pauses while b is down, and the primary's snapshot writer is let finish first.
		writer.pause();
		awaitSnapshotsSettled(a);
		assertThat(logSince(b, logBefore)).as("scenario: b is still fetching when killed").doesNotContain(
				"fetched snapshot");
		b.kill9();
		long kept = Files.size(part);
		note("backup b killed in the middle of fetching snapshot %d with %d bytes in %s", partIndex, kept,
				part.getFileName());
		assertThat(kept).as("bytes of the interrupted transfer").isPositive();

		long logBeforeRestart = Files.size(b.logFile());
		long restartedAt = System.nanoTime();
		b.start();
		Pair.await("b to go on with the transfer", Duration.ofSeconds(90),
				() -> sizeOf(part) > kept || logSinceQuietly(b, logBeforeRestart).contains("fetched snapshot"));
		writer.resume();
		Matcher fetched = awaitLogLine(b, logBeforeRestart, FETCHED, Duration.ofSeconds(60));
		long fetchedIndex = Long.parseLong(fetched.group(1));
		long fileBytes = Long.parseLong(fetched.group(3));
		long fetchMillis = Long.parseLong(fetched.group(4));
		long pulled = fetchedBytesMeter(b);
		note("after the restart b fetched snapshot %d (%s keys, %d bytes) in %d ms (%d ms after the restart); "
				+ "kv_snapshot_fetched_bytes_total %d", fetchedIndex, fetched.group(2), fileBytes, fetchMillis,
				TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restartedAt), pulled);
		assertThat(fileBytes).as("the snapshot holds the state").isGreaterThan((long) BIG_VALUES * BIG_VALUE_BYTES);
		assertThat(kept).as("scenario: b was killed in the middle of the transfer").isLessThan(fileBytes);
		assertThat(fetchedIndex).as("the restarted backup fetched the snapshot it was fetching when killed")
			.isEqualTo(partIndex);
		// Resumed, not started over: at the rate cap the whole file takes this long (the first buffer goes unpaced).
		long fromZeroMillis = (fileBytes - 65_536) * 1000 / FETCH_BYTES_PER_SECOND;
		assertThat(fetchMillis).as("ms the fetch after the restart took; from zero it takes at least %d ms, the %d "
				+ "bytes the part file lacked at least %d ms", fromZeroMillis, fileBytes - kept,
				(fileBytes - kept) * 1000 / FETCH_BYTES_PER_SECOND)
			.isLessThan(fromZeroMillis);
		assertThat(pulled).as("bytes fetched after the restart: at least what the part file lacked")
			.isGreaterThanOrEqualTo(fileBytes - kept);
		if (pulled > fileBytes - kept) {
			// A repeated offer handled after the fetch ended but before the install moved the file into the log
			// starts a fetch of the same snapshot again, from zero: wasted bytes, no harm to the state.
			note("b fetched %d bytes more than the part file lacked", pulled - (fileBytes - kept));
		}

		awaitCaughtUp(a);
		note("b in sync with a");
		writer.close();
		note("writer: %d writes acknowledged, longest gap between acknowledgements %d ms, %d failed",
				writer.acked.size(), writer.maxGapMillis(), writer.failures.get());
		assertThat(writer.acked).as("writes acknowledged while b caught up").hasSizeGreaterThan(20);
		assertThat(writer.maxGapMillis()).as("longest wait of the writer for an acknowledgement, in ms")
			.isLessThan(MAX_GAP.toMillis());
		acked.putAll(writer.acked);

		a.kill9();
		pair.awaitPrimary(b, Duration.ofSeconds(30));
		note("b promoted after kill -9 of a");
		List<String> missing = new ArrayList<>();
		for (Map.Entry<String, String> e : acked.entrySet()) {
			KvHttp.Result r = http.get(b.url(), e.getKey());
			if (r.status() != 200 || !r.body().equals(e.getValue())) {
				missing.add(e.getKey() + " (" + r.status() + ")");
			}
		}
		assertThat(missing).as("acknowledged writes not readable on the new primary b, of %d", acked.size()).isEmpty();
		note("all %d acknowledged writes readable on b", acked.size());
	}

	/** 160 values of 256 KiB through the primary, four writers at once. */
	private void loadBigValues(Map<String, String> acked) throws Exception {
		try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
			List<Future<?>> writes = new ArrayList<>();
			for (int i = 0; i < BIG_VALUES; i++) {
				int n = i;
				writes.add(pool.submit(() -> {
					String key = "big/" + n;
					String value = bigValue(n);
					KvHttp.Result r = http.put(pair.a.url(), key, value);
					assertThat(r.status()).as("write %s: %s", key, r.body()).isEqualTo(200);
					acked.put(key, value);
				}));
			}
			for (Future<?> write : writes) {
				write.get(60, TimeUnit.SECONDS);
			}
		}
	}

	private static String bigValue(int n) {
		Random random = new Random(n);
		StringBuilder value = new StringBuilder(BIG_VALUE_BYTES);
		while (value.length() < BIG_VALUE_BYTES) {
			value.append((char) ('a' + random.nextInt(26)));
		}
		return value.toString();
	}

	/**
	 * Waits until the restarted backup has a part file in {@code incoming/} at least a chunk (4 MiB) into the
	 * transfer, and the transfer is not over.
	 */
	private Path awaitPartFile(NodeProcess node, long logFrom) throws Exception {
		Path incoming = node.dataDir().resolve("incoming");
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
		while (System.nanoTime() < deadline) {
			assertThat(logSince(node, logFrom)).as("scenario: the transfer must still be under way").doesNotContain(
					"fetched snapshot");
			Optional<Path> part = partFile(incoming);
			if (part.isPresent() && sizeOf(part.get()) >= 4L << 20) {
				return part.get();
			}
			Thread.sleep(20);
		}
		throw new AssertionError("no part file of 4 MiB in " + incoming + " within 90 s; b's log:\n" + node.tail());
	}

	/**
	 * Until the primary has saved no snapshot for a second and a half (the writer is paused, so at most the one
	 * already due is written), so that none is saved while the backup is down.
	 */
	private void awaitSnapshotsSettled(NodeProcess primary) throws InterruptedException {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
		long count = snapshotsSaved(primary);
		long stableSince = System.nanoTime();
		while (System.nanoTime() - stableSince < TimeUnit.MILLISECONDS.toNanos(1500)) {
			assertThat(System.nanoTime()).as("the primary's snapshots to settle within 15 s").isLessThan(deadline);
			Thread.sleep(100);
			long now = snapshotsSaved(primary);
			if (now != count) {
				count = now;
				stableSince = System.nanoTime();
			}
		}
	}

	private static Optional<Path> partFile(Path incoming) throws IOException {
		if (!Files.isDirectory(incoming)) {
			return Optional.empty();
		}
		try (Stream<Path> files = Files.list(incoming)) {
			return files.filter(f -> f.getFileName().toString().endsWith(".part")).findFirst();
		}
	}

	private static long sizeOf(Path file) {
		try {
			return Files.size(file);
		}
		catch (IOException ex) {
			return -1;
		}
	}

	private static long indexOf(Path part) {
		String name = part.getFileName().toString();
		return Long.parseLong(name.substring("snapshot-".length(), name.indexOf('.')));
	}

	private static String logSince(NodeProcess node, long from) throws IOException {
		byte[] all = Files.readAllBytes(node.logFile());
		return new String(all, (int) Math.min(from, all.length), (int) Math.max(0, all.length - from),
				StandardCharsets.UTF_8);
	}

	private static String logSinceQuietly(NodeProcess node, long from) {
		try {
			return logSince(node, from);
		}
		catch (IOException ex) {
			return "";
		}
	}

	private static Matcher awaitLogLine(NodeProcess node, long from, Pattern line, Duration timeout)
			throws Exception {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (System.nanoTime() < deadline) {
			Matcher m = line.matcher(logSince(node, from));
			if (m.find()) {
				return m;
			}
			Thread.sleep(50);
		}
		throw new AssertionError("no line like '" + line + "' in " + node.nodeId() + "'s log within " + timeout
				+ "; its log:\n" + node.tail());
	}

	/** Until the primary counts b in sync holding everything the primary holds, and b may take over. */
	private void awaitCaughtUp(NodeProcess primary) throws InterruptedException {
		AtomicLong lastSeen = new AtomicLong();
		try {
			Pair.await("b in sync with matchIndex = lastIndex on a", Duration.ofSeconds(60), () -> {
				JsonNode c = pair.cluster(primary);
				JsonNode bc = pair.cluster(pair.b);
				if (c == null || bc == null) {
					return false;
				}
				JsonNode peer = c.get("peers").get(0);
				lastSeen.set(peer.get("matchIndex").asLong());
				return "PRIMARY".equals(c.get("role").asString()) && peer.get("inSync").asBoolean()
						&& peer.get("matchIndex").asLong() == c.get("lastIndex").asLong()
						&& bc.get("eligible").asBoolean();
			});
		}
		catch (AssertionError ex) {
			throw new AssertionError(ex.getMessage() + "; a: " + pair.cluster(primary) + "; b: "
					+ pair.cluster(pair.b), ex);
		}
	}

	/** {@code kv_snapshot_fetched_bytes_total} of the node's /actuator/prometheus. */
	private long fetchedBytesMeter(NodeProcess node) {
		return (long) meter(node, "kv_snapshot_fetched_bytes_total");
	}

	/** How many snapshots the node saved: {@code kv_storage_snapshot_seconds_count}. */
	private long snapshotsSaved(NodeProcess node) {
		return (long) meter(node, "kv_storage_snapshot_seconds_count");
	}

	private double meter(NodeProcess node, String name) {
		KvHttp.Result r = poll.send(HttpRequest.newBuilder(URI.create(node.url() + "/actuator/prometheus")).GET());
		assertThat(r.status()).as("prometheus of %s", node.nodeId()).isEqualTo(200);
		double total = 0;
		boolean found = false;
		for (String line : r.body().split("\n")) {
			if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
				total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
				found = true;
			}
		}
		assertThat(found).as("%s of %s", name, node.nodeId()).isTrue();
		return total;
	}

	private static void deleteTree(Path dir) throws IOException {
		if (!Files.exists(dir)) {
			return;
		}
		try (Stream<Path> files = Files.walk(dir)) {
			for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
				Files.delete(file);
			}
		}
	}

	private void keepLogs(String testName) {
		try {
			Path dir = KEPT.resolve(testName);
			Files.createDirectories(dir);
			for (NodeProcess node : List.of(pair.a, pair.b)) {
				if (Files.exists(node.logFile())) {
					Files.copy(node.logFile(), dir.resolve(node.nodeId() + ".log"), StandardCopyOption.REPLACE_EXISTING);
				}
			}
			note("logs kept in %s", dir);
		}
		catch (IOException ex) {
			note("could not keep the logs: %s", ex);
		}
	}

	private void note(String format, Object... args) {
		System.out.printf("[%6d ms] %s%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedAt),
				String.format(format, args));
	}

	/**
	 * One client writing small keys to the primary one after another until closed, timing the longest wait from
	 * one acknowledgement (or its start, or the end of a pause) to the next. Bounded: at most 100,000 writes.
	 */
	static final class Writer implements AutoCloseable {

		final Map<String, String> acked = new ConcurrentHashMap<>();

		final AtomicLong failures = new AtomicLong();

		private final AtomicLong maxGapNanos = new AtomicLong();

		private final AtomicBoolean stop = new AtomicBoolean();

		private volatile boolean paused;

		/** Set by the writer when it has seen {@link #paused} and sends no more. */
		private volatile boolean idle;

		private final Thread thread;

		Writer(NodeProcess primary, KvHttp http) {
			thread = Thread.ofPlatform().daemon().name("small-writer").start(() -> {
				long last = System.nanoTime();
				for (int i = 0; i < 100_000 && !stop.get(); i++) {
					if (paused) {
						idle = true;
						while (paused && !stop.get()) {
							sleep(10);
						}
						idle = false;
						last = System.nanoTime();
					}
					String key = "during/" + i;
					KvHttp.Result r = http.put(primary.url(), key, "d" + i);
					long now = System.nanoTime();
					if (r.status() == 200) {
						acked.put(key, "d" + i);
						maxGapNanos.accumulateAndGet(now - last, Math::max);
						last = now;
					}
					else {
						failures.incrementAndGet();
					}
				}
			});
		}

		private static void sleep(long millis) {
			try {
				Thread.sleep(millis);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}

		/** Stops writing until {@link #resume}; returns once no write is under way. */
		void pause() throws InterruptedException {
			paused = true;
			Pair.await("the writer to pause", Duration.ofSeconds(15), () -> idle || !thread.isAlive());
		}

		void resume() {
			paused = false;
		}

		long maxGapMillis() {
			return TimeUnit.NANOSECONDS.toMillis(maxGapNanos.get());
		}

		@Override
		public void close() throws InterruptedException {
			stop.set(true);
			paused = false;
			if (!thread.join(Duration.ofSeconds(15))) {
				thread.interrupt();
				thread.join(Duration.ofSeconds(5));
			}
		}

	}

}
