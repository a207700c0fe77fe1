package io.pbkv.storage;

import io.pbkv.core.Command;
import io.pbkv.core.LogEntry;
import io.pbkv.core.Precondition;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The payload of log records. ENTRY: {@code type, long index, long epoch, command}; COMMIT:
 * {@code type, long commitIndex}. Strings and byte arrays are {@code int length} then bytes (UTF-8 for strings).
 */
public final class LogRecordCodec {

	static final byte ENTRY = 1;

	static final byte COMMIT = 2;

	private static final byte PUT = 1;

	private static final byte DELETE = 2;

	private static final byte EPOCH_START = 3;

	private static final byte NONE = 0;

	private static final byte IF_ABSENT = 1;

	private static final byte IF_PRESENT = 2;

	private static final byte IF_VERSION = 3;

	private static final int COMMIT_PAYLOAD_BYTES = 1 + 8;

	private static final int ENTRY_HEADER_BYTES = 1 + 8 + 8 + 1;

	/** The largest ENTRY payload: a PUT of the largest key and value a client may send, with the longest If-Match. */
	public static final int MAX_ENTRY_PAYLOAD_BYTES = ENTRY_HEADER_BYTES + 4 + Command.MAX_KEY_BYTES + 4
			+ Command.MAX_VALUE_BYTES + 1 + 4 + 8 * Precondition.IfVersion.MAX_VERSIONS;

	/** A decoded log record. */
	sealed interface Record {
	}

	record EntryRecord(LogEntry entry) implements Record {
	}

	record CommitRecord(long commitIndex) implements Record {
	}

	private LogRecordCodec() {
	}

	static void writeEntry(RecordBatch batch, LogEntry entry) {
		putEntry(batch.begin(entryBytes(entry)), entry);
		batch.seal();
	}

	/** The payload of an ENTRY record, for other formats to embed: the peer wire format carries entries so. */
	public static byte[] encodeEntryPayload(LogEntry entry) {
		ByteBuffer out = ByteBuffer.allocate(entryBytes(entry));
		putEntry(out, entry);
		return out.array();
	}

	/**
	 * Decodes what {@link #encodeEntryPayload} made, the whole of {@code payload}. Throws {@link RuntimeException}
	 * ({@link IllegalArgumentException}, {@link java.nio.BufferUnderflowException}) when it does not parse; strings
	 * are decoded leniently (invalid UTF-8 becomes U+FFFD), so a caller that must refuse it re-encodes and compares.
	 */
	public static LogEntry decodeEntryPayload(ByteBuffer payload) {
		if (decode(payload) instanceof EntryRecord(LogEntry entry)) {
			return entry;
		}
		throw new IllegalArgumentException("not an entry record");
	}

	private static int entryBytes(LogEntry entry) {
		return ENTRY_HEADER_BYTES + switch (entry.command()) {
			case Command.Put put -> 4 + utf8(put.key()).length + 4 + put.value().length
					+ preconditionBytes(put.precondition());
			case Command.Delete delete -> 4 + utf8(delete.key()).length + preconditionBytes(delete.precondition());
			case Command.EpochStart start -> 4 + utf8(start.primaryId()).length;
		};
	}

	private static void putEntry(ByteBuffer out, LogEntry entry) {
		switch (entry.command()) {
			case Command.Put put -> {
				putEntryHeader(out, entry, PUT);
				putBytes(out, utf8(put.key()));
				putBytes(out, put.value());
				putPrecondition(out, put.precondition());
			}
			case Command.Delete delete -> {
				putEntryHeader(out, entry, DELETE);
				putBytes(out, utf8(delete.key()));
				putPrecondition(out, delete.precondition());
			}
			case Command.EpochStart start -> {
				putEntryHeader(out, entry, EPOCH_START);
				putBytes(out, utf8(start.primaryId()));
			}
		}
	}

	static void writeCommit(RecordBatch batch, long commitIndex) {
		batch.begin(COMMIT_PAYLOAD_BYTES).put(COMMIT).putLong(commitIndex);
		batch.seal();
	}

	/** Decodes a payload whose checksum matched; throws {@link RuntimeException} if it does not parse. */
	static Record decode(ByteBuffer payload) {
		byte type = payload.get();
		Record record = switch (type) {
			case ENTRY -> new EntryRecord(decodeEntry(payload));
			case COMMIT -> new CommitRecord(payload.getLong());
			default -> throw new IllegalArgumentException("unknown record type " + type);
		};
		if (payload.hasRemaining()) {
			throw new IllegalArgumentException(payload.remaining() + " unexpected bytes after the record");
		}
		return record;
	}

	/**
	 * Whether the {@code length} bytes at {@code payloadStart} could be a payload this codec wrote: a cheap
	 * filter before the checksum when searching damaged data for intact records.
	 */
	static boolean plausible(ByteBuffer buffer, int payloadStart, int length) {
		byte type = buffer.get(payloadStart);
		if (type == COMMIT) {
			return length == COMMIT_PAYLOAD_BYTES && plausibleIndex(buffer.getLong(payloadStart + 1));
		}
		return type == ENTRY && length >= ENTRY_HEADER_BYTES + 4
				&& plausibleIndex(buffer.getLong(payloadStart + 1))
				&& plausibleIndex(buffer.getLong(payloadStart + 9));
	}

	private static boolean plausibleIndex(long value) {
		return value >= 0 && value < 1L << 48;
	}

	private static LogEntry decodeEntry(ByteBuffer in) {
		long index = in.getLong();
		long epoch = in.getLong();
		byte kind = in.get();
		Command command = switch (kind) {
			case PUT -> new Command.Put(string(in), bytes(in), precondition(in));
			case DELETE -> new Command.Delete(string(in), precondition(in));
			case EPOCH_START -> new Command.EpochStart(string(in));
			default -> throw new IllegalArgumentException("unknown command type " + kind);
		};
		return new LogEntry(index, epoch, command);
	}

	private static void putEntryHeader(ByteBuffer out, LogEntry entry, byte kind) {
		out.put(ENTRY).putLong(entry.index()).putLong(entry.epoch()).put(kind);
	}

	private static int preconditionBytes(Precondition precondition) {
		return precondition instanceof Precondition.IfVersion v ? 1 + 4 + 8 * v.versions().size() : 1;
	}

	private static void putPrecondition(ByteBuffer out, Precondition precondition) {
		switch (precondition) {
			case Precondition.None none -> out.put(NONE);
			case Precondition.IfAbsent absent -> out.put(IF_ABSENT);
			case Precondition.IfPresent present -> out.put(IF_PRESENT);
			case Precondition.IfVersion ifVersion -> {
				out.put(IF_VERSION).putInt(ifVersion.versions().size());
				for (long version : ifVersion.versions()) {
					out.putLong(version);
				}
			}
		}
	}

	private static Precondition precondition(ByteBuffer in) {
		byte kind = in.get();
		return switch (kind) {
			case NONE -> Precondition.NONE;
			case IF_ABSENT -> Precondition.IF_ABSENT;
			case IF_PRESENT -> Precondition.IF_PRESENT;
			case IF_VERSION -> {
				int count = length(in, 8);
				List<Long> versions = new ArrayList<>(count);
				for (int i = 0; i < count; i++) {
					versions.add(in.getLong());
				}
				yield new Precondition.IfVersion(versions);
			}
			default -> throw new IllegalArgumentException("unknown precondition type " + kind);
		};
	}

	private static byte[] utf8(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	private static void putBytes(ByteBuffer out, byte[] bytes) {
		out.putInt(bytes.length).put(bytes);
	}

	private static String string(ByteBuffer in) {
		return new String(bytes(in), StandardCharsets.UTF_8);
	}

	private static byte[] bytes(ByteBuffer in) {
		byte[] bytes = new byte[length(in, 1)];
		in.get(bytes);
		return bytes;
	}

	/** Reads a count of items of {@code itemBytes} each, refusing one that cannot fit in what is left. */
	private static int length(ByteBuffer in, int itemBytes) {
		int count = in.getInt();
		if (count < 0 || (long) count * itemBytes > in.remaining()) {
			throw new IllegalArgumentException("length " + count + " does not fit in the record");
		}
		return count;
	}

}
