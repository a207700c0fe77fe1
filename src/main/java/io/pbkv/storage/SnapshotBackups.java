package io.pbkv.storage;

import io.pbkv.core.Snapshot;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Backup and restore of a node's state as one snapshot file. A snapshot file is the whole state at exactly one
 * applied index and is never changed once it has its name (it is written under a temp name, forced, then renamed),
 * so a copy of it, or a download read through a channel opened on it, is consistent even if the node deletes the
 * file meanwhile. Restore places such a file as the only content of a new data dir.
 */
public final class SnapshotBackups {

	/** What a snapshot file says about itself in its first bytes. */
	public record Header(int version, long lastIndex, long lastEpoch) {
	}

	/** What {@link #restore} placed. */
	public record Restored(Path file, long lastIndex, long lastEpoch, int keys, long bytes) {
	}

	private static final String LOCK_FILE = ".lock";

	private SnapshotBackups() {
	}

	/** The node's newest complete snapshot file in {@code dataDir}, or null when it has none yet. */
	public static Path newestSnapshot(Path dataDir) throws IOException {
		Path dir = dataDir.resolve("log");
		if (!Files.isDirectory(dir)) {
			return null;
		}
		try (Stream<Path> files = Files.list(dir)) {
			return files.filter(file -> SnapshotFile.lastIndexOf(file) >= 0)
				.max(Comparator.comparingLong(SnapshotFile::lastIndexOf))
				.orElse(null);
		}
	}

	/** The last index a snapshot file of a node's log is named for. */
	public static long lastIndexOf(Path snapshotFile) {
		return SnapshotFile.lastIndexOf(snapshotFile);
	}

	/**
	 * The header of the snapshot open in {@code channel}, read without moving the channel's position; the magic
	 * number and the version are checked, the checksum is not.
	 */
	public static Header header(FileChannel channel, Path file) throws IOException {
		SnapshotFile.Header header = SnapshotFile.header(channel, file);
		return new Header(header.version(), header.lastIndex(), header.lastEpoch());
	}

	/** Reads and verifies a snapshot file whatever its name: format, header and the checksum of the whole file. */
	public static Snapshot verify(Path file) throws IOException {
		return SnapshotFile.readAnyName(file);
	}

	/**
	 * Verifies {@code file} and places it as {@code dataDir/log/snapshot-<lastIndex>.snap}, durably, in a data dir
	 * that must be new or empty: a node started on it holds exactly that state and founds a new cluster.
	 *
	 * @throws IllegalArgumentException when {@code dataDir} is not empty or not a directory
	 * @throws IOException when the file is not a complete snapshot this pbkv can read, or copying fails
	 */
	public static Restored restore(Path file, Path dataDir) throws IOException {
		Snapshot snapshot = verify(file);
		requireEmpty(dataDir);
		try (DataDirLock lock = DataDirLock.acquire(dataDir)) {
			requireEmpty(dataDir); // nothing came meanwhile

			Path logDir = dataDir.resolve("log");
			Files.createDirectories(logDir);
			Path target = SnapshotFile.pathFor(logDir, snapshot.lastIndex());
			Path temp = target.resolveSibling(target.getFileName() + ".tmp");
			try {
				Files.copy(file, temp);
				try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
					channel.force(true);
				}
				Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
				Fsync.directory(logDir);
				Fsync.directory(dataDir);
				// What a node will read: the copy, under its name.
				Snapshot placed = SnapshotFile.read(target);
				if (placed.lastIndex() != snapshot.lastIndex() || placed.lastEpoch() != snapshot.lastEpoch()
						|| placed.data().size() != snapshot.data().size()) {
					throw new IOException("the copy in " + target + " differs from " + file);
				}
			}
			catch (IOException | RuntimeException ex) {
				Files.deleteIfExists(temp);
				Files.deleteIfExists(target);
				throw ex;
			}
			return new Restored(target, snapshot.lastIndex(), snapshot.lastEpoch(), snapshot.data().size(),
					Files.size(target));
		}
	}

	/** Empty but for what a restore that failed leaves: the lock file and an empty log directory. */
	private static void requireEmpty(Path dataDir) throws IOException {
		if (!Files.exists(dataDir)) {
			return;
		}
		if (!Files.isDirectory(dataDir)) {
			throw new IllegalArgumentException(dataDir + " exists and is not a directory");
		}
		try (Stream<Path> entries = Files.list(dataDir)) {
			List<String> found = entries.map(p -> p.getFileName().toString())
				.filter(name -> !name.equals(LOCK_FILE) && !(name.equals("log") && isEmptyDirectory(dataDir.resolve(name))))
				.sorted()
				.toList();
			if (!found.isEmpty()) {
				throw new IllegalArgumentException("data dir " + dataDir + " is not empty (it holds " + String.join(", ",
						found.subList(0, Math.min(5, found.size()))) + (found.size() > 5 ? ", ..." : "")
						+ "): restore only into a new or empty directory, never over a node's data");
			}
		}
	}

	private static boolean isEmptyDirectory(Path dir) {
		try (Stream<Path> entries = Files.list(dir)) {
			return entries.findAny().isEmpty();
		}
		catch (IOException ex) {
			return false;
		}
	}

}
