package io.pbkv.runtime;

import io.pbkv.core.LogEntry;
import io.pbkv.core.Snapshot;

import java.io.IOException;
import java.util.List;

/**
 * The durable replicated log: entries after the latest snapshot, the latest snapshot, and the highest index
 * known to be committed. Owned by one thread (the node runtime's storage thread, StorageAppender); not
 * thread-safe.
 *
 * <p>Writes are buffered until {@link #sync()}: nothing written is promised durable before {@code sync()}
 * returns. Every method either completes or throws {@link IOException}; after an exception the runtime stops
 * the node rather than guess what reached the disk.
 */
public interface LogStore extends AutoCloseable {

	/** What {@link #open} found on disk. Entries follow the snapshot without gaps. */
	record Recovered(Snapshot snapshot, List<LogEntry> entries, long commitIndex) {
	}

	/**
	 * Reads the directory once, cutting a torn last record (reported in one WARN line). Throws on corruption
	 * anywhere but the tail, never silently dropping data. Called once, before any other method.
	 */
	Recovered open() throws IOException;

	/** Appends entries whose indexes continue the log exactly. Not durable until {@link #sync()}. */
	void append(List<LogEntry> entries) throws IOException;

	/** Removes every entry with index {@code >= fromIndex} (a divergent, uncommitted tail). */
	void truncateFrom(long fromIndex) throws IOException;

	/** Records that every entry up to {@code commitIndex} is committed. Not durable until {@link #sync()}. */
	void commit(long commitIndex) throws IOException;

	/** Forces everything written so far to disk (one fsync for all of it: group commit). */
	void sync() throws IOException;

	/**
	 * Durably replaces the snapshot (temp file, fsync, rename, fsync of the directory) and then deletes log
	 * records that the snapshot covers. Entries after {@code snapshot.lastIndex()} are kept.
	 */
	default void saveSnapshot(Snapshot snapshot) throws IOException {
		snapshotWritten(snapshot, writeSnapshot(snapshot), snapshot.lastIndex());
	}

	/**
	 * The slow half of {@link #saveSnapshot}: writes the snapshot's file durably and returns its size. The one
	 * method that may run on another thread, concurrently with the storage thread's calls: it changes nothing the
	 * log reads. Recovery ignores a file whose {@link #snapshotWritten} never came unless it is the newest valid one,
	 * which is then as good as a saved snapshot.
	 */
	long writeSnapshot(Snapshot snapshot) throws IOException;

	/**
	 * The quick half of {@link #saveSnapshot}, on the storage thread: takes the file {@link #writeSnapshot} wrote as
	 * the snapshot and deletes the log records up to {@code compactTo} (at most the snapshot's last index: less when a
	 * backup still fetches an older snapshot and will need the entries after it) and the older snapshot files
	 * before {@code compactTo}. A snapshot older than the current one (a reset overtook it) is deleted instead.
	 */
	void snapshotWritten(Snapshot snapshot, long bytes, long compactTo) throws IOException;

	/**
	 * Drops the whole log and installs {@code snapshot} as its new start (a backup that is too far behind
	 * receives the primary's snapshot). Durable when it returns. A file the {@link SnapshotSource} fetched for
	 * this snapshot is moved into place rather than written again.
	 */
	void resetTo(Snapshot snapshot) throws IOException;

	/** Bytes the log and snapshot take on disk now. */
	long sizeOnDisk();

	/**
	 * Bytes this store has written since it was opened: log records and snapshot files (a fetched snapshot file
	 * is counted where it was fetched, not here). Safe to call from any thread.
	 */
	default BytesWritten bytesWritten() {
		return new BytesWritten(0, 0);
	}

	/** Bytes written to the log's segments and to snapshot files. */
	record BytesWritten(long log, long snapshots) {
	}

	@Override
	void close() throws IOException;

}
