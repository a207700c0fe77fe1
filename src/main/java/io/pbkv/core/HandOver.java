package io.pbkv.core;

/**
 * An operator's hand-over of the primary role to a named in-sync backup, for maintenance (an upgrade, a move): the
 * primary takes no new write, waits until the backup holds every entry durably and all of them are committed,
 * then steps down, votes for the backup in the next epoch and tells it to take over at once
 * ({@link Message.TimeoutNow}). Clients see at most a few round trips of {@code 503}, not a failover's silence. It
 * gives up, and the primary goes on, when the backup has not caught up within one heartbeat timeout.
 *
 * <p>Safe because the old primary stops serving before the message leaves (its lease goes with it), and both it
 * and the target are committed to the target in the new epoch, so no other node can win that epoch.
 */
final class HandOver {

	private final Node node;

	private final NodeConfig config;

	private String target;

	private long requestId;

	private long startedAt;

	private long deadline;

	HandOver(Node node, NodeConfig config) {
		this.node = node;
		this.config = config;
	}

	boolean underWay() {
		return target != null;
	}

	String target() {
		return target;
	}

	/** Starts a hand-over to the node named {@code to}; the operator's request {@code requestId} waits for it. */
	void start(long now, long requestId, String to) {
		ClientRequests clients = node.clients();
		if (node.role() != Role.PRIMARY) {
			clients.answer(requestId, clients.notPrimary());
			return;
		}
		if (underWay()) {
			clients.answer(requestId, new Outcome.Unavailable("a hand-over to " + target + " is under way"));
			return;
		}
		Progress peer = node.replicator().peer(to);
		if (peer == null) {
			clients.answer(requestId, new Outcome.Unavailable("node " + config.nodeId() + " has no backup named "
					+ to + (to.equals(config.nodeId()) ? " (it is this node)" : "")));
			return;
		}
		if (!peer.inSync) {
			clients.answer(requestId, new Outcome.Unavailable("backup " + to + " is not in sync"));
			return;
		}
		this.target = to;
		this.requestId = requestId;
		this.startedAt = now;
		this.deadline = now + config.heartbeatTimeout();
		// Ask at once rather than at the next heartbeat: the answer shows the target alive and how far it is.
		node.replicator().sendAppend(peer, now);
		check(now);
	}

	/** Hands over once the target holds everything, or gives up at the deadline; called after every input. */
	void check(long now) {
		if (!underWay()) {
			return;
		}
		ClientRequests clients = node.clients();
		if (node.role() != Role.PRIMARY) {
			finish(new Outcome.Unavailable("node " + config.nodeId() + " stopped being primary during the hand-over"));
			return;
		}
		ReplicationLog log = node.log();
		Progress peer = node.replicator().peer(target);
		// The target must have answered since the hand-over began: handing over to a node that just died would
		// leave no primary (this one holds no admission from it, so could not take the role back by itself).
		if (peer != null && peer.inSync && peer.leaseSentAt >= startedAt && peer.matchIndex >= log.lastIndex()
				&& log.commitIndex() >= log.lastIndex()) {
			String to = target;
			long id = requestId;
			long epoch = node.epoch() + 1;
			target = null;
			node.handOverTo(now, to, peer.url, epoch, log.lastIndex(), log.lastEpoch());
			clients.answer(id, new Outcome.HandedOver(config.nodeId(), to, epoch, log.lastIndex()));
			return;
		}
		if (now >= deadline) {
			finish(new Outcome.Unavailable("backup " + target + " did not catch up within kv.heartbeat.timeout; node "
					+ config.nodeId() + " stays primary"));
		}
	}

	/** Why a write is refused now, or null: none is taken while a hand-over is under way. */
	Outcome refusal() {
		return underWay() ? new Outcome.Unavailable("node " + config.nodeId() + " is handing over to " + target)
				: null;
	}

	private void finish(Outcome outcome) {
		node.clients().answer(requestId, outcome);
		target = null;
	}

}
