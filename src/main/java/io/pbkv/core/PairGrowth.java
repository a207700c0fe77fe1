package io.pbkv.core;

import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A pair's primary adding a third voter (the operator's {@code POST /cluster/members}), which turns the pair into a
 * cluster where a majority decides. The first configuration of three voters goes to the pair's in-sync backup alone,
 * and the primary switches to majority rules only once that backup holds it: from then on the backup follows
 * majority rules too, so no node promotes by the pair's rules while another acts on the configuration. The new
 * voter hears of the cluster only from the primary's majority rules, so it never holds a configuration whose members
 * the pair's rules may have dropped.
 */
final class PairGrowth {

	private final long requestId;

	private final InSyncConfig proposal;

	/** The backups (by URL) that said they hold the proposal or something newer. */
	private final Set<String> holders = new HashSet<>();

	private PairGrowth(long requestId, InSyncConfig proposal) {
		this.requestId = requestId;
		this.proposal = proposal;
	}

	/**
	 * The operator's request {@code requestId} to add the voter at {@code url} to the pair of {@code selfUrl} and
	 * {@code peerUrls}, whose in-sync members (this node included) are {@code members}, in {@code epoch}.
	 */
	static PairGrowth adding(long requestId, String url, long epoch, String selfUrl, Iterable<String> peerUrls,
			Set<String> members) {
		Set<String> voters = new LinkedHashSet<>();
		voters.add(selfUrl);
		peerUrls.forEach(voters::add);
		voters.add(url);
		return new PairGrowth(requestId, new InSyncConfig(epoch, 1, members, voters));
	}

	long requestId() {
		return requestId;
	}

	/** The configuration sent to the pair's backup while the growth is under way. */
	InSyncConfig proposal() {
		return proposal;
	}

	/** The backup at {@code url} answered holding configuration ({@code epoch}, {@code version}). */
	void heard(String url, long epoch, long version) {
		if (InSyncConfig.compare(epoch, version, proposal.epoch(), proposal.version()) >= 0) {
			holders.add(url);
		}
	}

	boolean heldBy(String url) {
		return holders.contains(url);
	}

	/**
	 * The configuration the primary starts majority rules from, once every in-sync backup holds the proposal:
	 * the proposal itself when the in-sync members are still {@code members}, otherwise (a backup was dropped
	 * meanwhile) a newer version with the members as they are now.
	 */
	InSyncConfig first(Set<String> members) {
		return members.equals(proposal.members()) ? proposal
				: new InSyncConfig(proposal.epoch(), proposal.version() + 1, members, proposal.voters());
	}

}
