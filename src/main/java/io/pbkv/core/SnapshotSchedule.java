package io.pbkv.core;

/**
 * When this node takes a snapshot, which one is durable (what a primary offers), and how far the log may be
 * compacted once one is: the entry count rule, the size rule and the retained tail of {@link Compaction}, and the
 * pins of backups still fetching an older snapshot.
 */
final class SnapshotSchedule {

	private final NodeConfig config;

	private final ReplicationLog log;

	private final StateMachine state;

	private Snapshot inFlight;

	/** The newest snapshot whose file is durable: what a primary offers to a backup that needs one. */
	private long savedIndex;

	private long savedEpoch;

	/** Bytes of the entries applied since the last snapshot was taken: the size rule's measure. */
	private long appliedBytes;

	/** A backup needs a snapshot newer than the saved one, or an operator downloads one. */
	private boolean requested;

	SnapshotSchedule(NodeConfig config, ReplicationLog log, StateMachine state, Snapshot recovered) {
		this.config = config;
		this.log = log;
		this.state = state;
		this.savedIndex = recovered.lastIndex();
		this.savedEpoch = recovered.lastEpoch();
	}

	void applied(LogEntry entry) {
		appliedBytes += Compaction.sizeOf(entry);
	}

	boolean due() {
		long since = state.appliedIndex() - savedIndex;
		return inFlight == null && since > 0 && (config.snapshotEvery() > 0 && since >= config.snapshotEvery()
				|| config.compaction().due(appliedBytes, state.bytes()) || requested);
	}

	/** Takes the snapshot that is due; the runtime writes it and tells {@link #saved}. */
	Snapshot take() {
		inFlight = state.snapshot();
		requested = false;
		appliedBytes = 0;
		return inFlight;
	}

	void request() {
		requested = true;
	}

	/** An installed snapshot is durable too. */
	void installed(Snapshot snapshot) {
		savedIndex = snapshot.lastIndex();
		savedEpoch = snapshot.lastEpoch();
	}

	/**
	 * The snapshot ending at {@code index} is durable: compacts the log up to it, but no further than
	 * {@code pinnedFrom - 1} (a backup fetching an older one needs the entries after it) nor into the retained tail.
	 * Returns the index the log is compacted to.
	 */
	long saved(long index, long pinnedFrom) {
		if (inFlight != null && inFlight.lastIndex() == index) {
			// Unless an installed snapshot overtook it while its file was being written.
			if (index > savedIndex) {
				savedIndex = index;
				savedEpoch = inFlight.lastEpoch();
			}
			inFlight = null;
		}
		long to = Math.min(Math.min(index, pinnedFrom - 1), Math.min(log.commitIndex(), retainedFrom() - 1));
		if (to > log.snapshotIndex() && log.epochAt(to) >= 0) {
			log.compactTo(to);
		}
		return log.snapshotIndex();
	}

	long savedIndex() {
		return savedIndex;
	}

	long savedEpoch() {
		return savedEpoch;
	}

	/** The first index the log keeps after a compaction: its last retainEntries entries, at most retainBytes. */
	private long retainedFrom() {
		Compaction rule = config.compaction();
		long from = log.lastIndex() + 1;
		long bytes = 0;
		while (from - 1 > log.snapshotIndex() && log.lastIndex() - from + 2 <= rule.retainEntries()) {
			bytes += Compaction.sizeOf(log.entry(from - 1));
			if (bytes > rule.retainBytes()) {
				break;
			}
			from--;
		}
		return from;
	}

}
