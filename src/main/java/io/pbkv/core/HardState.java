package io.pbkv.core;

/**
 * What a node must remember across restarts before it acts on it: the cluster it belongs to, the highest epoch
 * it has seen, whom it voted for in that epoch (null when it has not voted), whether it has been in that cluster
 * with peers (then it never again runs as a cluster of one), and, in a cluster of three or more voters, the newest
 * configuration it accepted (null when none) and its data dir's incarnation: a random name given when the data dir
 * was made, so that the cluster can tell a voter that lost its data dir (and with it its votes) from the one it was.
 */
public record HardState(String clusterId, long epoch, String votedFor, boolean hasPeers, InSyncConfig config,
		String incarnation) {

	public static final HardState INITIAL = new HardState(null, 0, null, false, null, null);

	public HardState {
		if (epoch < 0) {
			throw new IllegalArgumentException("epoch must be >= 0: " + epoch);
		}
	}

	public HardState(String clusterId, long epoch, String votedFor, boolean hasPeers, InSyncConfig config) {
		this(clusterId, epoch, votedFor, hasPeers, config, null);
	}

	public HardState(String clusterId, long epoch, String votedFor, boolean hasPeers) {
		this(clusterId, epoch, votedFor, hasPeers, null, null);
	}

	/** A state of a node that has not been in its cluster with peers. */
	public HardState(String clusterId, long epoch, String votedFor) {
		this(clusterId, epoch, votedFor, false, null, null);
	}

	public HardState withEpoch(long newEpoch) {
		return new HardState(clusterId, newEpoch, newEpoch == epoch ? votedFor : null, hasPeers, config, incarnation);
	}

	/** Voted for {@code candidate} in {@code newEpoch}. */
	public HardState withVote(long newEpoch, String candidate) {
		return new HardState(clusterId, newEpoch, candidate, hasPeers, config, incarnation);
	}

	public HardState withClusterId(String id) {
		return new HardState(id, epoch, votedFor, hasPeers, config, incarnation);
	}

	public HardState withPeers() {
		return new HardState(clusterId, epoch, votedFor, true, config, incarnation);
	}

	public HardState withConfig(InSyncConfig next) {
		return new HardState(clusterId, epoch, votedFor, hasPeers, next, incarnation);
	}

	public HardState withIncarnation(String name) {
		return new HardState(clusterId, epoch, votedFor, hasPeers, config, name);
	}

}
