package io.pbkv.core;

import java.util.Locale;

/**
 * Routes a peer's message after the checks every message passes: the cluster id must match, a vote request is
 * judged on its own, a message from an older epoch is answered with ours and changes nothing, and a newer epoch
 * (or a primary we did not know) makes this node its backup before the message is handled by the role it is for.
 */
final class MessageRouter {

	private final Node node;

	private final NodeConfig config;

	MessageRouter(Node node, NodeConfig config) {
		this.node = node;
		this.config = config;
	}

	void route(long now, Message m) {
		if (node.clusterId() != null && !node.clusterId().equals(m.clusterId())) {
			node.event(Event.Kind.MESSAGE_REJECTED, String.format(Locale.ROOT,
					"node %s: ignored a message from %s of cluster %s (this is %s)", config.nodeId(), m.from(),
					m.clusterId(), node.clusterId()));
			return;
		}
		if (m instanceof Message.VoteRequest v) {
			onVoteRequest(now, v);
			return;
		}
		if (m instanceof Message.VoteResult r && node.role() != Role.PRIMARY) {
			// A voter's configuration may be newer than ours: a member removed while away learns it here.
			node.acceptConfig(r.config());
		}
		if (m instanceof Message.VoteResult r && r.granted()) {
			// A granted pre-vote carries the epoch proposed, not one anybody holds: it must not move ours. A refusal
			// carries the voter's epoch, which we adopt below, so a candidate behind it asks for a newer one next.
			if (node.role() != Role.PRIMARY) {
				node.election().onResult(r);
			}
			return;
		}
		if (m.epoch() < node.epoch()) {
			rejectStale(m);
			return;
		}
		boolean fromPrimary = m instanceof Message.Append || m instanceof Message.InstallSnapshot;
		if (m.epoch() > node.epoch() || (fromPrimary && node.role() != Role.PRIMARY && !m.from().equals(node.primaryId()))) {
			if (fromPrimary && node.clusterId() == null) {
				node.setHardState(node.hardState().withClusterId(m.clusterId()));
			}
			node.becomeBackup(now, m.epoch(), fromPrimary ? m.from() : null, fromPrimary ? m.fromUrl() : null,
					"saw epoch " + m.epoch() + " from " + m.from());
		}
		if (fromPrimary && node.quorum() && node.role() != Role.PRIMARY && node.votedFor() == null) {
			// The primary of this epoch won it: following it is voting for it, so that a voter that lost its data
			// dir (and the vote it cast in this epoch) cannot vote a second primary into the same epoch.
			node.setHardState(node.hardState().withVote(m.epoch(), m.from()));
		}
		switch (m) {
			case Message.Append a -> {
				if (node.role() == Role.PRIMARY) {
					node.event(Event.Kind.MESSAGE_REJECTED, "node " + config.nodeId() + ": two primaries in epoch "
							+ a.epoch() + "? ignored an append from " + a.from());
					return;
				}
				node.election().cancel();
				node.follower().onAppend(now, a);
			}
			case Message.InstallSnapshot s -> {
				node.election().cancel();
				node.follower().onSnapshot(now, s);
			}
			case Message.AppendResult r -> {
				if (node.role() == Role.PRIMARY) {
					node.replicator().onResult(now, r);
				}
			}
			case Message.TimeoutNow t -> node.election().takeOver(t);
			default -> {
			}
		}
	}

	/** Answers a message from an older epoch with ours, so that its sender learns it is out of date. */
	private void rejectStale(Message m) {
		switch (m) {
			case Message.Append a -> node.send(new Message.AppendResult(config.nodeId(), config.advertisedUrl(),
					a.fromUrl(), node.clusterId(), node.epoch(), false, 0, a.sentAt(), false));
			case Message.InstallSnapshot s -> node.send(new Message.AppendResult(config.nodeId(), config.advertisedUrl(),
					s.fromUrl(), node.clusterId(), node.epoch(), false, 0, s.sentAt(), false));
			default -> {
			}
		}
	}

	private void onVoteRequest(long now, Message.VoteRequest v) {
		boolean granted = node.votes().grant(now, v);
		if (granted && !v.preVote()) {
			if (v.epoch() > node.epoch()) {
				node.becomeBackup(now, v.epoch(), null, null, "voted for " + v.from() + " in epoch " + v.epoch());
			}
			node.setHardState(node.hardState().withVote(v.epoch(), v.from()));
			node.follower().voted(now);
		}
		node.send(new Message.VoteResult(config.nodeId(), config.advertisedUrl(), v.fromUrl(), node.clusterId(),
				v.preVote() && granted ? v.epoch() : node.epoch(), granted, v.preVote(), node.heldConfig()));
	}

}
