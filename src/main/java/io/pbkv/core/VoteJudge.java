package io.pbkv.core;

/**
 * A node's judgement of another's request for its vote: in a pair, by silence and the more up-to-date log; with
 * three or more voters, by its lease, one vote per epoch, its newest configuration and (unless a witness) the log.
 */
final class VoteJudge {

	private final Node node;

	private final NodeConfig config;

	VoteJudge(Node node, NodeConfig config) {
		this.node = node;
		this.config = config;
	}

	/**
	 * Whether to grant {@code r}. A node that hears from a primary, or is one, never votes: the candidate may only
	 * replace a primary that is gone. The candidate's log must be at least as up to date as ours (compared by the
	 * epoch of the last entry, then its index); on a tie the lower node id wins, so two equal nodes never split.
	 */
	boolean grant(long now, Message.VoteRequest r) {
		if (node.clusterId() == null || node.role() == Role.PRIMARY) {
			return false;
		}
		if (node.quorum()) {
			return grantAsVoter(now, r);
		}
		if (node.primaryId() != null && !node.follower().silent(now)) {
			return false;
		}
		if (r.epoch() < node.epoch()) {
			return false;
		}
		if (r.epoch() == node.epoch() && node.votedFor() != null && !node.votedFor().equals(r.from())) {
			return false;
		}
		ReplicationLog log = node.log();
		int byEpoch = Long.compare(r.lastEpoch(), log.lastEpoch());
		int byIndex = Long.compare(r.lastIndex(), log.lastIndex());
		if (byEpoch != 0) {
			return byEpoch > 0;
		}
		if (byIndex != 0) {
			return byIndex > 0;
		}
		return r.from().compareTo(config.nodeId()) < 0;
	}

	/**
	 * A voter's judgement with three or more voters. It refuses while its lease runs: until a heartbeat timeout
	 * after it last heard a primary, after it granted a vote, or after it started (it cannot know what it granted
	 * before), unless the old primary handed over. It grants at most once per epoch, only to a member of the newest
	 * in-sync configuration it holds (none: nobody), and, unless it is a witness, only to a log at least as up to
	 * date as its own.
	 */
	private boolean grantAsVoter(long now, Message.VoteRequest r) {
		if (!node.follower().silent(now) && !(r.handOver() && !r.preVote())) {
			return false;
		}
		if (r.epoch() < node.epoch() || r.epoch() == node.epoch() && node.votedFor() != null
				&& !node.votedFor().equals(r.from())) {
			return false;
		}
		InSyncConfig held = node.heldConfig();
		if (held == null || !held.members().contains(r.from()) || !node.recognized()) {
			// A voter that lost its data dir may have voted in this epoch before: it votes again once re-admitted.
			return false;
		}
		if (config.witness()) {
			return true;
		}
		ReplicationLog log = node.log();
		int byEpoch = Long.compare(r.lastEpoch(), log.lastEpoch());
		return byEpoch != 0 ? byEpoch > 0 : r.lastIndex() >= log.lastIndex();
	}

}
