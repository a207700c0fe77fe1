package io.pbkv.core;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A primary's changes of who the voters are, in a cluster of three or more: the operator's additions and removals
 * (one at a time, each answered once a majority holds it), and the binding of each voter's data dir name
 * ({@link HardState#incarnation}), which re-admits a voter that came back with a new data dir. Both are
 * configuration changes that {@link InSyncChanges} tracks; this holds the operator's request waiting for one.
 */
final class VoterChanges {

	/** How a change is proposed: saved here, sent to every voter. */
	@FunctionalInterface
	interface Proposer {
		void propose(InSyncConfig next, long now);
	}

	private final Node node;

	private final NodeConfig config;

	private final InSyncChanges changes;

	private final Map<String, Progress> peers;

	private final boolean forced;

	private final Proposer proposer;

	/** The operator's request to change the voters, answered once a majority holds the change; 0 when none. */
	private long membershipRequest;

	VoterChanges(Node node, NodeConfig config, InSyncChanges changes, Map<String, Progress> peers, boolean forced,
			Proposer proposer) {
		this.node = node;
		this.config = config;
		this.changes = changes;
		this.peers = peers;
		this.forced = forced;
		this.proposer = proposer;
	}

	/** The operator's request {@code requestId} is answered with the next configuration a majority holds. */
	void awaiting(long requestId) {
		membershipRequest = requestId;
	}

	/** {@code committed} is held by a majority: the operator's change waiting for it, if any, is done. */
	void committed(InSyncConfig committed) {
		if (membershipRequest != 0) {
			node.clients().answer(membershipRequest, new Outcome.Reconfigured(committed.versionText(),
					List.copyOf(committed.voters())));
			membershipRequest = 0;
		}
	}

	/**
	 * The operator adds ({@code add}) or removes the voter at {@code url}, a data node or a witness: one change at
	 * a time, made like any configuration change and answered once a majority holds it. A data node that joins
	 * counts as a voter at once and joins the in-sync set once it has caught up. Removing a voter takes it out of
	 * the in-sync set in the same change. Refused while another change is under way or before this
	 * primary's first configuration is held, for this node itself (hand over first), or below three voters.
	 */
	void change(long now, long requestId, String url, boolean add) {
		ClientRequests clients = node.clients();
		if (changes.pending() || membershipRequest != 0 || changes.committed().epoch() != node.epoch()) {
			clients.answer(requestId, new Outcome.Unavailable("another configuration change is under way (" 
					+ changes.proposed().versionText() + "); try again once it is held"));
			return;
		}
		InSyncConfig current = changes.proposed();
		Set<String> voters = new LinkedHashSet<>(current.voters());
		Set<String> members = new LinkedHashSet<>(current.members());
		if (add && !voters.add(url)) {
			clients.answer(requestId, new Outcome.Unavailable(url + " is already a voter"));
			return;
		}
		if (!add) {
			if (url.equals(config.advertisedUrl())) {
				clients.answer(requestId, new Outcome.Unavailable("node " + config.nodeId() + " is the primary: "
						+ "hand over to an in-sync backup first (POST /cluster/hand-over?to=ID), then remove it there"));
				return;
			}
			if (!voters.remove(url)) {
				clients.answer(requestId, new Outcome.Unavailable(url + " is not a voter"));
				return;
			}
			if (voters.size() < 3 && !forced) {
				clients.answer(requestId, new Outcome.Unavailable("a cluster of three or more voters keeps three; "
						+ "add another voter first"));
				return;
			}
			Progress leaving = peers.get(url);
			if (leaving != null && leaving.nodeId != null) {
				members.remove(leaving.nodeId);
				leaving.inSync = false;
			}
		}
		membershipRequest = requestId;
		proposer.propose(current.next(node.epoch(), members, voters), now);
		node.event(Event.Kind.MEMBERSHIP_CHANGE, String.format(Locale.ROOT, "node %s: %s voter %s in configuration "
				+ "%s, once a majority holds it", config.nodeId(), add ? "adding" : "removing", url,
				changes.proposed().versionText()));
	}

	/**
	 * Records in the configuration the incarnation of each voter that answered with one it does not bind: a voter
	 * heard for the first time, or one that came back with a new data dir, which this re-admits. One change at a
	 * time, and only once this primary's own first configuration is held.
	 */
	void bindIncarnations(long now) {
		if (changes.pending() || membershipRequest != 0
				|| changes.committed().epoch() != node.epoch()) {
			return;
		}
		InSyncConfig current = changes.proposed();
		Map<String, String> bindings = new LinkedHashMap<>();
		Set<String> members = new LinkedHashSet<>(current.members());
		for (Progress p : peers.values()) {
			if (p.incarnation != null && current.voters().contains(p.url)
					&& !p.incarnation.equals(current.incarnations().get(p.url))) {
				bindings.put(p.url, p.incarnation);
				if (current.incarnations().containsKey(p.url)) {
					// It holds none of the entries it had: out of the in-sync set until it caught up again.
					if (p.nodeId != null) {
						members.remove(p.nodeId);
					}
					p.inSync = false;
					node.event(Event.Kind.MEMBERSHIP_CHANGE, String.format(Locale.ROOT, "node %s: voter %s came back "
							+ "with a new data dir; re-admitting it once a majority without it agrees", config.nodeId(),
							Replicator.name(p)));
				}
			}
		}
		String own = node.hardState().incarnation();
		if (own != null && !own.equals(current.incarnations().get(config.advertisedUrl()))) {
			bindings.put(config.advertisedUrl(), own);
		}
		if (!bindings.isEmpty()) {
			InSyncConfig next = current.binding(node.epoch(), bindings);
			proposer.propose(new InSyncConfig(next.epoch(), next.version(), members, next.voters(), next.incarnations()),
					now);
		}
	}

}
