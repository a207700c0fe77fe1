package io.pbkv.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

/**
 * How many fsyncs per second one writer gets from the disk when each waits for the previous: append 64 bytes,
 * {@code force(false)}, repeat. A store that fsyncs once per write can do no better; group commit (one fsync for
 * all writes waiting) is what lets concurrent clients beat it.
 */
public final class FsyncProbe {

	private static final int RECORD_BYTES = 64;

	private FsyncProbe() {
	}

	/**
	 * @param fsyncs completed append+fsync rounds
	 * @param elapsed time they took
	 * @param latency of each round
	 */
	public record Result(long fsyncs, Duration elapsed, LatencyStats latency) {

		public double perSecond() {
			return this.elapsed.isZero() ? 0 : this.fsyncs / (this.elapsed.toNanos() / 1e9);
		}

	}

	/** Runs the loop for {@code duration} on a new file in {@code dir}, which it deletes afterwards. */
	static Result measure(Path dir, Duration duration) throws IOException {
		return measure(dir, duration, RECORD_BYTES);
	}

	/** As {@link #measure(Path, Duration)}, appending {@code recordBytes} per round instead of 64. */
	public static Result measure(Path dir, Duration duration, int recordBytes) throws IOException {
		Path file = dir.resolve("fsync-probe.bin");
		LatencySamples samples = new LatencySamples();
		ByteBuffer record = ByteBuffer.allocateDirect(recordBytes);
		long start = System.nanoTime();
		long deadline = start + duration.toNanos();
		long fsyncs = 0;
		try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
				StandardOpenOption.APPEND)) {
			do {
				long began = System.nanoTime();
				record.clear();
				while (record.hasRemaining()) {
					channel.write(record);
				}
				channel.force(false);
				samples.add(System.nanoTime() - began);
				fsyncs++;
			}
			while (System.nanoTime() < deadline);
		}
		finally {
			Files.deleteIfExists(file);
		}
		return new Result(fsyncs, Duration.ofNanos(System.nanoTime() - start), samples.stats());
	}

}
