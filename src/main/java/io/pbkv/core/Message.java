package io.pbkv.core;

import java.util.List;

/**
 * What nodes tell each other. Every message names its sender (id and URL), its addressee by URL, the cluster and
 * the sender's epoch; a node drops messages from another cluster and answers messages from an older epoch with
 * its own epoch, so the sender learns it is out of date.
 */
public sealed interface Message {

	String from();

	String fromUrl();

	String to();

	String clusterId();

	long epoch();

	/**
	 * Replicates entries after ({@code prevIndex}, {@code prevEpoch}); with no entries it is a heartbeat.
	 * {@code sentAt} is the primary's clock when sent, echoed back so the primary can time its read lease from it.
	 * {@code admission} > 0 tells the backup it is in the in-sync set from index {@code admittedFrom}: the only
	 * thing that makes a backup of a pair eligible to promote itself. With three or more voters {@code config} is
	 * the primary's newest in-sync configuration, which every voter accepts if it is newer than its own (null in a
	 * pair).
	 */
	record Append(String from, String fromUrl, String to, String clusterId, long epoch, long prevIndex,
			long prevEpoch, List<LogEntry> entries, long commitIndex, long sentAt, long admission,
			long admittedFrom, InSyncConfig config) implements Message {
		public Append {
			entries = List.copyOf(entries);
		}

		public Append(String from, String fromUrl, String to, String clusterId, long epoch, long prevIndex,
				long prevEpoch, List<LogEntry> entries, long commitIndex, long sentAt, long admission,
				long admittedFrom) {
			this(from, fromUrl, to, clusterId, epoch, prevIndex, prevEpoch, entries, commitIndex, sentAt, admission,
					admittedFrom, null);
		}
	}

	/**
	 * A backup's answer to {@link Append} or {@link InstallSnapshot}, sent once what it accepted is durable.
	 * {@code matchIndex} is the highest index known to equal the primary's log (on success), or a hint where to
	 * resume (on failure). {@code eligible} says whether the backup holds a valid admission. {@code snapshotNeeded}
	 * (on failure) says the backup's committed history differs from the primary's (a former primary that went on
	 * alone during a partition): no entry can repair it, only the primary's snapshot. ({@code configEpoch},
	 * {@code configVersion}) is the newest in-sync configuration the voter holds durably (0, 0 when none), and
	 * {@code witness} says the answer comes from a witness, which holds no entries; {@code incarnation} names the
	 * voter's data dir (null in a pair).
	 */
	record AppendResult(String from, String fromUrl, String to, String clusterId, long epoch, boolean success,
			long matchIndex, long sentAt, boolean eligible, boolean snapshotNeeded, long configEpoch,
			long configVersion, boolean witness, String incarnation) implements Message {

		public AppendResult(String from, String fromUrl, String to, String clusterId, long epoch, boolean success,
				long matchIndex, long sentAt, boolean eligible, boolean snapshotNeeded, long configEpoch,
				long configVersion, boolean witness) {
			this(from, fromUrl, to, clusterId, epoch, success, matchIndex, sentAt, eligible, snapshotNeeded,
					configEpoch, configVersion, witness, null);
		}

		public AppendResult(String from, String fromUrl, String to, String clusterId, long epoch, boolean success,
				long matchIndex, long sentAt, boolean eligible, boolean snapshotNeeded) {
			this(from, fromUrl, to, clusterId, epoch, success, matchIndex, sentAt, eligible, snapshotNeeded, 0, 0,
					false);
		}

		public AppendResult(String from, String fromUrl, String to, String clusterId, long epoch, boolean success,
				long matchIndex, long sentAt, boolean eligible) {
			this(from, fromUrl, to, clusterId, epoch, success, matchIndex, sentAt, eligible, false);
		}

	}

	/**
	 * Offers the primary's snapshot ending at {@code lastIndex} to a backup that needs entries the primary compacted
	 * away, or whose history went its own way. The message carries no data: the backup fetches the snapshot's file
	 * in chunks (see {@link SnapshotFetch}) and answers once it is installed. Repeated every heartbeat interval while
	 * the backup fetches, it is also that backup's heartbeat, and carries the configuration as an append does.
	 */
	record InstallSnapshot(String from, String fromUrl, String to, String clusterId, long epoch, long lastIndex,
			long lastEpoch, long sentAt, InSyncConfig config) implements Message {

		public InstallSnapshot(String from, String fromUrl, String to, String clusterId, long epoch, long lastIndex,
				long lastEpoch, long sentAt) {
			this(from, fromUrl, to, clusterId, epoch, lastIndex, lastEpoch, sentAt, null);
		}

	}

	/**
	 * Asks for a vote to become primary in {@code epoch}, with the candidate's log position. A {@code preVote}
	 * only asks whether the vote would be granted and changes nothing, so that a node that cannot win never
	 * disturbs a working primary by raising the epoch. {@code handOver} marks the vote a hand-over's target asks
	 * for: its primary stepped down and gave up its lease, so voters need not wait for that lease to run out.
	 */
	record VoteRequest(String from, String fromUrl, String to, String clusterId, long epoch, long lastIndex,
			long lastEpoch, boolean preVote, boolean handOver) implements Message {

		public VoteRequest(String from, String fromUrl, String to, String clusterId, long epoch, long lastIndex,
				long lastEpoch, boolean preVote) {
			this(from, fromUrl, to, clusterId, epoch, lastIndex, lastEpoch, preVote, false);
		}

	}

	/**
	 * The answer to a {@link VoteRequest}. With three or more voters it carries the voter's newest in-sync
	 * configuration (null when none): a new primary starts from the newest one its voters hold.
	 */
	record VoteResult(String from, String fromUrl, String to, String clusterId, long epoch, boolean granted,
			boolean preVote, InSyncConfig config) implements Message {

		public VoteResult(String from, String fromUrl, String to, String clusterId, long epoch, boolean granted,
				boolean preVote) {
			this(from, fromUrl, to, clusterId, epoch, granted, preVote, null);
		}

	}

	/**
	 * A hand-over: the primary of the epoch before {@code epoch} has stepped down and voted for the addressee in
	 * {@code epoch}; the addressee, if it holds every entry up to ({@code lastIndex}, {@code lastEpoch}), becomes
	 * primary in {@code epoch} at once instead of waiting for the silence a failover needs.
	 */
	record TimeoutNow(String from, String fromUrl, String to, String clusterId, long epoch, long lastIndex,
			long lastEpoch) implements Message {
	}

	/** Asks a peer what it holds; a node with an empty data dir founds a cluster only if every peer is empty. */
	record Probe(String from, String fromUrl, String to, String clusterId, long epoch) implements Message {
	}

	/** {@code empty} when the peer has no cluster yet; otherwise its cluster, epoch and primary. */
	record ProbeResult(String from, String fromUrl, String to, String clusterId, long epoch, boolean empty,
			String primaryId) implements Message {
	}

}
