package io.pbkv.bench.compare;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.HdrHistogram.Histogram;

/**
 * The disk's own fsync latency while a fixed-rate row runs: a thread of the load generator appends a small record
 * and {@code force(false)}s it on the work dir's disk every {@link #EVERY} (so 100 fsyncs a second, little next to
 * the system's own), and records how long each took. A server's tail at a fixed rate cannot be shorter than the
 * stalls of the disk it fsyncs to; this row shows them, measured beside the server in the same seconds.
 */
final class DiskTail implements AutoCloseable {

	static final Duration EVERY = Duration.ofMillis(10);

	/** An fsync that takes longer than this counts as a stall. */
	static final Duration STALL = Duration.ofMillis(10);

	private static final long MAX_NANOS = TimeUnit.MINUTES.toNanos(1);

	/**
	 * @param latency nanoseconds per append + fsync
	 * @param stalls how many took longer than {@link #STALL}
	 */
	record Result(Histogram latency, long stalls) {

		long fsyncs() {
			return this.latency.getTotalCount();
		}

		double percentileMillis(double percentile) {
			return (fsyncs() == 0) ? Double.NaN : this.latency.getValueAtPercentile(percentile) / 1e6;
		}

		double maxMillis() {
			return (fsyncs() == 0) ? Double.NaN : this.latency.getMaxValue() / 1e6;
		}

	}

	private final Path file;

	private final int recordBytes;

	private final Histogram latency = new Histogram(MAX_NANOS, 3);

	private final Thread thread;

	private volatile boolean running = true;

	private volatile IOException failure;

	private long stalls;

	private DiskTail(Path dir, int recordBytes) {
		this.file = dir.resolve("disk-tail.bin");
		this.recordBytes = recordBytes;
		this.thread = Thread.ofPlatform().name("compare-disk-tail").daemon().unstarted(this::run);
	}

	/** Starts sampling on a new file in {@code dir}; {@link #stop()} ends it and deletes the file. */
	static DiskTail start(Path dir, int recordBytes) {
		DiskTail probe = new DiskTail(dir, recordBytes);
		probe.thread.start();
		return probe;
	}

	Result stop() {
		close();
		if (this.failure != null) {
			throw new UncheckedIOException("disk tail probe on " + this.file, this.failure);
		}
		synchronized (this) {
			return new Result(this.latency.copy(), this.stalls);
		}
	}

	@Override
	public void close() {
		this.running = false;
		try {
			this.thread.join(TimeUnit.MINUTES.toMillis(1));
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private void run() {
		ByteBuffer record = ByteBuffer.allocateDirect(this.recordBytes);
		long every = EVERY.toNanos();
		try (FileChannel channel = FileChannel.open(this.file, StandardOpenOption.CREATE_NEW,
				StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
			long next = System.nanoTime();
			while (this.running) {
				long now;
				while ((now = System.nanoTime()) < next) {
					LockSupport.parkNanos(next - now);
				}
				record.clear();
				while (record.hasRemaining()) {
					channel.write(record);
				}
				channel.force(false);
				long took = System.nanoTime() - now;
				synchronized (this) {
					this.latency.recordValue(Math.min(Math.max(took, 1), MAX_NANOS));
					if (took > STALL.toNanos()) {
						this.stalls++;
					}
				}
				// a late round is not made up: the probe samples, it does not keep a rate
				next = Math.max(next + every, System.nanoTime());
			}
		}
		catch (IOException ex) {
			this.failure = ex;
		}
		finally {
			try {
				Files.deleteIfExists(this.file);
			}
			catch (IOException ex) {
				// the work dir goes at the end of the run
			}
		}
	}

}
