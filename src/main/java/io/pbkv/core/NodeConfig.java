package io.pbkv.core;

import java.util.List;
import java.util.Objects;

/**
 * What the core needs to know about its node and cluster. Times are milliseconds of the runtime's monotonic
 * clock. {@code newClusterId} is used only if this node founds a cluster (the runtime makes it random; the core
 * makes nothing random).
 *
 * @param snapshotEvery applied entries between snapshots; 0 leaves it to {@code compaction}
 * @param syncReplication a write is acknowledged only once every in-sync backup has it durably
 * @param requireBackup writes are refused while no backup is in sync
 * @param initialPrimary on the very first start, with every peer empty, found the cluster
 * @param maxEntriesPerAppend how many entries one replication message carries at most
 * @param compaction the size rule for snapshots and what the log keeps after one
 * @param minInSync how many backups must be in sync for a write to be taken (at least 1 when requireBackup)
 * @param witness this node votes only: it holds no entries and is never primary
 */
public record NodeConfig(String nodeId, String advertisedUrl, List<String> peerUrls, String newClusterId,
		long snapshotEvery, long heartbeatInterval, long heartbeatTimeout, boolean syncReplication,
		boolean requireBackup, boolean initialPrimary, int maxEntriesPerAppend, Compaction compaction, int minInSync,
		boolean witness) {

	/** A data node's settings; {@code requireBackup} means one backup in sync. */
	public NodeConfig(String nodeId, String advertisedUrl, List<String> peerUrls, String newClusterId,
			long snapshotEvery, long heartbeatInterval, long heartbeatTimeout, boolean syncReplication,
			boolean requireBackup, boolean initialPrimary, int maxEntriesPerAppend, Compaction compaction) {
		this(nodeId, advertisedUrl, peerUrls, newClusterId, snapshotEvery, heartbeatInterval, heartbeatTimeout,
				syncReplication, requireBackup, initialPrimary, maxEntriesPerAppend, compaction, requireBackup ? 1 : 0,
				false);
	}

	/** Settings with the entry count rule only and no retention. */
	public NodeConfig(String nodeId, String advertisedUrl, List<String> peerUrls, String newClusterId,
			long snapshotEvery, long heartbeatInterval, long heartbeatTimeout, boolean syncReplication,
			boolean requireBackup, boolean initialPrimary, int maxEntriesPerAppend) {
		this(nodeId, advertisedUrl, peerUrls, newClusterId, snapshotEvery, heartbeatInterval, heartbeatTimeout,
				syncReplication, requireBackup, initialPrimary, maxEntriesPerAppend, Compaction.NONE);
	}

	public NodeConfig {
		Objects.requireNonNull(nodeId, "nodeId");
		Objects.requireNonNull(advertisedUrl, "advertisedUrl");
		peerUrls = List.copyOf(peerUrls);
		Objects.requireNonNull(newClusterId, "newClusterId");
		Objects.requireNonNull(compaction, "compaction");
		if (snapshotEvery < 0 || snapshotEvery == 0 && compaction.growthPercent() == 0) {
			throw new IllegalArgumentException("snapshotEvery must be >= 1, or 0 with a compaction size rule");
		}
		if (heartbeatInterval < 1 || heartbeatTimeout <= heartbeatInterval) {
			throw new IllegalArgumentException("need 0 < heartbeatInterval < heartbeatTimeout");
		}
		if (!timingHolds(heartbeatInterval, heartbeatTimeout)) {
			throw new IllegalArgumentException("heartbeatTimeout " + heartbeatTimeout + " must be at least "
					+ "2 x heartbeatInterval + driftMargin (interval " + heartbeatInterval + ")");
		}
		if (maxEntriesPerAppend < 1) {
			throw new IllegalArgumentException("maxEntriesPerAppend must be >= 1");
		}
		if (minInSync < 0 || minInSync > peerUrls.size()) {
			throw new IllegalArgumentException("minInSync must be between 0 and the number of peers");
		}
		requireBackup = requireBackup || minInSync > 0;
		minInSync = Math.max(minInSync, requireBackup ? 1 : 0);
		if (witness && (initialPrimary || peerUrls.isEmpty())) {
			throw new IllegalArgumentException("a witness is never primary and needs a peer");
		}
	}

	/** The same settings for a witness: it votes only. */
	public NodeConfig asWitness() {
		return new NodeConfig(nodeId, advertisedUrl, peerUrls, newClusterId, snapshotEvery, heartbeatInterval,
				heartbeatTimeout, syncReplication, false, false, maxEntriesPerAppend, compaction, 0, true);
	}

	/** The same settings with {@code k} backups required in sync. */
	public NodeConfig withMinInSync(int k) {
		return new NodeConfig(nodeId, advertisedUrl, peerUrls, newClusterId, snapshotEvery, heartbeatInterval,
				heartbeatTimeout, syncReplication, k > 0, initialPrimary, maxEntriesPerAppend, compaction, k, witness);
	}

	/**
	 * Whether kv.peers makes three or more voters (this node and its peers): then a majority decides who is primary
	 * and what the in-sync set is. Two nodes keep the pair's rules, which a majority cannot improve on.
	 */
	public boolean quorum() {
		return peerUrls.size() >= 2;
	}

	/** A lone node's settings, for tests and tools. */
	public static NodeConfig lone(String nodeId, String advertisedUrl, String newClusterId, long snapshotEvery) {
		return new NodeConfig(nodeId, advertisedUrl, List.of(), newClusterId, snapshotEvery, 500, 3000, true, false,
				true, 512);
	}

	/**
	 * A gap between two consecutive readings of the clock at least this long means this node was paused (or its
	 * loop stalled) long enough that the primary may have dropped it from the in-sync set meanwhile: the primary
	 * drops a backup after {@code timeout} without contact, and a backup answers at least every
	 * {@code interval}; the margin covers a round trip and scheduling.
	 */
	public long pauseThreshold() {
		return pauseThreshold(heartbeatInterval, heartbeatTimeout);
	}

	/**
	 * A primary must heartbeat every interval, so any gap of an interval or more between two readings of its clock
	 * is time it slept through: it may not count towards dropping a backup, however short.
	 */
	public long primaryPauseThreshold() {
		return Math.min(heartbeatInterval, pauseThreshold());
	}

	/** Subtracted from read leases, and from the pause threshold: clock-rate drift, round trips, scheduling. */
	public long driftMargin() {
		return driftMargin(heartbeatInterval, heartbeatTimeout);
	}

	/**
	 * The rule the timing rests on: {@code timeout >= 2 x interval + driftMargin}, that is a pause threshold of at
	 * least one interval. Then a node that stalls for less than an interval (one missed heartbeat) is never
	 * dropped and never loses eligibility, a primary judges its own pauses against one interval, and no pause
	 * that could get a backup dropped is shorter than the half interval below which {@link Node} ignores gaps in
	 * its clock. It also keeps the margin above the loop's tick (a fifth of the interval at most), which delays
	 * heartbeats. A tighter timeout leaves no slack, and the threshold can even go negative.
	 */
	public static boolean timingHolds(long heartbeatInterval, long heartbeatTimeout) {
		return heartbeatInterval >= 1 && pauseThreshold(heartbeatInterval, heartbeatTimeout) >= heartbeatInterval;
	}

	private static long pauseThreshold(long interval, long timeout) {
		return timeout - interval - driftMargin(interval, timeout);
	}

	private static long driftMargin(long interval, long timeout) {
		return Math.max(1, Math.min(interval / 2, timeout / 10));
	}

}
