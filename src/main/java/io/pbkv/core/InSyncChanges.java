package io.pbkv.core;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * A primary's changes to the configuration of a cluster with three or more voters, one at a time: the newest
 * configuration a majority of its voters accepted durably ({@link #committed}), and the one proposed after it, if
 * any. Writes commit only once every in-sync member of both holds them: an added backup binds commits from the
 * moment it is proposed, a dropped one frees them only once a majority has recorded the drop. So every member of
 * any configuration a voter holds has every committed entry, which is what lets a majority vote elect a safe
 * primary. The voters change one at a time too, so that a majority of the old voters and one of the new always
 * share a voter; a proposal counts the voters it names (as single-server changes in Raft do).
 */
final class InSyncChanges {

	private final String selfUrl;

	/** After a forced promotion: this primary's word alone is a majority. */
	private final boolean forced;

	private InSyncConfig committed;

	private InSyncConfig proposed;

	/** The newest configuration version each voter (by URL) said it holds. */
	private final Map<String, InSyncConfig> accepted = new HashMap<>();

	/**
	 * Starts from {@code adopted}, the newest configuration this primary's voters hold (null for a new cluster, or
	 * after a forced promotion), and proposes {@code first} in the primary's epoch at once.
	 */
	InSyncChanges(String selfUrl, InSyncConfig adopted, InSyncConfig first, boolean forced) {
		this.selfUrl = selfUrl;
		this.forced = forced;
		this.committed = adopted != null ? adopted : first;
		this.proposed = first;
	}

	boolean pending() {
		return proposed != committed;
	}

	InSyncConfig proposed() {
		return proposed;
	}

	InSyncConfig committed() {
		return committed;
	}

	void propose(InSyncConfig next) {
		if (pending()) {
			throw new IllegalStateException("a configuration change is already under way");
		}
		proposed = next;
	}

	/** How many of the proposed configuration's voters make a majority. */
	int majority() {
		return forced ? 1 : proposed.voters().size() / 2 + 1;
	}

	/** The members commits wait for: those of the committed configuration and of the proposed one. */
	Set<String> bound() {
		Set<String> members = new HashSet<>(committed.members());
		members.addAll(proposed.members());
		return members;
	}

	/**
	 * Records that the voter at {@code url} holds ({@code epoch}, {@code version}); returns true when that makes the
	 * proposed configuration committed. This primary holds what it proposed: it saved it before sending it.
	 */
	boolean heard(String url, long epoch, long version) {
		InSyncConfig previous = accepted.get(url);
		if (previous == null || InSyncConfig.compare(epoch, version, previous.epoch(), previous.version()) > 0) {
			accepted.put(url, new InSyncConfig(epoch, version, Set.of()));
		}
		if (!pending()) {
			return false;
		}
		long holding = 1 + accepted.entrySet()
			.stream()
			.filter(e -> !e.getKey().equals(selfUrl) && proposed.voters().contains(e.getKey())
					&& e.getValue().reaches(proposed.epoch(), proposed.version()))
			.count();
		if (holding < majority()) {
			return false;
		}
		committed = proposed;
		return true;
	}

}
