package io.pbkv.core;

/**
 * What a node must remember across restarts before it acts on it: the cluster it belongs to, the highest epoch
 * it has seen, whom it voted for in that epoch (null when it has not voted), and whether it has been in that
 * cluster with peers (then it never again runs as a cluster of one).
 */
public record HardState(String clusterId, long epoch, String votedFor, boolean hasPeers) {

	public static final HardState INITIAL = new HardState(null, 0, null, false);

	public HardState {
		if (epoch < 0) {
			throw new IllegalArgumentException("epoch must be >= 0: " + epoch);
		}
	}

	/** A state of a node that has not been in its cluster with peers. */
	public HardState(String clusterId, long epoch, String votedFor) {
		this(clusterId, epoch, votedFor, false);
	}

	public HardState withEpoch(long newEpoch) {
		return new HardState(clusterId, newEpoch, newEpoch == epoch ? votedFor : null, hasPeers);
	}

	public HardState withPeers() {
		return new HardState(clusterId, epoch, votedFor, true);
	}

}
