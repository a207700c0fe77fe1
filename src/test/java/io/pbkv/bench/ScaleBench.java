package io.pbkv.bench;

import io.pbkv.process.NodeProcess;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * The scale rows ({@code PBKV_BENCH_TARGETS=scale}): for each key count N of {@code PBKV_BENCH_SCALE_KEYS}, a new
 * {@link PrimaryBackupPair} (sync, fsync always, the -Xmx of {@code PBKV_BENCH_SCALE_XMX}) is loaded with N
 * distinct keys through its primary while the primary's meters are scraped and one more client writes small keys
 * ({@link AckGapWriter}), then every key is overwritten once ({@link Overwrite}); then its backup is killed with SIGKILL and started again three times: with its data
 * (until it answers a local read, then until caught up), with its data dir deleted (under a small writer), and
 * after missing N/10 writes. Every wait is bounded by {@code PBKV_BENCH_SCALE_WAIT_SECONDS} and reports
 * {@code timeout} rather than failing the run: a row prints what it got.
 */
final class ScaleBench implements AutoCloseable {

	/** PUTs in flight during the loads. */
	static final int IN_FLIGHT = 64;

	/** The small writer's pace: at most one PUT per period, a modest rate beside the load. */
	static final Duration GAP_WRITER_PERIOD = Duration.ofMillis(10);

	private static final Duration POLL = Duration.ofMillis(50);

	private static final Duration READ_TIMEOUT = Duration.ofSeconds(2);

	private final BenchSettings settings;

	private final HttpClient http = Nodes.newHttpClient();

	/** The pair being measured, for {@link #close()} from the shutdown hook. */
	private PrimaryBackupPair current;

	private boolean closed;

	ScaleBench(BenchSettings settings) {
		this.settings = settings;
	}

	/** Measures one row with a new pair in {@code dir}, which it deletes afterwards unless told to keep it. */
	ScaleRow measure(long keys, Path dir) throws Exception {
		PrimaryBackupPair pair = new PrimaryBackupPair(this.settings, dir, this.settings.scaleJvmOptions());
		synchronized (this) {
			if (this.closed) {
				throw new IllegalStateException("the benchmark is stopping");
			}
			this.current = pair;
		}
		try {
			pair.start();
			return measure(keys, pair);
		}
		finally {
			pair.close();
			synchronized (this) {
				this.current = null;
			}
			if (!this.settings.keepWorkDir()) {
				deleteRecursively(dir);
			}
		}
	}

	private ScaleRow measure(long keys, PrimaryBackupPair pair) throws Exception {
		Duration bound = this.settings.scaleWait();
		int p = pair.primary();
		int b = pair.backup();
		URI primary = pair.url(p);
		NodeProcess primaryProcess = pair.process(p);
		KeyLoader loader = new KeyLoader(this.settings.scaleValueBytes(), IN_FLIGHT);

		// The load, with the primary's meters scraped and the small writer beside it.
		OptionalLong primaryBefore = ProcStats.writeBytes(primaryProcess.pid());
		OptionalLong backupBefore = ProcStats.writeBytes(pair.process(b).pid());
		MeterWatch meters = MeterWatch.start(primary);
		AckGapWriter gapWriter = AckGapWriter.start(primary, "scale-gap/load/", GAP_WRITER_PERIOD);
		KeyLoader.Result load = loader.load(primary, 0, keys, bound);
		AckGapWriter.Result loadGap = gapWriter.stop();
		MeterWatch.Result loadMeters = meters.stop();
		OptionalLong primaryWritten = difference(ProcStats.writeBytes(primaryProcess.pid()), primaryBefore);
		OptionalLong backupWritten = difference(ProcStats.writeBytes(pair.process(b).pid()), backupBefore);

		// The primary after the load, as it is: no GC asked for.
		OptionalLong rss = ProcStats.rssBytes(primaryProcess.pid());
		String scrape = Nodes.prometheus(this.http, primary);
		PrometheusText meterText = PrometheusText.parse((scrape != null) ? scrape : "");
		OptionalDouble heapUsed = meterText.sum("jvm_memory_used_bytes", "area", "heap");
		OptionalDouble heapMax = meterText.sum("jvm_memory_max_bytes", "area", "heap");
		OptionalLong primaryDir = size(primaryProcess.dataDir());
		OptionalLong backupDir = size(pair.process(b).dataDir());

		// Steady overwrites: every key once more, the primary's own bytes counted by its meters.
		OptionalDouble ownBefore = ownBytesWritten(primary);
		OptionalLong diskBefore = ProcStats.writeBytes(primaryProcess.pid());
		KeyLoader.Result overwriteLoad = loader.load(primary, 0, keys, bound);
		Overwrite overwrite = new Overwrite(overwriteLoad, difference(ownBytesWritten(primary), ownBefore),
				difference(ProcStats.writeBytes(primaryProcess.pid()), diskBefore));

		// The backup killed and started again with its data.
		String loadedKey = KeyLoader.key(keys - 1);
		pair.killBackup();
		long restarted = pair.launchBackup();
		TimedWait answer = awaitLocalRead(pair, b, loadedKey, restarted, bound);
		TimedWait inSync = awaitCaughtUp(pair, restarted, bound);

		// The backup killed, its data dir deleted, and started again while a small writer goes on. The writer
		// starts once the primary has dropped the dead backup (after the heartbeat timeout, when sync writes wait
		// for it): its gap is the rejoin's.
		pair.killBackup();
		deleteRecursively(pair.process(b).dataDir());
		awaitDropped(pair, bound);
		AckGapWriter wipedWriter = AckGapWriter.start(primary, "scale-gap/wiped/", GAP_WRITER_PERIOD);
		long wipedStart = pair.launchBackup();
		TimedWait wiped = awaitCaughtUp(pair, wipedStart, bound);
		AckGapWriter.Result wipedGap = wipedWriter.stop();

		// The backup killed, a tenth more keys written without it, and started again.
		pair.killBackup();
		KeyLoader.Result lagging = loader.load(primary, keys, keys + keys / 10, bound);
		long laggingStart = pair.launchBackup();
		TimedWait caughtUp = awaitCaughtUp(pair, laggingStart, bound);

		return new ScaleRow(keys, load, loadMeters, loadGap, overwrite, primaryWritten, backupWritten, primaryDir, backupDir,
				heapUsed, heapMax, rss, answer, inSync, wiped, wipedGap, caughtUp, lagging);
	}

	/** Until the backup answers {@code GET /kv/<key>?consistency=local} with 200 (it holds the data). */
	private TimedWait awaitLocalRead(PrimaryBackupPair pair, int backup, String key, long startNanos, Duration bound)
			throws InterruptedException {
		URI url = pair.url(backup);
		while (true) {
			HttpResponse<byte[]> answer = Nodes.get(this.http, url, key + "?consistency=local", READ_TIMEOUT);
			if (answer != null && answer.statusCode() == 200) {
				return TimedWait.reached(startNanos);
			}
			TimedWait.State stop = stopWaiting(pair.process(backup), startNanos, bound);
			if (stop != null) {
				return TimedWait.ended(stop, startNanos);
			}
			Thread.sleep(POLL);
		}
	}

	/**
	 * Until the primary's {@code /cluster} shows its backup in sync with {@code matchIndex} equal to its
	 * {@code lastIndex}.
	 */
	private TimedWait awaitCaughtUp(PrimaryBackupPair pair, long startNanos, Duration bound)
			throws InterruptedException {
		while (true) {
			if (pair.view(pair.primary()).filter(ClusterView::isPrimaryWithBackupCaughtUp).isPresent()) {
				return TimedWait.reached(startNanos);
			}
			TimedWait.State stop = stopWaiting(pair.process(pair.backup()), startNanos, bound);
			if (stop != null) {
				return TimedWait.ended(stop, startNanos);
			}
			Thread.sleep(POLL);
		}
	}

	/** Until the primary no longer counts its (dead) backup in sync, at most {@code bound}. */
	private void awaitDropped(PrimaryBackupPair pair, Duration bound) throws InterruptedException {
		long deadline = System.nanoTime() + bound.toNanos();
		while (System.nanoTime() < deadline
				&& pair.view(pair.primary()).filter(ClusterView::isPrimaryWithBackupInSync).isPresent()) {
			Thread.sleep(POLL);
		}
	}

	/** Why a wait must stop now, or null to go on. */
	private static TimedWait.State stopWaiting(NodeProcess node, long startNanos, Duration bound) {
		if (!node.isAlive()) {
			return TimedWait.State.EXITED;
		}
		return (System.nanoTime() - startNanos > bound.toNanos()) ? TimedWait.State.TIMEOUT : null;
	}

	/** {@code kv_storage_written_bytes_total} of a node, log and snapshot files together. */
	private OptionalDouble ownBytesWritten(URI node) {
		String scrape = Nodes.prometheus(this.http, node);
		return (scrape == null) ? OptionalDouble.empty()
				: PrometheusText.parse(scrape).sum("kv_storage_written_bytes_total");
	}

	private static OptionalDouble difference(OptionalDouble after, OptionalDouble before) {
		return (after.isPresent() && before.isPresent())
				? OptionalDouble.of(after.getAsDouble() - before.getAsDouble()) : OptionalDouble.empty();
	}

	private static OptionalLong difference(OptionalLong after, OptionalLong before) {
		return (after.isPresent() && before.isPresent()) ? OptionalLong.of(after.getAsLong() - before.getAsLong())
				: OptionalLong.empty();
	}

	/** Bytes of the regular files under {@code dir}; empty when it cannot be read. */
	static OptionalLong size(Path dir) {
		try (Stream<Path> paths = Files.walk(dir)) {
			return OptionalLong.of(paths.filter(Files::isRegularFile).mapToLong((path) -> {
				try {
					return Files.size(path);
				}
				catch (NoSuchFileException gone) {
					return 0; // a segment deleted or a temp file renamed meanwhile
				}
				catch (IOException ex) {
					throw new UncheckedIOException(ex);
				}
			}).sum());
		}
		catch (IOException | UncheckedIOException ex) {
			return OptionalLong.empty();
		}
	}

	static void deleteRecursively(Path dir) throws IOException {
		if (!Files.exists(dir)) {
			return;
		}
		try (Stream<Path> paths = Files.walk(dir)) {
			for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
				Files.deleteIfExists(path);
			}
		}
	}

	@Override
	public void close() {
		PrimaryBackupPair pair;
		synchronized (this) {
			this.closed = true;
			pair = this.current;
		}
		if (pair != null) {
			pair.close();
		}
		this.http.close();
	}

}
