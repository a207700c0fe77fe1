package io.pbkv.storage;

import io.pbkv.core.Command;
import io.pbkv.core.LogEntry;
import io.pbkv.core.Precondition;
import io.pbkv.core.Snapshot;
import io.pbkv.core.VersionedValue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.LongStream;
import java.util.stream.Stream;

/** Entries, snapshots and file surgery for the storage tests. */
final class TestLogs {

	private TestLogs() {
	}

	static LogEntry put(long index, long epoch) {
		return new LogEntry(index, epoch,
				new Command.Put("key-" + index, ("value-" + index).getBytes(StandardCharsets.UTF_8), Precondition.NONE));
	}

	/** A PUT of the largest key, value and If-Match list a client may send (at the highest kv.limits). */
	static LogEntry largestPut(long index, long epoch) {
		byte[] value = new byte[Command.MAX_VALUE_BYTES];
		new Random(index).nextBytes(value);
		List<Long> versions = LongStream.rangeClosed(1, Precondition.IfVersion.MAX_VERSIONS).boxed().toList();
		String key = "\u20ac".repeat(Command.MAX_KEY_BYTES / 3) + "k".repeat(Command.MAX_KEY_BYTES % 3);
		return new LogEntry(index, epoch, new Command.Put(key, value, new Precondition.IfVersion(versions)));
	}

	static List<LogEntry> puts(long from, long to, long epoch) {
		List<LogEntry> entries = new ArrayList<>();
		for (long i = from; i <= to; i++) {
			entries.add(put(i, epoch));
		}
		return entries;
	}

	static Snapshot snapshot(long lastIndex, long lastEpoch, int keys) {
		TreeMap<String, VersionedValue> data = new TreeMap<>();
		for (int i = 0; i < keys; i++) {
			data.put("key-" + i, new VersionedValue(("value-" + i).getBytes(StandardCharsets.UTF_8), i + 1));
		}
		// The epoch history: epoch 1 from index 1, and the last epoch's run ending at lastIndex.
		TreeMap<Long, Long> epochs = new TreeMap<>();
		if (lastIndex > 0) {
			epochs.put(1L, 1L);
			epochs.put(lastIndex, lastEpoch);
		}
		return new Snapshot(lastIndex, lastEpoch, data, epochs);
	}

	static Path logDir(Path dataDir) {
		return dataDir.resolve("log");
	}

	static List<Path> files(Path dataDir, String suffix) throws IOException {
		try (Stream<Path> files = Files.list(logDir(dataDir))) {
			return files.filter(f -> f.getFileName().toString().endsWith(suffix)).sorted().toList();
		}
	}

	static List<Path> segments(Path dataDir) throws IOException {
		return files(dataDir, ".seg");
	}

	static Path lastSegment(Path dataDir) throws IOException {
		return segments(dataDir).getLast();
	}

	/** Sum of the sizes of segment and snapshot files, as listed now. */
	static long listedSize(Path dataDir) throws IOException {
		long size = 0;
		for (Path file : files(dataDir, "")) {
			String name = file.getFileName().toString();
			if (name.endsWith(".seg") || name.endsWith(".snap")) {
				size += Files.size(file);
			}
		}
		return size;
	}

	/** Start offsets of the framed records in a segment file that has no damage. */
	static List<Long> recordOffsets(Path segment) throws IOException {
		ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(segment));
		List<Long> offsets = new ArrayList<>();
		while (bytes.remaining() >= 8) {
			offsets.add((long) bytes.position());
			int length = bytes.getInt(bytes.position());
			bytes.position(bytes.position() + 8 + length);
		}
		return offsets;
	}

	static void flipByte(Path file, long offset) throws IOException {
		try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
			ByteBuffer one = ByteBuffer.allocate(1);
			channel.read(one, offset);
			one.put(0, (byte) (one.get(0) ^ 0x5a)).rewind();
			channel.write(one, offset);
		}
	}

	static void appendBytes(Path file, byte[] bytes) throws IOException {
		Files.write(file, bytes, StandardOpenOption.APPEND);
	}

	static void cutBytes(Path file, long bytes) throws IOException {
		try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
			channel.truncate(channel.size() - bytes);
		}
	}

}
