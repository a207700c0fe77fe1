package io.pbkv.config;

import io.pbkv.core.Command;
import io.pbkv.core.NodeConfig;
import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Every {@code kv.*} setting (the table in docs/configuration.md), plus a few internal ones that say so. The
 * {@code @param} lines below become the descriptions IDEs show, through the generated configuration metadata.
 *
 * @param nodeId this node's unique name (letters, digits, '.', '_', '-'); the host name when unset
 * @param advertisedUrl the URL by which peers and forwarded clients reach this node; must equal what its peers
 * list in kv.peers
 * @param peers comma-separated URLs of the other nodes; empty for a lone node
 * @param initialRole primary or backup: used only on the very first start, with an empty data dir
 * @param dataDir where the log, snapshots and meta file live; ./data/${kv.node-id} when unset
 * @param heartbeat how often the primary heartbeats, and the silence after which a node counts as failed
 * @param cluster the shared secret of the peer API
 * @param replication when a write is acknowledged, and how a backup catches up
 * @param storage durability and compaction of the log
 * @param limits sizes and internal limits of client requests
 * @param role data (holds the data, can be primary) or witness (votes only: no values, never primary)
 * @param security client credentials (off unless kv.security.tokens-file is set)
 */
@ConfigurationProperties("kv")
@Validated
public record KvProperties(
		@Pattern(regexp = "[A-Za-z0-9._-]{1,64}", message = "must be 1-64 letters, digits, '.', '_' or '-'") String nodeId,
		@NotNull URI advertisedUrl, @DefaultValue List<URI> peers, @DefaultValue("backup") InitialRole initialRole,
		Path dataDir, @Valid @DefaultValue Heartbeat heartbeat, @Valid @DefaultValue Cluster cluster,
		@Valid @DefaultValue Replication replication, @Valid @DefaultValue Storage storage,
		@Valid @DefaultValue Limits limits, @NotNull @DefaultValue("data") NodeRole role,
		@Valid @DefaultValue Security security) {

	public enum InitialRole {

		PRIMARY, BACKUP

	}

	public enum NodeRole {

		DATA, WITNESS

	}

	@AssertTrue(message = "kv.role=witness needs kv.peers (the other voters, or one member of a running cluster it "
			+ "is being added to) and kv.initial-role=backup (a witness is never primary)")
	public boolean isWitnessPlaced() {
		return role != NodeRole.WITNESS || !peers.isEmpty() && initialRole != InitialRole.PRIMARY;
	}

	@AssertTrue(message = "kv.replication.min-in-sync asks for more backups than kv.peers lists (a pair has one "
			+ "backup, so min-in-sync is 0 or 1; witnesses hold no data and are no backups)")
	public boolean isMinInSyncReachable() {
		return replication == null || replication.minInSync() <= peers.size();
	}

	public enum ReplicationMode {

		SYNC, ASYNC

	}

	public enum FsyncPolicy {

		ALWAYS, NEVER

	}

	/**
	 * @param interval how often the primary heartbeats its backups
	 * @param timeout silence after which a backup considers the primary failed (and the primary drops a silent
	 * backup); at least about 2.2 times the interval
	 */
	public record Heartbeat(@NotNull @DefaultValue("500ms") Duration interval,
			@NotNull @DefaultValue("3s") Duration timeout) {

		@AssertTrue(message = "kv.heartbeat.interval must be positive and shorter than kv.heartbeat.timeout")
		public boolean isIntervalShorterThanTimeout() {
			return interval.isPositive() && interval.compareTo(timeout) < 0;
		}

		@AssertTrue(message = "kv.heartbeat.timeout must be at least 2 x kv.heartbeat.interval + the drift margin "
				+ "(the smaller of interval/2 and timeout/10; about 2.2 x the interval in all), so that the pause "
				+ "threshold (timeout - interval - margin) is at least one interval: a node that stalls for "
				+ "less than one interval must stay in the in-sync set and eligible to promote")
		public boolean isTimeoutRoomyEnough() {
			return !isIntervalShorterThanTimeout() || NodeConfig.timingHolds(interval.toMillis(), timeout.toMillis());
		}

	}

	/**
	 * @param tokensFile the client credentials, one {@code ROLE PREFIX SHA256} line each (roles read, write, admin;
	 * {@code *} for every key; the lowercase hex SHA-256 of the token); set, every client request needs
	 * {@code Authorization: Bearer TOKEN} or a session cookie from {@code POST /auth/session}; unset: the client API
	 * is open. Reloaded when the file changes
	 */
	public record Security(Path tokensFile) {

		public boolean enabled() {
			return tokensFile != null;
		}

	}

	/**
	 * @param token shared secret every peer request, forced promotion and snapshot download must carry; unset:
	 * the peer API is open, with a warning in the log and in health
	 * @param sslBundle the SSL bundle (spring.ssl.bundle.*) this node's requests to other nodes use: its trust
	 * material verifies their certificates, its key (if any) is presented to them; unset: the JVM's defaults
	 */
	public record Cluster(String token, String sslBundle) {

		public boolean open() {
			return token == null || token.isBlank();
		}

		/** Whether {@code given} is the token; compared in constant time, so timing tells an attacker nothing. */
		public boolean accepts(String given) {
			return !open() && given != null && MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8),
					given.getBytes(StandardCharsets.UTF_8));
		}

	}

	/**
	 * {@code snapshotFetchRate} caps the bytes per second a backup catching up by snapshot pulls from the primary
	 * (0: no cap), so that a catch-up never saturates the link the primary's clients share.
	 *
	 * @param mode sync (acknowledged once every in-sync backup has the write durably) or async (once the primary
	 * has it)
	 * @param requireBackup true: writes get 503 while no backup is in sync; false: a primary that lost its backup
	 * serves alone (availability first); the same as min-in-sync=1
	 * @param snapshotFetchRate bytes per second a backup catching up by snapshot pulls at most (0: no cap)
	 * @param minInSync with sync: how many backups must hold a write durably before it is acknowledged (writes get
	 * 503 while fewer are in sync); 0 is availability first; a pair has one backup, so 0 or 1
	 */
	public record Replication(@NotNull @DefaultValue("sync") ReplicationMode mode,
			@DefaultValue("false") boolean requireBackup, @NotNull @DefaultValue("0B") DataSize snapshotFetchRate,
			@Min(0) @DefaultValue("0") int minInSync) {

		/** Whether writes need an in-sync backup: require-backup, or min-in-sync of 1 or more. */
		public boolean backupRequired() {
			return requireBackup || minInSync >= 1;
		}

		@AssertTrue(message = "kv.replication.snapshot-fetch-rate must not be negative")
		public boolean isSnapshotFetchRateValid() {
			return snapshotFetchRate == null || snapshotFetchRate.toBytes() >= 0;
		}

	}

	/**
	 * When to snapshot and compact, as Redis rewrites its AOF: once the entries applied since the last snapshot
	 * amount to {@code compactPercentage} of the state's size, and at least {@code compactMinSize}. After a
	 * compaction the log keeps its last {@code retainEntries} entries (at most {@code retainSize} of them), so a
	 * backup away briefly catches up from the log. {@code snapshotEvery} is internal (tests): a snapshot every that
	 * many applied entries as well; 0 (the default) leaves it to the size rule.
	 *
	 * @param fsync always (no acknowledged write is lost even if every node crashes at once; group commit) or never
	 * @param snapshotEvery internal: a snapshot every this many applied entries as well (tests; 0: off, else at
	 * least 100)
	 * @param compactPercentage snapshot once the log since the last one has grown by this % of the state's size
	 * @param compactMinSize ... and by at least this much
	 * @param retainEntries entries the log keeps after compacting, for backups away briefly
	 * @param retainSize at most this much of them
	 */
	public record Storage(@NotNull @DefaultValue("always") FsyncPolicy fsync,
			@Min(0) @DefaultValue("0") long snapshotEvery, @Min(1) @DefaultValue("100") int compactPercentage,
			@NotNull @DefaultValue("64MB") DataSize compactMinSize, @Min(0) @DefaultValue("100000") long retainEntries,
			@NotNull @DefaultValue("64MB") DataSize retainSize) {

		@AssertTrue(message = "kv.storage.snapshot-every must be 0 (off) or at least 100")
		public boolean isSnapshotEveryValid() {
			return snapshotEvery == 0 || snapshotEvery >= 100;
		}

	}

	/**
	 * {@code requestTimeout} and {@code queueCapacity} are internal: how long a client request may wait for the
	 * node, and how many may queue before the node answers 503.
	 *
	 * @param maxKeyBytes longest key, in UTF-8 bytes
	 * @param maxValueBytes largest value
	 * @param requestTimeout internal: how long a client request may wait for its outcome before 503 (a read) or
	 * 504 (a write)
	 * @param queueCapacity internal: requests queued for the node before it answers 503
	 * @param watchProgress how long a watch may stay silent before it gets a progress event (the version it has
	 * seen up to, to resume from)
	 */
	public record Limits(@DefaultValue("1024") int maxKeyBytes,
			@NotNull @DefaultValue("1MB") DataSize maxValueBytes,
			@NotNull @DefaultValue("10s") Duration requestTimeout, @Min(1) @DefaultValue("10000") int queueCapacity,
			@NotNull @DefaultValue("5s") Duration watchProgress) {

		// The ceilings are what one log record and one peer message are sized for (Command.MAX_*).
		@AssertTrue(message = "kv.limits.max-key-bytes must be between 1 and 65536 (64KB)")
		public boolean isMaxKeySane() {
			return maxKeyBytes >= 1 && maxKeyBytes <= Command.MAX_KEY_BYTES;
		}

		@AssertTrue(message = "kv.limits.max-value-bytes must be between 0 and 64MB")
		public boolean isMaxValueSane() {
			return maxValueBytes.toBytes() >= 0 && maxValueBytes.toBytes() <= Command.MAX_VALUE_BYTES;
		}

	}

	@AssertTrue(message = "kv.peers must be absolute http(s) URLs such as http://10.0.0.2:8080")
	public boolean isPeersAbsoluteHttp() {
		return peers.stream().allMatch(KvProperties::isHttpUrl);
	}

	@AssertTrue(message = "kv.advertised-url must be an absolute http(s) URL")
	public boolean isAdvertisedUrlHttp() {
		return advertisedUrl == null || isHttpUrl(advertisedUrl);
	}

	private static boolean isHttpUrl(URI uri) {
		return uri.isAbsolute() && uri.getHost() != null
				&& ("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()));
	}

	/** {@code kv.node-id}, or this machine's host name when unset. */
	public String resolvedNodeId() {
		if (nodeId != null) {
			return nodeId;
		}
		try {
			return InetAddress.getLocalHost().getHostName();
		}
		catch (UnknownHostException ex) {
			return "pbkv";
		}
	}

	/** {@code kv.data-dir}, or {@code ./data/<node id>} when unset. */
	public Path resolvedDataDir() {
		return dataDir != null ? dataDir : Path.of("data", resolvedNodeId());
	}

}
