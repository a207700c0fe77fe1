package io.pbkv.core;

import java.util.List;
import java.util.NavigableMap;

/**
 * What committed log entries are applied to, in index order, as the replication protocol sees it: applying,
 * snapshotting, restoring and sizing, and the writes a history that went its own way would lose. The protocol
 * (Node, Follower, the snapshot schedule) knows no more than this; keys, versions and conditions are the
 * {@link KvStateMachine}'s, and the client requests' that read it.
 */
interface StateMachine {

	/** Applies the next committed entry; the outcome goes to the client that proposed it. */
	Outcome apply(LogEntry entry);

	/** The state as of the last applied entry, cheap to take: the persistent state is shared, not copied. */
	Snapshot snapshot();

	/** Replaces the state with {@code snapshot}'s. */
	void restore(Snapshot snapshot);

	long appliedIndex();

	/** The epoch history of what was applied: first index of each epoch's run, to that epoch. */
	NavigableMap<Long, Long> epochs();

	/** Roughly the state's size in bytes: the compaction rule's base. */
	long bytes();

	/** How many items (keys) the state holds, for status. */
	int size();

	/**
	 * The writes this state holds from compacted entries {@code from..compactedTo} that {@code theirs} (the
	 * primary's snapshot about to replace it) does not, rebuilt as entries of {@code compactedEpoch} (their exact
	 * entries are gone), in index order, for the report of what a diverged history loses. {@code divergenceKnown}:
	 * {@code from} is where the histories parted (else every newer value counts); {@code inLog} are the entries of
	 * ours still in the log, reported on their own.
	 */
	List<LogEntry> writesMissingFrom(Snapshot theirs, long from, long compactedTo, long compactedEpoch,
			boolean divergenceKnown, List<LogEntry> inLog);

}
