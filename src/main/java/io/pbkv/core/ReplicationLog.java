package io.pbkv.core;

import java.util.ArrayList;
import java.util.List;

/**
 * The node's view of its log: entries after the last snapshot, which of them are durable ({@code stableIndex}),
 * committed and applied. Like etcd's raftLog, the durable copy lives in the runtime's LogStore; this keeps what
 * the protocol needs to decide, in memory.
 */
public final class ReplicationLog {

	private long snapshotIndex;

	private long snapshotEpoch;

	private final ArrayList<LogEntry> entries = new ArrayList<>();

	private long stableIndex;

	/** The last entry handed to storage ({@link #takeUnstable}); at least {@code stableIndex}. */
	private long handedOutIndex;

	private long commitIndex;

	/** Starts from a snapshot and the durable entries after it; {@code commitIndex} is what was persisted. */
	public ReplicationLog(Snapshot snapshot, List<LogEntry> durable, long commitIndex) {
		this.snapshotIndex = snapshot.lastIndex();
		this.snapshotEpoch = snapshot.lastEpoch();
		for (LogEntry entry : durable) {
			append(entry);
		}
		this.stableIndex = lastIndex();
		this.handedOutIndex = stableIndex;
		this.commitIndex = Math.max(snapshotIndex, Math.min(commitIndex, lastIndex()));
	}

	public void append(LogEntry entry) {
		if (entry.index() != lastIndex() + 1) {
			throw new IllegalArgumentException("entry " + entry.index() + " does not follow " + lastIndex());
		}
		if (entry.epoch() < lastEpoch()) {
			throw new IllegalArgumentException("entry epoch " + entry.epoch() + " is older than " + lastEpoch());
		}
		entries.add(entry);
	}

	/** Removes entries from {@code fromIndex} on; they must not be committed. */
	public void truncateFrom(long fromIndex) {
		if (fromIndex <= commitIndex) {
			throw new IllegalStateException("cannot truncate committed entry " + fromIndex + " <= " + commitIndex);
		}
		while (lastIndex() >= fromIndex) {
			entries.remove(entries.size() - 1);
		}
		stableIndex = Math.min(stableIndex, lastIndex());
		handedOutIndex = Math.min(handedOutIndex, lastIndex());
	}

	public long lastIndex() {
		return snapshotIndex + entries.size();
	}

	public long lastEpoch() {
		return entries.isEmpty() ? snapshotEpoch : entries.get(entries.size() - 1).epoch();
	}

	public long firstIndex() {
		return snapshotIndex + 1;
	}

	public long snapshotIndex() {
		return snapshotIndex;
	}

	/** The epoch of the entry at {@code index}, or -1 when it is compacted away or not there. */
	public long epochAt(long index) {
		if (index == snapshotIndex) {
			return snapshotEpoch;
		}
		if (index < snapshotIndex || index > lastIndex()) {
			return -1;
		}
		return entry(index).epoch();
	}

	public LogEntry entry(long index) {
		return entries.get((int) (index - snapshotIndex - 1));
	}

	/** Entries in {@code [from, to]}, both inclusive. */
	public List<LogEntry> slice(long from, long to) {
		if (from > to) {
			return List.of();
		}
		return List.copyOf(entries.subList((int) (from - snapshotIndex - 1), (int) (to - snapshotIndex)));
	}

	/**
	 * The entries storage has not been handed yet, marked as handed out: with storage writes running off the loop,
	 * a write may still be under way when the next one is taken, and no entry goes to storage twice.
	 */
	public List<LogEntry> takeUnstable() {
		List<LogEntry> taken = slice(handedOutIndex + 1, lastIndex());
		handedOutIndex = lastIndex();
		return taken;
	}

	/** Whether some entry has not been handed to storage yet. */
	public boolean hasUnhandedEntries() {
		return handedOutIndex < lastIndex();
	}

	/** Whether some entry handed to storage is not durable yet. */
	public boolean hasWriteInFlight() {
		return stableIndex < handedOutIndex;
	}

	/**
	 * Storage made the entries up to {@code index}, of {@code epoch}, durable. Ignored when the log no longer holds
	 * that entry there (a truncation overtook the write): the replacing entries have their own write.
	 */
	public void stableTo(long index, long epoch) {
		if (index > stableIndex && index <= lastIndex() && epochAt(index) == epoch) {
			stableIndex = index;
		}
	}

	public long stableIndex() {
		return stableIndex;
	}

	public long commitIndex() {
		return commitIndex;
	}

	public void commitTo(long index) {
		if (index > stableIndex) {
			throw new IllegalStateException("commit " + index + " beyond durable " + stableIndex);
		}
		commitIndex = Math.max(commitIndex, index);
	}

	/** Replaces the whole log by {@code snapshot}: a backup too far behind takes the primary's state. */
	public void resetTo(Snapshot snapshot) {
		entries.clear();
		snapshotIndex = snapshot.lastIndex();
		snapshotEpoch = snapshot.lastEpoch();
		stableIndex = snapshotIndex;
		handedOutIndex = snapshotIndex;
		commitIndex = snapshotIndex;
	}

	/** Forgets entries up to {@code index}, which a durable snapshot now covers. */
	public void compactTo(long index) {
		if (index <= snapshotIndex) {
			return;
		}
		if (index > commitIndex) {
			throw new IllegalStateException("cannot compact uncommitted " + index + " > " + commitIndex);
		}
		long epoch = epochAt(index);
		entries.subList(0, (int) (index - snapshotIndex)).clear();
		snapshotIndex = index;
		snapshotEpoch = epoch;
	}

}
