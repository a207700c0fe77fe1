package io.pbkv.core;

import java.util.List;

/**
 * What the node has yet to hand to storage (a changed hard state, an installed snapshot, a truncation, the entries
 * after those already handed out, a commit index past the one handed out) and how long the entries handed out
 * have been on their way to the disk. Storage writes finish behind the core's back ({@link ReadyLoop}), so what is
 * handed out once is never handed out again, and durability comes back write by write ({@link #durable}).
 */
final class StorageHandoff {

	/** One Ready's share of storage work; null and 0 mean none. */
	record Writes(HardState hardState, Snapshot installSnapshot, long truncateFrom, List<LogEntry> entries,
			long commitIndex) {
	}

	private final ReplicationLog log;

	private boolean hardStateChanged;

	private Snapshot installedSnapshot;

	private long truncateFrom;

	/** The highest commit index handed out. */
	private long handedOutCommit;

	/** When the oldest entry write still under way was handed out, or when the last one finished. */
	private long writeSince;

	StorageHandoff(ReplicationLog log) {
		this.log = log;
		this.handedOutCommit = log.commitIndex();
	}

	void hardStateChanged() {
		hardStateChanged = true;
	}

	/** The log was cut from {@code index} on. */
	void truncated(long index) {
		truncateFrom = truncateFrom == 0 ? index : Math.min(truncateFrom, index);
	}

	/** The log and state were replaced by {@code snapshot}, which supersedes any cut. */
	void installed(Snapshot snapshot) {
		installedSnapshot = snapshot;
		truncateFrom = 0;
		handedOutCommit = snapshot.lastIndex();
	}

	/** Whether anything waits to be handed out. */
	boolean pending() {
		return hardStateChanged || installedSnapshot != null || truncateFrom > 0 || log.hasUnhandedEntries();
	}

	/** Hands out everything pending, at {@code now}; {@code current} is the hard state to write if it changed. */
	Writes take(HardState current, long now) {
		if (log.hasUnhandedEntries() && !log.hasWriteInFlight()) {
			writeSince = now;
		}
		long commit = log.commitIndex() > handedOutCommit ? log.commitIndex() : 0;
		handedOutCommit = Math.max(handedOutCommit, commit);
		Writes writes = new Writes(hardStateChanged ? current : null, installedSnapshot, truncateFrom,
				log.takeUnstable(), commit);
		hardStateChanged = false;
		installedSnapshot = null;
		truncateFrom = 0;
		return writes;
	}

	/** Storage made {@code rd}'s writes durable, as it reports them at {@code now}. */
	void durable(Ready rd, long now) {
		if (!rd.entries().isEmpty()) {
			LogEntry last = rd.entries().get(rd.entries().size() - 1);
			log.stableTo(last.index(), last.epoch());
			writeSince = now;
		}
	}

	/** How long entries handed out have been waiting for the disk at {@code now}; 0 when none are. */
	long writeWaitingFor(long now) {
		return log.hasWriteInFlight() ? now - writeSince : 0;
	}

}
