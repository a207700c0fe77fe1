package io.pbkv.storage;

import io.pbkv.core.HardState;
import io.pbkv.core.InSyncConfig;
import io.pbkv.runtime.MetaStore;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.zip.CRC32C;

/**
 * {@link MetaStore} in {@code dataDir/meta.properties}: the keys {@code clusterId}, {@code epoch},
 * {@code votedFor} (absent when null), {@code hasPeers} (absent when false) and {@code config} (the configuration
 * as {@code epoch.version:member,member;voterUrl,voterUrl;voterUrl=incarnation,...}; absent when none),
 * {@code incarnation} (this data dir's name in a cluster of three or more voters; absent otherwise) and a {@code checksum} over them,
 * so that a damaged file is detected; and {@code format}, the version of the data dir's formats (this file and the
 * log segments' records; snapshots carry their own), outside the checksum so that a pbkv from before it still reads
 * a format 1 data dir. A file without it is format 1. A data dir in a newer format is refused before anything in
 * it is read or changed.
 */
public final class FileMetaStore implements MetaStore {

	private static final String CLUSTER_ID = "clusterId";

	private static final String EPOCH = "epoch";

	private static final String VOTED_FOR = "votedFor";

	private static final String HAS_PEERS = "hasPeers";

	private static final String CONFIG = "config";

	private static final String INCARNATION = "incarnation";

	private static final String CHECKSUM = "checksum";

	private static final String FORMAT = "format";

	/** The data dir format this pbkv writes and the newest it reads. */
	public static final int FORMAT_VERSION = 1;

	private final Path dir;

	private final Path file;

	public FileMetaStore(Path dataDir) {
		this.dir = dataDir;
		this.file = dataDir.resolve("meta.properties");
	}

	@Override
	public HardState load() throws IOException {
		Properties properties = new Properties();
		try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
			properties.load(reader);
		}
		catch (NoSuchFileException ex) {
			return HardState.INITIAL;
		}
		catch (IllegalArgumentException ex) {
			throw damaged(ex.getMessage());
		}
		checkFormat(properties.getProperty(FORMAT));
		String clusterId = properties.getProperty(CLUSTER_ID);
		String epoch = properties.getProperty(EPOCH);
		String votedFor = properties.getProperty(VOTED_FOR);
		String hasPeers = properties.getProperty(HAS_PEERS);
		String config = properties.getProperty(CONFIG);
		String incarnation = properties.getProperty(INCARNATION);
		String checksum = properties.getProperty(CHECKSUM);
		if (checksum == null) {
			throw damaged("no checksum");
		}
		if (!checksum.equals(checksum(clusterId, epoch, votedFor, hasPeers, config, incarnation))) {
			throw damaged("checksum mismatch");
		}
		if (hasPeers != null && !hasPeers.equals("true")) {
			throw damaged("bad hasPeers " + hasPeers);
		}
		InSyncConfig inSync = config == null ? null : parseConfig(config);
		try {
			return new HardState(clusterId, epoch == null ? 0 : Long.parseLong(epoch), votedFor, hasPeers != null,
					inSync, incarnation);
		}
		catch (IllegalArgumentException ex) {
			throw damaged("bad epoch " + epoch);
		}
	}

	private InSyncConfig parseConfig(String text) throws IOException {
		int colon = text.indexOf(':');
		int dot = text.indexOf('.');
		int semicolon = text.indexOf(';', colon + 1);
		try {
			String members = semicolon < 0 ? text.substring(colon + 1) : text.substring(colon + 1, semicolon);
			String rest = semicolon < 0 ? "" : text.substring(semicolon + 1);
			int second = rest.indexOf(';');
			String voters = second < 0 ? rest : rest.substring(0, second);
			Map<String, String> incarnations = new TreeMap<>();
			for (String binding : items(second < 0 ? "" : rest.substring(second + 1))) {
				int eq = binding.lastIndexOf('=');
				incarnations.put(binding.substring(0, eq), binding.substring(eq + 1));
			}
			return new InSyncConfig(Long.parseLong(text.substring(0, dot)), Long.parseLong(text.substring(dot + 1, colon)),
					items(members), items(voters), incarnations);
		}
		catch (RuntimeException ex) {
			throw damaged("bad config " + text);
		}
	}

	private static Set<String> items(String list) {
		Set<String> items = new TreeSet<>();
		for (String item : list.split(",")) {
			if (!item.isEmpty()) {
				items.add(item);
			}
		}
		return items;
	}

	private static String configText(InSyncConfig config) {
		return config.epoch() + "." + config.version() + ":" + String.join(",", new TreeSet<>(config.members())) + ";"
				+ String.join(",", new TreeSet<>(config.voters())) + ";" + String.join(",", new TreeMap<>(
						config.incarnations()).entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
	}

	@Override
	public void save(HardState state) throws IOException {
		Properties properties = new Properties();
		String epoch = Long.toString(state.epoch());
		if (state.clusterId() != null) {
			properties.setProperty(CLUSTER_ID, state.clusterId());
		}
		properties.setProperty(EPOCH, epoch);
		if (state.votedFor() != null) {
			properties.setProperty(VOTED_FOR, state.votedFor());
		}
		String hasPeers = state.hasPeers() ? "true" : null;
		if (hasPeers != null) {
			properties.setProperty(HAS_PEERS, hasPeers);
		}
		String config = state.config() == null ? null : configText(state.config());
		if (config != null) {
			properties.setProperty(CONFIG, config);
		}
		if (state.incarnation() != null) {
			properties.setProperty(INCARNATION, state.incarnation());
		}
		properties.setProperty(CHECKSUM, checksum(state.clusterId(), epoch, state.votedFor(), hasPeers, config,
				state.incarnation()));
		properties.setProperty(FORMAT, Integer.toString(FORMAT_VERSION));
		StringWriter text = new StringWriter();
		properties.store(text, "pbkv node state; edits break the checksum");
		Files.createDirectories(dir);
		Path temp = dir.resolve("meta.properties.tmp");
		try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
				StandardOpenOption.TRUNCATE_EXISTING)) {
			ByteBuffer bytes = StandardCharsets.UTF_8.encode(text.toString());
			while (bytes.hasRemaining()) {
				channel.write(bytes);
			}
			channel.force(true);
		}
		Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
		Fsync.directory(dir);
	}

	/** Checked first: a newer format may change everything else, the checksum included. */
	private void checkFormat(String format) throws IOException {
		if (format == null) {
			return;
		}
		int version;
		try {
			version = Integer.parseInt(format.trim());
		}
		catch (NumberFormatException ex) {
			throw damaged("bad format " + format);
		}
		if (version > FORMAT_VERSION) {
			throw new UnsupportedFormatException(file, "data dir format", version,
					FORMAT_VERSION == 1 ? "format 1" : "formats 1 to " + FORMAT_VERSION);
		}
		if (version < 1) {
			throw damaged("bad format " + format);
		}
	}

	/**
	 * CRC32C over the values as saved, telling an absent value apart from an empty one. {@code hasPeers} and
	 * {@code config} count only when present, so files written before them still check.
	 */
	private static String checksum(String clusterId, String epoch, String votedFor, String hasPeers, String config,
			String incarnation) {
		CRC32C crc = new CRC32C();
		List<String> values = new ArrayList<>(Arrays.asList(clusterId, epoch, votedFor));
		if (hasPeers != null || config != null || incarnation != null) {
			values.add(hasPeers);
		}
		if (config != null || incarnation != null) {
			values.add(config);
		}
		if (incarnation != null) {
			values.add(incarnation);
		}
		for (String value : values) {
			String field = value == null ? "-" : "+" + value.length() + ":" + value;
			crc.update(field.getBytes(StandardCharsets.UTF_8));
		}
		return "%08x".formatted(crc.getValue());
	}

	private IOException damaged(String reason) {
		return new IOException(file.toAbsolutePath() + " is damaged (" + reason + "); refusing to guess the node's state");
	}

}
