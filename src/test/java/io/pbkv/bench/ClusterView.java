package io.pbkv.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The few fields of a node's {@code GET /cluster} answer the benchmark waits on. The benchmark runs with
 * {@code target/classes} and {@code target/test-classes} only, without Jackson, so it picks them out by name:
 * {@code role}, {@code eligible} and {@code lastIndex} occur once, at the top level; {@code inSync} and
 * {@code matchIndex} once per peer, in the order of {@code peers}.
 *
 * @param role {@code PRIMARY}, {@code BACKUP}, ... as the node reports it
 * @param eligible whether the node may take over (it holds everything the primary acknowledged)
 * @param lastIndex the index of the node's last log entry (-1 when the answer has none)
 * @param peersInSync {@code peers[i].inSync}, in order
 * @param peersMatchIndex {@code peers[i].matchIndex}, in order: the last index the peer is known to hold
 */
record ClusterView(String role, boolean eligible, long lastIndex, List<Boolean> peersInSync,
		List<Long> peersMatchIndex) {

	private static final Pattern ROLE = Pattern.compile("\"role\"\\s*:\\s*\"([^\"]*)\"");

	private static final Pattern ELIGIBLE = Pattern.compile("\"eligible\"\\s*:\\s*(true|false)");

	private static final Pattern IN_SYNC = Pattern.compile("\"inSync\"\\s*:\\s*(true|false)");

	private static final Pattern LAST_INDEX = Pattern.compile("\"lastIndex\"\\s*:\\s*(-?\\d+)");

	private static final Pattern MATCH_INDEX = Pattern.compile("\"matchIndex\"\\s*:\\s*(-?\\d+)");

	ClusterView {
		peersInSync = List.copyOf(peersInSync);
		peersMatchIndex = List.copyOf(peersMatchIndex);
	}

	/** The view in {@code json}, or empty when it has no {@code role}: not a {@code /cluster} answer. */
	static Optional<ClusterView> parse(String json) {
		Matcher role = ROLE.matcher(json);
		if (!role.find()) {
			return Optional.empty();
		}
		Matcher eligible = ELIGIBLE.matcher(json);
		Matcher lastIndex = LAST_INDEX.matcher(json);
		List<Boolean> inSync = new ArrayList<>();
		Matcher peer = IN_SYNC.matcher(json);
		while (peer.find()) {
			inSync.add(Boolean.parseBoolean(peer.group(1)));
		}
		List<Long> matchIndex = new ArrayList<>();
		Matcher match = MATCH_INDEX.matcher(json);
		while (match.find()) {
			matchIndex.add(Long.parseLong(match.group(1)));
		}
		return Optional.of(new ClusterView(role.group(1), eligible.find() && Boolean.parseBoolean(eligible.group(1)),
				lastIndex.find() ? Long.parseLong(lastIndex.group(1)) : -1, inSync, matchIndex));
	}

	boolean isPrimary() {
		return "PRIMARY".equals(this.role);
	}

	/** This node is primary and its first peer ({@code peers[0]}) is in its in-sync set: the backup is admitted. */
	boolean isPrimaryWithBackupInSync() {
		return isPrimary() && !this.peersInSync.isEmpty() && this.peersInSync.get(0);
	}

	/**
	 * This node is primary, its backup is in sync and holds every entry the primary has: {@code peers[0].matchIndex}
	 * equals {@code lastIndex}. What a rejoining backup has to reach.
	 */
	boolean isPrimaryWithBackupCaughtUp() {
		return isPrimaryWithBackupInSync() && !this.peersMatchIndex.isEmpty()
				&& this.peersMatchIndex.get(0) == this.lastIndex;
	}

}
