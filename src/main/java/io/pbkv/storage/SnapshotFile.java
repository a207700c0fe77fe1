package io.pbkv.storage;

import io.pbkv.core.Snapshot;
import io.pbkv.core.VersionedValue;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;
import java.util.zip.CheckedOutputStream;

/**
 * A snapshot on disk, {@code snapshot-<lastIndex>.snap}: {@code int magic "PBKS", int version, long lastIndex,
 * long lastEpoch}, from version 2 {@code int n, n * (long firstIndex, long epoch)} (the epoch history), then
 * {@code long count} and per key {@code key, long version, value} (each byte string as {@code int length} and
 * bytes, keys in UTF-8), then an {@code int} CRC32C of everything before it. Version 1 files (no epoch history)
 * are still read.
 */
final class SnapshotFile {

	private static final int MAGIC = 0x50424b53;

	private static final int VERSION = 2;

	/** More epochs than any cluster lives through: a bound for reading a damaged count. */
	private static final int MAX_EPOCH_RUNS = 1 << 24;

	private static final Pattern NAME = Pattern.compile("snapshot-(\\d{20})\\.snap");

	private SnapshotFile() {
	}

	static Path pathFor(Path dir, long lastIndex) {
		return dir.resolve("snapshot-%020d.snap".formatted(lastIndex));
	}

	/** The last index a snapshot file is named for, or -1 if the name is not a snapshot's. */
	static long lastIndexOf(Path file) {
		Matcher matcher = NAME.matcher(file.getFileName().toString());
		return matcher.matches() ? Long.parseLong(matcher.group(1)) : -1;
	}

	/**
	 * Writes {@code snapshot} into {@code dir} so that a crash leaves either no new file or the whole of it:
	 * temp file, fsync, atomic rename, fsync of the directory. Returns the file's size.
	 */
	static long write(Path dir, Snapshot snapshot, boolean fsync) throws IOException {
		Path target = pathFor(dir, snapshot.lastIndex());
		Path temp = target.resolveSibling(target.getFileName() + ".tmp");
		try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
				StandardOpenOption.TRUNCATE_EXISTING)) {
			CRC32C crc = new CRC32C();
			DataOutputStream out = new DataOutputStream(new BufferedOutputStream(
					new CheckedOutputStream(Channels.newOutputStream(channel), crc), 1 << 16));
			out.writeInt(MAGIC);
			out.writeInt(VERSION);
			out.writeLong(snapshot.lastIndex());
			out.writeLong(snapshot.lastEpoch());
			out.writeInt(snapshot.epochs().size());
			for (Map.Entry<Long, Long> run : snapshot.epochs().entrySet()) {
				out.writeLong(run.getKey());
				out.writeLong(run.getValue());
			}
			out.writeLong(snapshot.data().size());
			for (Map.Entry<String, VersionedValue> entry : snapshot.data().entrySet()) {
				writeBytes(out, entry.getKey().getBytes(StandardCharsets.UTF_8));
				out.writeLong(entry.getValue().version());
				writeBytes(out, entry.getValue().value());
			}
			out.flush();
			out.writeInt((int) crc.getValue());
			out.flush();
			if (fsync) {
				channel.force(true);
			}
		}
		catch (IOException | RuntimeException ex) {
			Files.deleteIfExists(temp);
			throw ex;
		}
		Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
		if (fsync) {
			Fsync.directory(dir);
		}
		return Files.size(target);
	}

	/** What a snapshot file's first bytes say. */
	record Header(int version, long lastIndex, long lastEpoch) {
	}

	/** Size of the header {@link #header} reads: magic, version, lastIndex, lastEpoch. */
	static final int HEADER_BYTES = 4 + 4 + 8 + 8;

	/**
	 * Reads the header of the snapshot open in {@code channel} with a positional read (the channel's position is
	 * left alone); checks the magic number and the version, not the checksum.
	 */
	static Header header(FileChannel channel, Path file) throws IOException {
		ByteBuffer bytes = ByteBuffer.allocate(HEADER_BYTES);
		while (bytes.hasRemaining()) {
			if (channel.read(bytes, bytes.position()) < 0) {
				throw new LogCorruptedException(file, -1, "snapshot ends too early");
			}
		}
		if (bytes.getInt(0) != MAGIC) {
			throw corrupted(file, "not a pbkv snapshot (bad magic number)");
		}
		int version = checkVersion(file, bytes.getInt(4));
		return new Header(version, bytes.getLong(8), bytes.getLong(16));
	}

	/** Reads and verifies a snapshot file named for its last index; damage is a {@link LogCorruptedException}. */
	static Snapshot read(Path file) throws IOException {
		return read(file, true);
	}

	/** Reads and verifies a snapshot file whatever its name (a downloaded copy). */
	static Snapshot readAnyName(Path file) throws IOException {
		return read(file, false);
	}

	private static Snapshot read(Path file, boolean named) throws IOException {
		try (SnapshotReader in = new SnapshotReader(file, FileChannel.open(file, StandardOpenOption.READ))) {
			if (in.readInt() != MAGIC) {
				throw corrupted(file, "not a pbkv snapshot (bad magic number)");
			}
			int version = checkVersion(file, in.readInt());
			long lastIndex = in.readLong();
			long lastEpoch = in.readLong();
			TreeMap<Long, Long> epochs = new TreeMap<>();
			if (version >= 2) {
				int runs = in.readInt();
				if (runs < 0 || runs > MAX_EPOCH_RUNS) {
					throw corrupted(file, "impossible epoch history length " + runs);
				}
				for (int i = 0; i < runs; i++) {
					epochs.put(in.readLong(), in.readLong());
				}
			}
			long count = in.readLong();
			if ((named && lastIndex != lastIndexOf(file)) || lastIndex < 0 || lastEpoch < 0 || count < 0) {
				throw corrupted(file, "bad header (lastIndex " + lastIndex + ", lastEpoch " + lastEpoch + ", count "
						+ count + ")");
			}
			List<Map.Entry<String, VersionedValue>> entries = SnapshotReader.newEntries(count);
			for (long i = 0; i < count; i++) {
				String key = new String(in.readBytes(), StandardCharsets.UTF_8);
				long valueVersion = in.readLong();
				entries.add(Map.entry(key, new VersionedValue(in.readBytes(), valueVersion)));
			}
			int expected = in.checksum();
			if (in.readInt() != expected) {
				throw corrupted(file, "checksum mismatch");
			}
			if (!in.atEnd()) {
				throw corrupted(file, "unexpected bytes after the checksum");
			}
			NavigableMap<String, VersionedValue> data = SnapshotReader.fromAscending(entries);
			if (data == null) {
				TreeMap<String, VersionedValue> sorted = new TreeMap<>();
				entries.forEach(e -> sorted.put(e.getKey(), e.getValue()));
				data = sorted;
			}
			return new Snapshot(lastIndex, lastEpoch, data, epochs);
		}
		catch (EOFException ex) {
			throw new LogCorruptedException(file, -1, "snapshot ends too early", ex);
		}
	}

	private static int checkVersion(Path file, int version) throws IOException {
		if (version > VERSION) {
			throw new UnsupportedFormatException(file, "snapshot format", version, "versions 1 to " + VERSION);
		}
		if (version < 1) {
			throw corrupted(file, "impossible snapshot format version " + version);
		}
		return version;
	}

	private static void writeBytes(DataOutputStream out, byte[] bytes) throws IOException {
		out.writeInt(bytes.length);
		out.write(bytes);
	}

	private static LogCorruptedException corrupted(Path file, String reason) {
		return new LogCorruptedException(file, -1, reason);
	}

}
