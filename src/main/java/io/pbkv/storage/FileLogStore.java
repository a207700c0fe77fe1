package io.pbkv.storage;

import io.pbkv.core.LogEntry;
import io.pbkv.core.Snapshot;
import io.pbkv.runtime.LogStore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@link LogStore} on local files under {@code dataDir/log/}: append-only segment files of checksummed records
 * (see {@link RecordBatch} and {@link LogRecordCodec}) plus the latest {@link SnapshotFile}. Not thread-safe.
 */
public final class FileLogStore implements LogStore {

	static final long DEFAULT_SEGMENT_BYTES = 64L << 20;

	/** Buffered records are written out once they reach this size, even before {@link #sync()}. */
	private static final int MAX_BUFFERED_BYTES = 4 << 20;

	private final Path dir;

	private final boolean fsync;

	private final SnapshotPreload preload;

	private final long segmentBytes;

	private final RecordBatch batch = new RecordBatch();

	/** Ordered by base index; the last one is the one appended to. */
	private final List<SegmentFile> segments = new ArrayList<>();

	private long segmentsOnDisk;

	/** Bytes written since open, read by the metrics thread; snapshots are also written by the snapshot writer's. */
	private final LongAdder logBytesWritten = new LongAdder();

	private final LongAdder snapshotBytesWritten = new LongAdder();

	private Path snapshotFile;

	/** Older snapshot files kept because a backup may still be fetching them, by last index. */
	private final TreeMap<Long, Path> pinnedSnapshots = new TreeMap<>();

	/** Sizes of the pinned snapshot files, by last index. */
	private final TreeMap<Long, Long> pinnedBytes = new TreeMap<>();

	private final Path incoming;

	private long snapshotBytes;

	private long snapshotIndex;

	private long nextIndex;

	private long commitIndex;

	/** Whether a segment was created or deleted since the directory was last forced. */
	private boolean directoryChanged;

	private boolean opened;

	private boolean closed;

	/** {@code fsync == false} writes to the OS but never forces to disk ({@code kv.storage.fsync=never}). */
	public FileLogStore(Path dataDir, boolean fsync) {
		this(dataDir, fsync, SnapshotPreload.none());
	}

	/** A store whose {@link #open} takes the snapshot {@code preload} read, if it is the one to recover from. */
	public FileLogStore(Path dataDir, boolean fsync, SnapshotPreload preload) {
		this(dataDir, fsync, DEFAULT_SEGMENT_BYTES, preload);
	}

	FileLogStore(Path dataDir, boolean fsync, long segmentBytes) {
		this(dataDir, fsync, segmentBytes, SnapshotPreload.none());
	}

	private FileLogStore(Path dataDir, boolean fsync, long segmentBytes, SnapshotPreload preload) {
		this.dir = dataDir.resolve("log");
		this.incoming = incomingDir(dataDir);
		this.fsync = fsync;
		this.segmentBytes = segmentBytes;
		this.preload = preload;
	}

	@Override
	public Recovered open() throws IOException {
		if (opened) {
			throw new IllegalStateException("already opened");
		}
		opened = true;
		LogRecovery.Result found = LogRecovery.recover(dir, fsync, preload);
		segments.addAll(found.segments());
		segmentsOnDisk = segments.stream().mapToLong(SegmentFile::length).sum();
		snapshotFile = found.snapshotFile();
		snapshotBytes = found.snapshotBytes();
		snapshotIndex = found.snapshot().lastIndex();
		commitIndex = found.commitIndex();
		nextIndex = found.entries().isEmpty() ? snapshotIndex + 1 : found.entries().getLast().index() + 1;
		if (segments.isEmpty() || active().baseIndex() + active().entryCount() != nextIndex) {
			startSegment(nextIndex);
			forceDirectory();
		}
		return new Recovered(found.snapshot(), found.entries(), commitIndex);
	}

	@Override
	public void append(List<LogEntry> entries) throws IOException {
		requireOpen();
		for (int i = 0; i < entries.size(); i++) {
			if (entries.get(i).index() != nextIndex + i) {
				throw new IllegalArgumentException(
						"entry " + entries.get(i).index() + " does not continue the log at " + (nextIndex + i));
			}
		}
		for (LogEntry entry : entries) {
			if (active().entryCount() > 0 && active().size() + batch.bytes() >= segmentBytes) {
				roll(nextIndex);
			}
			long position = active().size() + batch.bytes();
			LogRecordCodec.writeEntry(batch, entry);
			active().addEntry(position);
			nextIndex++;
			if (batch.bytes() >= MAX_BUFFERED_BYTES) {
				flush();
			}
		}
	}

	@Override
	public void commit(long index) throws IOException {
		requireOpen();
		if (index > commitIndex) {
			commitIndex = index;
			LogRecordCodec.writeCommit(batch, index);
		}
	}

	@Override
	public void sync() throws IOException {
		requireOpen();
		// Group commit: the records of every append and commit since the last sync go out in one write, then one
		// force makes all of them durable. Segments filled in between were forced when they were closed, and the
		// directory is forced last so that a segment created since then is found after a crash.
		flush();
		if (fsync) {
			active().force();
		}
		forceDirectory();
	}

	@Override
	public void truncateFrom(long fromIndex) throws IOException {
		requireOpen();
		if (fromIndex <= commitIndex) {
			throw new IllegalStateException(
					"cannot truncate the log from " + fromIndex + ": entries up to " + commitIndex + " are committed");
		}
		if (fromIndex >= nextIndex) {
			return;
		}
		flush();
		// Newer segments go first and durably, so that a crash leaves a shorter log rather than one with a gap.
		while (!active().contains(fromIndex)) {
			deleteSegment(segments.removeLast());
		}
		forceDirectory();
		SegmentFile segment = active();
		long before = segment.length();
		segment.truncateFrom(fromIndex);
		segmentsOnDisk -= before - segment.length();
		nextIndex = fromIndex;
		if (commitIndex > snapshotIndex) {
			// The cut may have removed the record that made the commit index durable.
			LogRecordCodec.writeCommit(batch, commitIndex);
			flush();
		}
		if (fsync) {
			segment.force();
		}
	}

	@Override
	public long writeSnapshot(Snapshot snapshot) throws IOException {
		long bytes = SnapshotFile.write(dir, snapshot, fsync);
		snapshotBytesWritten.add(bytes);
		return bytes;
	}

	/** Where a snapshot file of this data dir's log is, whether or not it still exists. */
	public static Path snapshotFile(Path dataDir, long lastIndex) {
		return SnapshotFile.pathFor(dataDir.resolve("log"), lastIndex);
	}

	/** Where fetched snapshot files wait (partial ones included) until the log takes them. */
	public static Path incomingDir(Path dataDir) {
		return dataDir.resolve("incoming");
	}

	/** Reads and verifies a complete snapshot file (its checksum covers all of it). */
	public static Snapshot readSnapshot(Path file) throws IOException {
		return SnapshotFile.read(file);
	}

	@Override
	public void snapshotWritten(Snapshot snapshot, long bytes, long compactTo) throws IOException {
		requireOpen();
		long lastIndex = snapshot.lastIndex();
		Path written = SnapshotFile.pathFor(dir, lastIndex);
		if (lastIndex < snapshotIndex || written.equals(snapshotFile)) {
			if (!written.equals(snapshotFile)) {
				Files.deleteIfExists(written);
			}
			return;
		}
		flush();
		try {
			checkLeadsTo(snapshot);
		}
		catch (IllegalArgumentException ex) {
			Files.deleteIfExists(written);
			throw ex;
		}
		replaceSnapshot(written, bytes, lastIndex, compactTo);
		commitIndex = Math.max(commitIndex, lastIndex);
		nextIndex = Math.max(nextIndex, lastIndex + 1);
		// A fresh segment (unless the current one is still empty) lets this snapshot or a later one delete the
		// current segment as a whole once it covers it.
		if (active().baseIndex() != nextIndex) {
			roll(nextIndex);
			if (commitIndex > lastIndex) {
				LogRecordCodec.writeCommit(batch, commitIndex);
				flush();
				if (fsync) {
					active().force();
				}
			}
		}
		while (segments.size() > 1 && segments.getFirst().lastIndex() <= Math.min(lastIndex, compactTo)) {
			deleteSegment(segments.removeFirst());
		}
		forceDirectory();
	}

	@Override
	public void resetTo(Snapshot snapshot) throws IOException {
		requireOpen();
		batch.clear();
		// The snapshot is durable before any segment goes; recovery finishes an interrupted reset.
		Path target = SnapshotFile.pathFor(dir, snapshot.lastIndex());
		Path fetched = incoming.resolve(target.getFileName());
		long bytes = -1;
		if (Files.exists(fetched)) {
			try {
				Files.move(fetched, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
				// Its new name must be durable before any segment goes (the forceDirectory below).
				directoryChanged = true;
				bytes = Files.size(target);
			}
			catch (NoSuchFileException ex) {
				// The fetcher deleted it just now (it started on a newer offer): written from memory instead.
			}
		}
		if (bytes < 0) {
			bytes = SnapshotFile.write(dir, snapshot, fsync);
			snapshotBytesWritten.add(bytes);
		}
		replaceSnapshot(target, bytes, snapshot.lastIndex(), Long.MAX_VALUE);
		forceDirectory();
		while (!segments.isEmpty()) {
			deleteSegment(segments.removeLast());
		}
		snapshotIndex = snapshot.lastIndex();
		commitIndex = snapshotIndex;
		nextIndex = snapshotIndex + 1;
		startSegment(nextIndex);
		forceDirectory();
	}

	@Override
	public BytesWritten bytesWritten() {
		return new BytesWritten(logBytesWritten.sum(), snapshotBytesWritten.sum());
	}

	@Override
	public long sizeOnDisk() {
		return segmentsOnDisk + snapshotBytes + pinnedBytes.values().stream().mapToLong(Long::longValue).sum();
	}

	@Override
	public void close() throws IOException {
		if (!opened || closed) {
			return;
		}
		try {
			if (!segments.isEmpty()) { // empty when open() failed: nothing to sync, and the failure must show
				flush();
				trim(active());
				sync();
			}
		}
		finally {
			closed = true;
			for (SegmentFile segment : segments) {
				segment.close();
			}
		}
	}

	/**
	 * Takes the durable snapshot file {@code saved} as the snapshot; the one it replaces, and older ones, go
	 * unless they reach {@code keepFrom} (a backup is fetching them).
	 */
	private void replaceSnapshot(Path saved, long bytes, long lastIndex, long keepFrom) throws IOException {
		if (snapshotFile != null && !snapshotFile.equals(saved)) {
			pinnedSnapshots.put(snapshotIndex, snapshotFile);
			pinnedBytes.put(snapshotIndex, snapshotBytes);
		}
		var older = pinnedSnapshots.headMap(Math.min(keepFrom, lastIndex));
		for (Path file : older.values()) {
			Files.deleteIfExists(file);
			directoryChanged = true;
		}
		older.clear();
		pinnedBytes.headMap(Math.min(keepFrom, lastIndex)).clear();
		pinnedSnapshots.remove(lastIndex);
		pinnedBytes.remove(lastIndex);
		snapshotFile = saved;
		snapshotBytes = bytes;
		snapshotIndex = lastIndex;
	}

	/** A snapshot must describe this log: recovery takes a disagreement for an interrupted reset. */
	private void checkLeadsTo(Snapshot snapshot) throws IOException {
		long index = snapshot.lastIndex();
		for (SegmentFile segment : segments) {
			if (segment.contains(index)) {
				long epoch = segment.read(index).epoch();
				if (epoch != snapshot.lastEpoch()) {
					throw new IllegalArgumentException("snapshot at " + index + " has epoch " + snapshot.lastEpoch()
							+ " but the log's entry " + index + " has epoch " + epoch);
				}
			}
		}
	}

	/** Closes the current segment durably and starts the next. */
	private void roll(long baseIndex) throws IOException {
		flush();
		SegmentFile full = active();
		trim(full);
		if (fsync) {
			// Recovery tolerates a torn record only at the end of the last segment.
			full.force();
		}
		full.close();
		startSegment(baseIndex);
	}

	private void startSegment(long baseIndex) throws IOException {
		segments.add(SegmentFile.create(dir, baseIndex, SegmentFile.preallocation(fsync)));
		directoryChanged = true;
	}

	/** Gives back the zeros written ahead of a segment's records; the next force makes it durable. */
	private void trim(SegmentFile segment) throws IOException {
		long before = segment.length();
		segment.trim();
		segmentsOnDisk -= before - segment.length();
	}

	private void deleteSegment(SegmentFile segment) throws IOException {
		segment.delete();
		segmentsOnDisk -= segment.length();
		directoryChanged = true;
	}

	private void flush() throws IOException {
		if (!batch.isEmpty()) {
			long before = active().length();
			// The zeros written ahead count: they are written to disk as much as the records are.
			logBytesWritten.add(active().write(batch.contents()));
			segmentsOnDisk += active().length() - before;
			batch.clear();
		}
	}

	private void forceDirectory() throws IOException {
		if (directoryChanged && fsync) {
			Fsync.directory(dir);
		}
		directoryChanged = false;
	}

	private SegmentFile active() {
		return segments.getLast();
	}

	private void requireOpen() {
		if (!opened || closed) {
			throw new IllegalStateException(closed ? "log store is closed" : "log store is not open");
		}
	}

}
