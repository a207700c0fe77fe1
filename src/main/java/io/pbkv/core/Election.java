package io.pbkv.core;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * How a node becomes primary other than by founding the cluster. In a pair: an eligible backup promotes on
 * silence; a node nobody admitted needs the other node's vote and the more up-to-date log (a full restart, or a
 * crash while the other node was catching up). With three or more voters: a member of the in-sync configuration
 * needs the votes of a majority of voters, each of which holds it in its own newest configuration, has not heard
 * a primary within a heartbeat timeout (its lease), and, unless it is a witness, holds no newer log.
 * Votes are asked for first as pre-votes, which change nothing, so a node that cannot win never raises the
 * epoch under a working primary. The campaigns only: {@link VoteJudge} answers other candidates, {@link BootstrapProbe}
 * decides whether an empty node founds a cluster, and {@link ForcedPromotion} is the operator's way out.
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

	/** The newest in-sync configuration among this candidate's and its voters' (three or more voters). */
	private InSyncConfig adopted;

	/** A hand-over's campaign: its voters need not wait for the old primary's lease. */
	private boolean handOver;

	private long askedAt;

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

	/** Whether a backup should campaign now: silent long enough, and not campaigning or just done with one. */
	boolean due(long now) {
		Follower follower = node.follower();
		return follower.silent(now) && now - follower.lastHeard() >= campaignDelay() && mayStart(now);
	}

	/**
	 * How long a backup waits in silence before it campaigns. With three or more voters, the data members of its
	 * configuration (the silent primary left out) wait a heartbeat interval more each, in the order of their ids:
	 * nodes that noticed the silence together would otherwise vote for themselves together, split the votes, and
	 * do it again every timeout. The core has no randomness to spread them with, and needs none.
	 */
	private long campaignDelay() {
		InSyncConfig held = node.heldConfig();
		if (!node.quorum() || held == null) {
			return config.heartbeatTimeout();
		}
		long rank = held.members().stream().filter(id -> !id.equals(node.primaryId())).sorted()
			.takeWhile(id -> !id.equals(config.nodeId())).count();
		return config.heartbeatTimeout() + rank * config.heartbeatInterval();
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

}
