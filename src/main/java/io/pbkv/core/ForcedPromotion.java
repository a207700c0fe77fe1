package io.pbkv.core;

/** The operator's forced promotion, for a cluster that lost a node (or, with three or more voters, its majority) for good. */
final class ForcedPromotion {

	private final Node node;

	private final NodeConfig config;

	ForcedPromotion(Node node, NodeConfig config) {
		this.node = node;
		this.config = config;
	}

	/**
	 * The operator's forced promotion: becomes primary without admission or votes, saying what may
	 * be lost; refused while any peer answers, when already primary, or without a cluster.
	 */
	Outcome force(long now, java.util.List<String> reachablePeers) {
		if (node.role() == Role.PRIMARY) {
			return new Outcome.Unavailable("node " + config.nodeId() + " is primary");
		}
		if (config.witness()) {
			return new Outcome.Unavailable("node " + config.nodeId() + " is a witness: it holds no data to serve");
		}
		if (node.clusterId() == null) {
			return new Outcome.Unavailable("this node holds no cluster");
		}
		if (node.quorum() && reachablePeers.size() + 1 >= node.majority() && node.eligible()) {
			return new Outcome.Unavailable("refused: a majority of voters answers (" + reachablePeers
					+ ") and this node is in the in-sync set, so a failover needs no operator");
		}
		if (!node.quorum() && !reachablePeers.isEmpty()) {
			return new Outcome.Unavailable("refused: peer(s) " + reachablePeers + " answer; ask them instead");
		}
		long lastIndex = node.log().lastIndex();
		String lost = "writes acknowledged by the lost node after index " + lastIndex + " may be lost";
		node.event(Event.Kind.FORCED_PROMOTION,
				"node " + config.nodeId() + ": forced to primary by an operator; " + lost);
		node.becomePrimary(node.epoch() + 1, "forced by an operator; " + lost, node.heldConfig(), true);
		return new Outcome.Forced(node.epoch(), lastIndex, lost);
	}

}
