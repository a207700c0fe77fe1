package io.pbkv.core;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * How a node becomes primary other than by founding the cluster. In a pair: an eligible backup promotes on
 * silence; a node nobody admitted needs the other node's vote and the more up-to-date log (a full restart, or a
 * crash while the other node was catching up). With three or more voters: a member of the in-sync configuration
 * needs the votes of a majority of voters, each of which holds it in its own newest configuration, has not heard
 * a primary within a heartbeat timeout (its lease), and, unless it is a witness, holds no newer log.
 * Votes are asked for first as pre-votes, which change nothing, so a node that cannot win never raises the
 * epoch under a working primary. Also answers other candidates, and runs the empty-data-dir bootstrap probe.
 */
final class Election {

	private final Node node;

	private final NodeConfig config;

	private long targetEpoch;

	private boolean preVote;

	private int needed;

	private final Set<String> grants = new HashSet<>();

	private long startedAt;

	private String reason;

	private final Map<String, Message.ProbeResult> probes = new HashMap<>();

	/** The newest in-sync configuration among this candidate's and its voters' (three or more voters). */
	private InSyncConfig adopted;

	/** A hand-over's campaign: its voters need not wait for the old primary's lease. */
	private boolean handOver;

	private long askedAt;

	private long probedAt = Progress.NEVER;

	Election(Node node, NodeConfig config) {
		this.node = node;
		this.config = config;
	}

	/** When the last campaign started: a node campaigns at most once per timeout. */
	private long campaignedAt = Progress.NEVER;

	boolean running() {
		return targetEpoch > 0;
	}

	boolean mayStart(long now) {
		return !running() && now - campaignedAt >= config.heartbeatTimeout();
	}

	/** Starts a campaign for the next epoch; an eligible node that needs no votes promotes at once. */
	void start(long now, boolean eligible, String why) {
		if (node.quorum() && !eligible) {
			// Voters grant only members of their in-sync configuration: this node cannot win.
			return;
		}
		needed = node.quorum() ? node.majority() - 1
				: eligible ? config.peerUrls().size() - 1 : config.peerUrls().size();
		reason = why;
		campaignedAt = now;
		handOver = false;
		if (needed <= 0) {
			node.becomePrimary(node.epoch() + 1, why);
			return;
		}
		targetEpoch = node.epoch() + 1;
		preVote = true;
		startedAt = now;
		grants.clear();
		adopted = node.heldConfig();
		askAll(true, now);
	}

	void cancel() {
		targetEpoch = 0;
		grants.clear();
	}

	void tick(long now) {
		if (running() && now - startedAt >= config.heartbeatTimeout()) {
			cancel();
		}
		else if (running() && node.quorum() && now - askedAt >= config.heartbeatInterval()) {
			// A voter that still held a lease when first asked may grant now; asking again changes nothing else.
			askAll(preVote, now);
		}
	}

	private void askAll(boolean pre, long now) {
		askedAt = now;
		ReplicationLog log = node.log();
		for (String url : node.peers()) {
			if (!grants.contains(url)) {
				node.send(new Message.VoteRequest(config.nodeId(), config.advertisedUrl(), url, node.clusterId(),
						targetEpoch, log.lastIndex(), log.lastEpoch(), pre, handOver));
			}
		}
	}

	void onResult(Message.VoteResult r) {
		if (!running() || r.epoch() != targetEpoch || r.preVote() != preVote || !r.granted()
				|| !node.peers().contains(r.fromUrl())) {
			return;
		}
		grants.add(r.fromUrl());
		if (!preVote && r.config() != null && r.config().newerThan(adopted)) {
			adopted = r.config();
		}
		if (grants.size() < needed) {
			return;
		}
		if (preVote) {
			// Now the real vote: our own, persisted before anyone is asked (the Ready's order sees to it).
			preVote = false;
			grants.clear();
			node.voteForSelf(targetEpoch);
			askAll(false, node.now());
			return;
		}
		long epoch = targetEpoch;
		InSyncConfig newest = adopted;
		cancel();
		node.becomePrimary(epoch, reason + String.format(Locale.ROOT, ", with %d vote(s)", needed), newest);
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
		if (held == null || !held.members().contains(r.from())) {
			return false;
		}
		if (config.witness()) {
			return true;
		}
		ReplicationLog log = node.log();
		int byEpoch = Long.compare(r.lastEpoch(), log.lastEpoch());
		return byEpoch != 0 ? byEpoch > 0 : r.lastIndex() >= log.lastIndex();
	}

	/**
	 * A hand-over from the primary: become primary in its epoch at once, if this node holds every entry it had and
	 * has not voted for another node in that epoch (the message moved us to the epoch before it got here).
	 */
	void takeOver(Message.TimeoutNow t) {
		if (config.witness() || node.role() == Role.PRIMARY || t.epoch() != node.epoch()
				|| node.votedFor() != null && !node.votedFor().equals(config.nodeId())) {
			return;
		}
		ReplicationLog log = node.log();
		if (log.lastIndex() < t.lastIndex() || log.stableIndex() < t.lastIndex()
				|| log.epochAt(t.lastIndex()) != t.lastEpoch()) {
			node.event(Event.Kind.MESSAGE_REJECTED, String.format(Locale.ROOT,
					"node %s: refused a hand-over from %s: it does not hold entry %d of epoch %d", config.nodeId(),
					t.from(), t.lastIndex(), t.lastEpoch()));
			return;
		}
		cancel();
		if (node.quorum()) {
			// Still a majority's vote, asked at once: the old primary's vote is one of them.
			targetEpoch = t.epoch();
			preVote = false;
			handOver = true;
			needed = node.majority() - 1;
			reason = "handed over by " + t.from();
			startedAt = node.now();
			campaignedAt = node.now();
			grants.clear();
			adopted = node.heldConfig();
			node.voteForSelf(t.epoch());
			askAll(false, node.now());
			return;
		}
		node.becomePrimary(t.epoch(), "handed over by " + t.from());
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

	/**
	 * Rule 10: a node with an empty data dir founds a cluster only if every peer answers that it is empty too;
	 * if any holds a cluster, it waits as a backup for that cluster's primary to bring it up to date.
	 */
	void probeTick(long now) {
		if (now - probedAt < config.heartbeatInterval()) {
			return;
		}
		probedAt = now;
		for (String url : config.peerUrls()) {
			if (!probes.containsKey(url)) {
				node.send(new Message.Probe(config.nodeId(), config.advertisedUrl(), url, null, 0));
			}
		}
	}

	/** Tells a probing node whether this one is empty, and if not, its cluster, epoch and primary. */
	void answerProbe(Message.Probe p) {
		node.send(new Message.ProbeResult(config.nodeId(), config.advertisedUrl(), p.fromUrl(), node.clusterId(),
				node.epoch(), node.clusterId() == null, node.primaryId()));
	}

	void onProbeResult(Message.ProbeResult r) {
		if (!config.peerUrls().contains(r.fromUrl())) {
			return;
		}
		probes.put(r.fromUrl(), r);
		if (probes.size() == config.peerUrls().size() && config.initialPrimary()
				&& probes.values().stream().allMatch(Message.ProbeResult::empty) && node.clusterId() == null) {
			node.foundCluster();
		}
	}

}
