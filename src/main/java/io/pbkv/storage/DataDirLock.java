package io.pbkv.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Exclusive use of a data directory by one process, held through an OS file lock on {@code .lock}. */
public final class DataDirLock implements AutoCloseable {

	private static final String LOCK_FILE = ".lock";

	/**
	 * Directories locked by this JVM. Checked before opening the lock file because closing any channel on a
	 * file drops every POSIX lock this process holds on it, including the one that protects the directory.
	 */
	private static final Set<Path> HELD_HERE = ConcurrentHashMap.newKeySet();

	private final Path dir;

	private final FileChannel channel;

	private final FileLock lock;

	private boolean closed;

	private DataDirLock(Path dir, FileChannel channel, FileLock lock) {
		this.dir = dir;
		this.channel = channel;
		this.lock = lock;
	}

	/** Creates {@code dataDir} if needed and locks it, or throws {@link DataDirInUseException}. */
	public static DataDirLock acquire(Path dataDir) throws IOException {
		Files.createDirectories(dataDir);
		Path dir = dataDir.toRealPath();
		long pid = ProcessHandle.current().pid();
		if (!HELD_HERE.add(dir)) {
			throw inUse(dir, Long.toString(pid));
		}
		FileChannel channel = null;
		try {
			channel = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.READ,
					StandardOpenOption.WRITE);
			FileLock lock = tryLock(channel);
			if (lock == null) {
				throw inUse(dir, holderPid(channel));
			}
			channel.truncate(0);
			channel.write(ByteBuffer.wrap((pid + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
			return new DataDirLock(dir, channel, lock);
		}
		catch (IOException | RuntimeException ex) {
			HELD_HERE.remove(dir);
			if (channel != null) {
				try {
					channel.close();
				}
				catch (IOException closeFailure) {
					ex.addSuppressed(closeFailure);
				}
			}
			throw ex;
		}
	}

	private static FileLock tryLock(FileChannel channel) throws IOException {
		try {
			return channel.tryLock();
		}
		catch (OverlappingFileLockException ex) {
			return null;
		}
	}

	private static String holderPid(FileChannel channel) {
		try {
			ByteBuffer buffer = ByteBuffer.allocate(32);
			channel.read(buffer, 0);
			String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII).trim();
			return text.matches("\\d+") ? text : null;
		}
		catch (IOException ex) {
			return null;
		}
	}

	private static DataDirInUseException inUse(Path dir, String pid) {
		return new DataDirInUseException("data dir " + dir + " is in use by another pbkv process"
				+ (pid != null ? " (pid " + pid + ")" : ""));
	}

	public Path dir() {
		return dir;
	}

	@Override
	public synchronized void close() throws IOException {
		if (closed) {
			return;
		}
		closed = true;
		try {
			if (lock.isValid()) {
				lock.release();
			}
			channel.close();
		}
		finally {
			HELD_HERE.remove(dir);
		}
	}

}
