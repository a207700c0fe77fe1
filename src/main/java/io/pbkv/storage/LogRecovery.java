package io.pbkv.storage;

import io.pbkv.core.LogEntry;
import io.pbkv.core.Snapshot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Reads a log directory at startup: the newest snapshot, then every segment in order. */
final class LogRecovery {

	private static final Logger log = LoggerFactory.getLogger(LogRecovery.class);

	/** What the directory holds; {@code segments} are ordered by base index, sized to their valid records. */
	record Result(Snapshot snapshot, Path snapshotFile, long snapshotBytes, List<SegmentFile> segments,
			List<LogEntry> entries, long commitIndex) {
	}

	private final Path dir;

	private final boolean fsync;

	private Snapshot snapshot = Snapshot.EMPTY;

	private final List<LogEntry> entries = new ArrayList<>();

	private long commitIndex;

	/** Whether the entry at the snapshot's last index has another epoch than the snapshot says. */
	private boolean divergent;

	private SegmentFile segment;

	private final SnapshotPreload preload;

	private LogRecovery(Path dir, boolean fsync, SnapshotPreload preload) {
		this.dir = dir;
		this.fsync = fsync;
		this.preload = preload;
	}

	static Result recover(Path dir, boolean fsync, SnapshotPreload preload) throws IOException {
		return new LogRecovery(dir, fsync, preload).recover();
	}

	private Result recover() throws IOException {
		Files.createDirectories(dir);
		List<Path> snapshotFiles = new ArrayList<>();
		List<SegmentFile> segments = new ArrayList<>();
		List<Path> temps = new ArrayList<>();
		try (Stream<Path> files = Files.list(dir)) {
			for (Path file : files.toList()) {
				if (file.getFileName().toString().endsWith(".tmp")) {
					temps.add(file);
				}
				else if (SnapshotFile.lastIndexOf(file) >= 0) {
					snapshotFiles.add(file);
				}
				else if (SegmentFile.existing(file) instanceof SegmentFile existing) {
					segments.add(existing);
				}
			}
		}
		Path snapshotFile = snapshotFiles.stream().max(Comparator.comparingLong(SnapshotFile::lastIndexOf)).orElse(null);
		long snapshotBytes = 0;
		if (snapshotFile != null) {
			// First, before anything is changed: a snapshot in a newer format means a data dir of a newer pbkv.
			Snapshot preloaded = preload.take(snapshotFile);
			snapshot = (preloaded != null) ? preloaded : SnapshotFile.read(snapshotFile);
			snapshotBytes = Files.size(snapshotFile);
		}
		for (Path temp : temps) {
			Files.delete(temp); // a write that crashed before its rename
		}
		if (snapshotFile != null) {
			for (Path older : snapshotFiles) {
				if (!older.equals(snapshotFile)) {
					Files.delete(older); // superseded; a crash came before saveSnapshot deleted it
				}
			}
		}
		segments.sort(Comparator.comparingLong(SegmentFile::baseIndex));
		for (int i = 0; i < segments.size(); i++) {
			segment = segments.get(i);
			SegmentReader.Result read = SegmentReader.read(segment.path(), this::record);
			long fileBytes = read.fileBytes();
			if (!read.intact()) {
				cutTornTail(read, i == segments.size() - 1);
				fileBytes = read.validBytes();
			}
			segment.recovered(read.validBytes(), fileBytes, SegmentFile.preallocation(fsync));
		}
		if (divergent) {
			discard(segments);
			segments.clear();
			entries.clear();
			commitIndex = 0;
		}
		return new Result(snapshot, snapshotFile, snapshotBytes, segments, List.copyOf(entries),
				Math.max(commitIndex, snapshot.lastIndex()));
	}

	private void record(long position, LogRecordCodec.Record record) throws IOException {
		switch (record) {
			case LogRecordCodec.CommitRecord(long index) -> commitIndex = Math.max(commitIndex, index);
			case LogRecordCodec.EntryRecord(LogEntry entry) -> entry(position, entry);
		}
	}

	private void entry(long position, LogEntry entry) throws IOException {
		long expectedHere = segment.baseIndex() + segment.entryCount();
		if (entry.index() != expectedHere) {
			throw new LogCorruptedException(segment.path(), position,
					"entry " + entry.index() + " where entry " + expectedHere + " belongs");
		}
		segment.addEntry(position);
		if (entry.index() <= snapshot.lastIndex()) {
			// Covered by the snapshot: compaction deletes whole segments only, and may lag.
			divergent |= entry.index() == snapshot.lastIndex() && entry.epoch() != snapshot.lastEpoch();
			return;
		}
		long previous = entries.isEmpty() ? snapshot.lastIndex() : entries.getLast().index();
		if (entry.index() != previous + 1) {
			throw new LogCorruptedException(segment.path(), position,
					"entry " + entry.index() + " does not follow entry " + previous);
		}
		entries.add(entry);
	}

	/**
	 * A damaged record is a torn write from a crash only if it is the last thing in the log; anywhere else,
	 * cutting it would lose data that was written after it.
	 */
	private void cutTornTail(SegmentReader.Result read, boolean lastSegment) throws IOException {
		Path file = segment.path();
		if (!lastSegment) {
			throw new LogCorruptedException(file, read.validBytes(), read.problem() + ", in a segment followed by others");
		}
		if (SegmentReader.intactRecordAfter(file, read.validBytes())) {
			throw new LogCorruptedException(file, read.validBytes(), read.problem() + ", with intact records after it");
		}
		try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
			channel.truncate(read.validBytes());
			if (fsync) {
				channel.force(false);
			}
		}
		log.warn("Cut the torn tail of log segment {} at offset {}: {} bytes removed ({})", file.toAbsolutePath(),
				read.validBytes(), read.fileBytes() - read.validBytes(), read.problem());
	}

	/**
	 * Only resetTo installs a snapshot that the log does not lead to, and it deletes the log after making the
	 * snapshot durable; finding both means it was interrupted, so finish it.
	 */
	private void discard(List<SegmentFile> segments) throws IOException {
		log.warn("Log in {} disagrees with snapshot {} about the epoch of entry {}: deleting {} segment files left "
				+ "by an interrupted reset", dir.toAbsolutePath(), snapshot.lastIndex(), snapshot.lastIndex(),
				segments.size());
		for (SegmentFile stale : segments.reversed()) {
			stale.delete();
		}
		if (fsync) {
			Fsync.directory(dir);
		}
	}

}
