package io.pbkv.core;

/** What a primary knows of one backup's log and contact: raft's Progress plus in-sync membership and lease. */
final class Progress {

	/** A time long before any real reading, yet far enough from Long.MIN_VALUE that {@code now - NEVER} cannot overflow. */
	static final long NEVER = Long.MIN_VALUE / 4;

	final String url;

	String nodeId;

	/** Next index to send; advanced optimistically as entries are sent (pipelining). */
	long nextIndex;

	/** Highest index known durable on the backup and equal to ours. */
	long matchIndex;

	/** The incarnation of the voter's data dir, as its newest answer names it; null until it answers. */
	String incarnation;

		/** A witness: it votes and grants leases, and holds no entries. */
	boolean witness;

	/** In the in-sync set: writes wait for this backup, and it was told it may promote. */
	boolean inSync;

	/** The admission this backup was last sent; 0 when none. */
	long admission;

	long admittedFrom;

	long admissionSentAt = Long.MAX_VALUE;

	/** When the match index last moved, or the backup last held everything (our clock). */
	long progressAt;

	/** When this backup last answered in our epoch (our clock); the drop rule counts from here. */
	long lastAckAt;

	/** The send time of the newest Append this backup acknowledged: its promise not to promote runs from it. */
	long leaseSentAt = NEVER;

	long lastSentAt = NEVER;

	/** The least last index of a snapshot this backup needs; 0 while it needs none. */
	long snapshotWanted;

	/** The last index of the snapshot this backup was offered and is fetching; 0 when none. */
	long offered;

	/** The epoch of the offered snapshot's last entry. */
	long offeredEpoch;

	long offeredAt = NEVER;

	Progress(String url, long nextIndex, long now) {
		this.url = url;
		this.nextIndex = nextIndex;
		this.lastAckAt = now;
		this.progressAt = now;
	}

}
