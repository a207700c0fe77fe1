package io.pbkv.cluster;

import io.pbkv.core.InSyncConfig;
import io.pbkv.core.LogEntry;
import io.pbkv.core.Message;
import io.pbkv.storage.LogRecordCodec;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The body of a peer request: a batch of {@link Message}s.
 *
 * <pre>
 * batch    = u8 version(2), i32 count, message*
 * message  = u8 tag, str from, str fromUrl, str to, str clusterId, i64 epoch, then by tag:
 *   1 Append          i64 prevIndex, i64 prevEpoch, i32 n, n * (i32 length, LogRecordCodec entry),
 *                     i64 commitIndex, i64 sentAt, i64 admission, i64 admittedFrom
 *   2 AppendResult    bool success, i64 matchIndex, i64 sentAt, bool eligible, bool snapshotNeeded
 *   3 InstallSnapshot i64 lastIndex, i64 lastEpoch, i64 sentAt (an offer: the file is fetched in chunks)
 *   4 VoteRequest     i64 lastIndex, i64 lastEpoch, bool preVote
 *   5 VoteResult      bool granted, bool preVote
 *   6 Probe           (nothing)
 *   7 ProbeResult     bool empty, str primaryId
 *   8 TimeoutNow      i64 lastIndex, i64 lastEpoch
 *   with three or more voters, the extended forms (each is its base form, then):
 *   9 Append          config
 *  10 AppendResult    i64 configEpoch, i64 configVersion, bool witness, str incarnation
 *  11 InstallSnapshot config
 *  12 VoteRequest     bool handOver
 *  13 VoteResult      config
 * config = i64 epoch, i64 version, i32 n, n * str member, i32 m, m * str voter,
 *          i32 k, k * (str voter, str incarnation) (each list in ascending order)
 * str = i32 length (-1 for null), UTF-8; bytes = i32 length, bytes; bool = u8 0 or 1; all big-endian
 * </pre>
 *
 * A message of a pair always has its base form, byte for byte what a release before witnesses sends, so that a
 * pair can be upgraded one node at a time; only a cluster of three or more voters sends the extended forms.
 *
 * Decoding trusts nothing: whatever the input, it returns messages or throws {@link MalformedMessageException}.
 */
final class MessageCodec {

	static final String MEDIA_TYPE = "application/x-pbkv-messages";

	/**
	 * The largest body a peer accepts: an Append of the largest entry a client can make (the sender gives such a
	 * message a request of its own), plus far more room than its envelope of ids and URLs takes.
	 */
	static final int MAX_BATCH_BYTES = LogRecordCodec.MAX_ENTRY_PAYLOAD_BYTES + (1 << 20);

	static final int MAX_MESSAGES = 100_000;

	static final byte VERSION = 2;

	private static final byte APPEND = 1;

	private static final byte APPEND_RESULT = 2;

	private static final byte INSTALL_SNAPSHOT = 3;

	private static final byte VOTE_REQUEST = 4;

	private static final byte VOTE_RESULT = 5;

	private static final byte PROBE = 6;

	private static final byte PROBE_RESULT = 7;

	private static final byte TIMEOUT_NOW = 8;

	/** Added to a base tag for its extended form. */
	private static final byte EXTENDED = 8;

	/** Tag, four null strings and the epoch. */
	private static final int MIN_MESSAGE_BYTES = 1 + 4 * 4 + 8;

	private MessageCodec() {
	}

	static byte[] encode(List<Message> messages) {
		WireWriter out = new WireWriter(256);
		out.writeByte(VERSION).writeInt(messages.size());
		messages.forEach(m -> write(out, m));
		return out.toByteArray();
	}

	/** One message on its own, to be joined with others by {@link #batch}. */
	static byte[] encodeMessage(Message message) {
		WireWriter out = new WireWriter(128);
		write(out, message);
		return out.toByteArray();
	}

	/** A batch of messages each encoded by {@link #encodeMessage}, equal to {@link #encode} of them all. */
	static byte[] batch(List<byte[]> encodedMessages) {
		int bytes = encodedMessages.stream().mapToInt(m -> m.length).sum();
		WireWriter out = new WireWriter(5 + bytes);
		out.writeByte(VERSION).writeInt(encodedMessages.size());
		encodedMessages.forEach(out::writeRaw);
		return out.toByteArray();
	}

	static List<Message> decode(byte[] bytes) throws MalformedMessageException {
		if (bytes.length > MAX_BATCH_BYTES) {
			throw new MalformedMessageException("batch of " + bytes.length + " bytes exceeds " + MAX_BATCH_BYTES);
		}
		WireReader in = new WireReader(bytes);
		byte version = in.readByte();
		if (version != VERSION) {
			throw new MalformedMessageException("unsupported peer message format " + version + " (this node speaks " + VERSION
					+ "): every node of a cluster must run the same pbkv version");
		}
		int count = in.readCount(MIN_MESSAGE_BYTES, MAX_MESSAGES, "message");
		List<Message> messages = new ArrayList<>(Math.min(count, 1024));
		for (int i = 0; i < count; i++) {
			messages.add(read(in));
		}
		if (in.remaining() > 0) {
			throw new MalformedMessageException(in.remaining() + " trailing bytes after " + count + " messages");
		}
		return messages;
	}

	private static void write(WireWriter out, Message message) {
		out.writeByte(tag(message))
			.writeString(message.from())
			.writeString(message.fromUrl())
			.writeString(message.to())
			.writeString(message.clusterId())
			.writeLong(message.epoch());
		switch (message) {
			case Message.Append m -> {
				out.writeLong(m.prevIndex()).writeLong(m.prevEpoch()).writeInt(m.entries().size());
				m.entries().forEach(e -> out.writeBytes(LogRecordCodec.encodeEntryPayload(e)));
				out.writeLong(m.commitIndex())
					.writeLong(m.sentAt())
					.writeLong(m.admission())
					.writeLong(m.admittedFrom());
				if (m.config() != null) {
					writeConfig(out, m.config());
				}
			}
			case Message.AppendResult m -> {
				out.writeBoolean(m.success())
					.writeLong(m.matchIndex())
					.writeLong(m.sentAt())
					.writeBoolean(m.eligible())
					.writeBoolean(m.snapshotNeeded());
				if (extended(m)) {
					out.writeLong(m.configEpoch())
						.writeLong(m.configVersion())
						.writeBoolean(m.witness())
						.writeString(m.incarnation());
				}
			}
			case Message.InstallSnapshot m -> {
				out.writeLong(m.lastIndex()).writeLong(m.lastEpoch()).writeLong(m.sentAt());
				if (m.config() != null) {
					writeConfig(out, m.config());
				}
			}
			case Message.VoteRequest m -> {
				out.writeLong(m.lastIndex()).writeLong(m.lastEpoch()).writeBoolean(m.preVote());
				if (m.handOver()) {
					out.writeBoolean(true);
				}
			}
			case Message.VoteResult m -> {
				out.writeBoolean(m.granted()).writeBoolean(m.preVote());
				if (m.config() != null) {
					writeConfig(out, m.config());
				}
			}
			case Message.Probe m -> {
			}
			case Message.ProbeResult m -> out.writeBoolean(m.empty()).writeString(m.primaryId());
			case Message.TimeoutNow m -> out.writeLong(m.lastIndex()).writeLong(m.lastEpoch());
		}
	}

	private static boolean extended(Message.AppendResult m) {
		return m.configEpoch() != 0 || m.configVersion() != 0 || m.witness() || m.incarnation() != null;
	}

	private static byte tag(Message message) {
		return switch (message) {
			case Message.Append m -> m.config() != null ? APPEND + EXTENDED : APPEND;
			case Message.AppendResult m -> extended(m) ? APPEND_RESULT + EXTENDED : APPEND_RESULT;
			case Message.InstallSnapshot m -> m.config() != null ? INSTALL_SNAPSHOT + EXTENDED : INSTALL_SNAPSHOT;
			case Message.VoteRequest m -> m.handOver() ? VOTE_REQUEST + EXTENDED : VOTE_REQUEST;
			case Message.VoteResult m -> m.config() != null ? VOTE_RESULT + EXTENDED : VOTE_RESULT;
			case Message.Probe m -> PROBE;
			case Message.ProbeResult m -> PROBE_RESULT;
			case Message.TimeoutNow m -> TIMEOUT_NOW;
		};
	}

	private static Message read(WireReader in) throws MalformedMessageException {
		byte tag = in.readByte();
		Message message = readForm(in, tag);
		// An extended form that carries nothing beyond its base form would give one message two encodings.
		if (tag != tag(message)) {
			throw new MalformedMessageException("an extended form (tag " + tag + ") that extends nothing");
		}
		return message;
	}

	private static Message readForm(WireReader in, byte tag) throws MalformedMessageException {
		String from = in.readString();
		String fromUrl = in.readString();
		String to = in.readString();
		String clusterId = in.readString();
		long epoch = in.readLong();
		return switch (tag) {
			case APPEND, APPEND + EXTENDED -> new Message.Append(from, fromUrl, to, clusterId, epoch, in.readLong(),
					in.readLong(), entries(in), in.readLong(), in.readLong(), in.readLong(), in.readLong(),
					tag == APPEND ? null : config(in));
			case APPEND_RESULT -> new Message.AppendResult(from, fromUrl, to, clusterId, epoch, in.readBoolean(),
					in.readLong(), in.readLong(), in.readBoolean(), in.readBoolean());
			case APPEND_RESULT + EXTENDED -> new Message.AppendResult(from, fromUrl, to, clusterId, epoch,
					in.readBoolean(), in.readLong(), in.readLong(), in.readBoolean(), in.readBoolean(), in.readLong(),
					in.readLong(), in.readBoolean(), in.readString());
			case INSTALL_SNAPSHOT, INSTALL_SNAPSHOT + EXTENDED -> new Message.InstallSnapshot(from, fromUrl, to, clusterId,
					epoch, in.readLong(), in.readLong(), in.readLong(), tag == INSTALL_SNAPSHOT ? null : config(in));
			case VOTE_REQUEST, VOTE_REQUEST + EXTENDED -> new Message.VoteRequest(from, fromUrl, to, clusterId, epoch,
					in.readLong(), in.readLong(), in.readBoolean(), tag != VOTE_REQUEST && in.readBoolean());
			case VOTE_RESULT, VOTE_RESULT + EXTENDED -> new Message.VoteResult(from, fromUrl, to, clusterId, epoch,
					in.readBoolean(), in.readBoolean(), tag == VOTE_RESULT ? null : config(in));
			case PROBE -> new Message.Probe(from, fromUrl, to, clusterId, epoch);
			case PROBE_RESULT ->
				new Message.ProbeResult(from, fromUrl, to, clusterId, epoch, in.readBoolean(), in.readString());
			case TIMEOUT_NOW -> new Message.TimeoutNow(from, fromUrl, to, clusterId, epoch, in.readLong(), in.readLong());
			default -> throw new MalformedMessageException("unknown message tag " + tag);
		};
	}

	private static void writeConfig(WireWriter out, InSyncConfig config) {
		out.writeLong(config.epoch()).writeLong(config.version()).writeInt(config.members().size());
		config.members().stream().sorted().forEach(out::writeString);
		out.writeInt(config.voters().size());
		config.voters().stream().sorted().forEach(out::writeString);
		out.writeInt(config.incarnations().size());
		new TreeMap<>(config.incarnations()).forEach((voter, incarnation) -> out.writeString(voter).writeString(incarnation));
	}

	private static InSyncConfig config(WireReader in) throws MalformedMessageException {
		long epoch = in.readLong();
		long version = in.readLong();
		Set<String> members = sortedStrings(in, "member");
		Set<String> voters = sortedStrings(in, "voter");
		int bound = in.readCount(8, 10_000, "incarnation");
		Map<String, String> incarnations = new TreeMap<>();
		String previous = "";
		for (int i = 0; i < bound; i++) {
			String voter = in.readString();
			String incarnation = in.readString();
			if (voter == null || incarnation == null || voter.compareTo(previous) <= 0) {
				throw new MalformedMessageException("configuration incarnation " + i + " is empty or out of order");
			}
			incarnations.put(voter, incarnation);
			previous = voter;
		}
		if (epoch < 0 || version < 0) {
			throw new MalformedMessageException("negative configuration version " + epoch + "." + version);
		}
		return new InSyncConfig(epoch, version, members, voters, incarnations);
	}

	/** A list of non-empty strings in ascending order, without repeats: one set has one encoding. */
	private static Set<String> sortedStrings(WireReader in, String what) throws MalformedMessageException {
		int count = in.readCount(4, 10_000, what);
		Set<String> items = new HashSet<>();
		String previous = "";
		for (int i = 0; i < count; i++) {
			String item = in.readString();
			if (item == null || item.isEmpty()) {
				throw new MalformedMessageException("configuration " + what + " " + i + " is empty");
			}
			if (item.compareTo(previous) <= 0) {
				throw new MalformedMessageException("configuration " + what + "s out of order at " + i);
			}
			items.add(item);
			previous = item;
		}
		return items;
	}

	private static List<LogEntry> entries(WireReader in) throws MalformedMessageException {
		int count = in.readCount(4, Integer.MAX_VALUE, "entry");
		List<LogEntry> entries = new ArrayList<>(Math.min(count, 1024));
		for (int i = 0; i < count; i++) {
			ByteBuffer payload = in.readBlock("entry");
			LogEntry entry;
			try {
				entry = LogRecordCodec.decodeEntryPayload(payload.duplicate());
			}
			catch (RuntimeException ex) {
				throw new MalformedMessageException("entry " + i + " does not parse: " + ex.getClass().getSimpleName());
			}
			// The log codec repairs invalid UTF-8; only a byte-exact re-encoding proves the entry is what was sent.
			if (!payload.equals(ByteBuffer.wrap(LogRecordCodec.encodeEntryPayload(entry)))) {
				throw new MalformedMessageException("entry " + i + " is not canonical (invalid UTF-8?)");
			}
			entries.add(entry);
		}
		return entries;
	}

}
