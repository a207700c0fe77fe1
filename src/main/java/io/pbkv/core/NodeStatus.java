package io.pbkv.core;

import java.util.List;

/**
 * A consistent picture of one node, taken by the core between inputs. {@code config} is the in-sync configuration
 * the node holds (with three or more voters; null otherwise).
 */
public record NodeStatus(String nodeId, String clusterId, Role role, long epoch, String primaryId,
		String primaryUrl, long lastIndex, long commitIndex, long appliedIndex, long snapshotIndex, int keys,
		int pendingWrites, boolean eligible, List<PeerStatus> peers, InSyncConfig config) {

	public NodeStatus {
		peers = List.copyOf(peers);
	}

	public NodeStatus(String nodeId, String clusterId, Role role, long epoch, String primaryId, String primaryUrl,
			long lastIndex, long commitIndex, long appliedIndex, long snapshotIndex, int keys, int pendingWrites,
			boolean eligible, List<PeerStatus> peers) {
		this(nodeId, clusterId, role, epoch, primaryId, primaryUrl, lastIndex, commitIndex, appliedIndex,
				snapshotIndex, keys, pendingWrites, eligible, peers, null);
	}

	/**
	 * What this node knows of one peer: {@code matchIndex} is -1 unless this node is primary;
	 * {@code lastContactMillis} is how long ago it last heard from the peer, -1 when never. {@code stalled} (on
	 * the primary) means the peer answers yet lacks entries and its match index has not moved for a heartbeat
	 * timeout: replication to it is failing although it looks reachable.
	 */
	public record PeerStatus(String nodeId, String url, boolean reachable, long matchIndex,
			long lastContactMillis, boolean inSync, boolean stalled, boolean witness) {
	}

	/**
	 * A voter of a cluster of three or more: its id (null until this node heard from it), URL and role as this node
	 * knows it ({@code data}, {@code witness}, or {@code voter} when it cannot tell: only the primary hears every
	 * voter's role).
	 */
	public record Member(String nodeId, String url, String role) {
	}

	/** The voters, this node (at {@code selfUrl}) first, with the roles known here; empty in a pair or a lone node. */
	public List<Member> members(String selfUrl) {
		if (config == null) {
			return List.of();
		}
		List<Member> members = new java.util.ArrayList<>();
		members.add(new Member(nodeId, selfUrl, role == Role.WITNESS ? "witness" : "data"));
		for (PeerStatus p : peers) {
			members.add(new Member(p.nodeId(), p.url(), p.witness() ? "witness" : role == Role.PRIMARY ? "data" : "voter"));
		}
		return members;
	}

}
