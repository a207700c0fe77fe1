package io.pbkv.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The few fields of a node's {@code GET /cluster} answer the benchmark waits on. The benchmark runs with
 * {@code target/classes} and {@code target/test-classes} only, without Jackson, so it picks them out by name:
 * {@code role} and {@code eligible} occur once, at the top level; {@code inSync} once per peer, in the order of
 * {@code peers}.
 *
 * @param role {@code PRIMARY}, {@code BACKUP}, ... as the node reports it
 * @param eligible whether the node may take over (it holds everything the primary acknowledged)
 * @param peersInSync {@code peers[i].inSync}, in order
 */
record ClusterView(String role, boolean eligible, List<Boolean> peersInSync) {

	private static final Pattern ROLE = Pattern.compile("\"role\"\\s*:\\s*\"([^\"]*)\"");

	private static final Pattern ELIGIBLE = Pattern.compile("\"eligible\"\\s*:\\s*(true|false)");

	private static final Pattern IN_SYNC = Pattern.compile("\"inSync\"\\s*:\\s*(true|false)");

	ClusterView {
		peersInSync = List.copyOf(peersInSync);
	}

	/** The view in {@code json}, or empty when it has no {@code role}: not a {@code /cluster} answer. */
	static Optional<ClusterView> parse(String json) {
		Matcher role = ROLE.matcher(json);
		if (!role.find()) {
			return Optional.empty();
		}
		Matcher eligible = ELIGIBLE.matcher(json);
		List<Boolean> inSync = new ArrayList<>();
		Matcher peer = IN_SYNC.matcher(json);
		while (peer.find()) {
			inSync.add(Boolean.parseBoolean(peer.group(1)));
		}
		return Optional.of(new ClusterView(role.group(1), eligible.find() && Boolean.parseBoolean(eligible.group(1)),
				inSync));
	}

	boolean isPrimary() {
		return "PRIMARY".equals(this.role);
	}

	/** This node is primary and its first peer ({@code peers[0]}) is in its in-sync set: the backup is admitted. */
	boolean isPrimaryWithBackupInSync() {
		return isPrimary() && !this.peersInSync.isEmpty() && this.peersInSync.get(0);
	}

}
