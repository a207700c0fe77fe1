package io.pbkv.core.sim;

import io.pbkv.core.HardState;
import io.pbkv.core.LogEntry;
import io.pbkv.core.Ready;
import io.pbkv.core.Snapshot;

import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.Random;

/**
 * One node's data dir in memory: exactly what its {@link Ready}s persisted. The hard state and snapshots are
 * durable at once (the real stores fsync them); entries, truncations and the commit index become durable at the
 * Ready's fsync, which happens only when entries or a truncation were written: a commit index written alone may
 * be lost by a crash, as on a real disk.
 */
final class SimStore {

	HardState hardState = HardState.INITIAL;

	Snapshot snapshot = Snapshot.EMPTY;

	final List<LogEntry> entries = new ArrayList<>();

	/** Snapshot files on disk by last index: the newest, and older ones a fetching backup still pins. */
	final NavigableMap<Long, Snapshot> files = new TreeMap<>();

	/** Part files of snapshots being fetched, by last index (at most one: a new fetch replaces the others). */
	final NavigableMap<Long, PartFile> incoming = new TreeMap<>();

	long commitIndex;

	/** The commit index as of the last fsync: what survives a crash for sure. */
	private long syncedCommitIndex;

	/** Executes the persisting part of {@code rd}, in the order the Ready's Javadoc prescribes. */
	void persist(Ready rd) {
		if (rd.hardState() != null) {
			hardState = rd.hardState();
		}
		if (rd.installSnapshot() != null) {
			snapshot = rd.installSnapshot();
			files.put(snapshot.lastIndex(), snapshot);
			files.headMap(snapshot.lastIndex()).clear();
			entries.clear();
			commitIndex = snapshot.lastIndex();
			syncedCommitIndex = commitIndex;
		}
		if (rd.truncateFrom() > 0) {
			entries.removeIf(e -> e.index() >= rd.truncateFrom());
		}
		for (LogEntry entry : rd.entries()) {
			if (entry.index() != lastIndex() + 1) {
				throw new AssertionError("store: entry " + entry.index() + " does not follow " + lastIndex());
			}
			entries.add(entry);
		}
		if (rd.commitIndex() > 0) {
			commitIndex = rd.commitIndex();
		}
		if (rd.needsSync()) {
			syncedCommitIndex = commitIndex;
		}
	}

	/** Saves a snapshot the node asked for (durable), then drops the entries it covers. */
	void saveSnapshot(Snapshot taken) {
		files.put(taken.lastIndex(), taken);
		if (taken.lastIndex() < snapshot.lastIndex()) {
			return; // overtaken by an installed snapshot while it was written
		}
		snapshot = taken;
		entries.removeIf(e -> e.index() <= taken.lastIndex());
		commitIndex = Math.max(commitIndex, taken.lastIndex());
		syncedCommitIndex = Math.max(syncedCommitIndex, taken.lastIndex());
	}

	/** The core compacted its log to {@code index}: older snapshot files than that (but the newest) can go. */
	void compacted(long index) {
		files.headMap(Math.min(index, snapshot.lastIndex())).clear();
	}

	/** A kill -9: an unsynced commit index survives or not, as the page cache happens to have it. */
	void crash(Random random) {
		if (commitIndex != syncedCommitIndex && random.nextBoolean()) {
			commitIndex = syncedCommitIndex;
		}
		syncedCommitIndex = commitIndex;
		// The fetcher forces its part file only once whole: a crash may cut any tail of it.
		incoming.replaceAll((index, part) -> part.cutTo(random.nextInt(part.chunks() + 1)));
	}

	/** The disk is gone: the node comes back with an empty data dir. */
	void wipe() {
		files.clear();
		incoming.clear();
		hardState = HardState.INITIAL;
		snapshot = Snapshot.EMPTY;
		entries.clear();
		commitIndex = 0;
		syncedCommitIndex = 0;
	}

	/** A snapshot file fetched in part: how many chunks it holds, and whether one was corrupted on the way. */
	record PartFile(int chunks, boolean corrupt) {

		static final PartFile EMPTY = new PartFile(0, false);

		PartFile append(boolean corrupted) {
			return new PartFile(chunks + 1, corrupt || corrupted);
		}

		PartFile cutTo(int kept) {
			// Which chunk was corrupted is not known: keep the flag unless nothing is left.
			return kept == 0 ? EMPTY : new PartFile(kept, corrupt);
		}
	}

	long lastIndex() {
		return entries.isEmpty() ? snapshot.lastIndex() : entries.get(entries.size() - 1).index();
	}

	/** The durable entry at {@code index}, or null. */
	LogEntry entry(long index) {
		if (index <= snapshot.lastIndex() || index > lastIndex()) {
			return null;
		}
		return entries.get((int) (index - snapshot.lastIndex() - 1));
	}

}
