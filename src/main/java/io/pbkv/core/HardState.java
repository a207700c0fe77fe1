package io.pbkv.core;

/**
 * What a node must remember across restarts before it acts on it: the cluster it belongs to, the highest epoch
 * it has seen, and whom it voted for in that epoch (null when it has not voted).
 */
public record HardState(String clusterId, long epoch, String votedFor) {

	public static final HardState INITIAL = new HardState(null, 0, null);

	public HardState {
		if (epoch < 0) {
			throw new IllegalArgumentException("epoch must be >= 0: " + epoch);
		}
	}

	public HardState withEpoch(long newEpoch) {
		return new HardState(clusterId, newEpoch, newEpoch == epoch ? votedFor : null);
	}

}
