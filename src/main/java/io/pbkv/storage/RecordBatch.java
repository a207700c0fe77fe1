package io.pbkv.storage;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Framed log records waiting to be written with one call. A frame is {@code [int length][int crc32c][payload]}
 * where the checksum covers the payload.
 */
final class RecordBatch {

	static final int HEADER_BYTES = 8;

	/**
	 * Upper bound of a payload; anything larger in a file is damage, not data. Fixed by the ceilings of the
	 * {@code kv.limits} settings, not by their values: lowering a limit must not make records already written
	 * look damaged.
	 */
	static final int MAX_PAYLOAD_BYTES = LogRecordCodec.MAX_ENTRY_PAYLOAD_BYTES;

	private final CRC32C crc = new CRC32C();

	private ByteBuffer buffer = ByteBuffer.allocate(64 << 10);

	private int recordStart = -1;

	/** Starts a record of exactly {@code payloadBytes}; the caller puts the payload and then calls {@link #seal}. */
	ByteBuffer begin(int payloadBytes) {
		if (payloadBytes <= 0 || payloadBytes > MAX_PAYLOAD_BYTES) {
			throw new IllegalArgumentException(
					"log record of " + payloadBytes + " bytes exceeds the limit of " + MAX_PAYLOAD_BYTES);
		}
		int needed = HEADER_BYTES + payloadBytes;
		if (buffer.remaining() < needed) {
			int capacity = Math.max(buffer.capacity() * 2, buffer.position() + needed);
			buffer = ByteBuffer.allocate(capacity).put(buffer.flip());
		}
		recordStart = buffer.position();
		buffer.position(recordStart + HEADER_BYTES);
		return buffer;
	}

	void seal() {
		int payloadStart = recordStart + HEADER_BYTES;
		int length = buffer.position() - payloadStart;
		crc.reset();
		crc.update(buffer.slice(payloadStart, length));
		buffer.putInt(recordStart, length);
		buffer.putInt(recordStart + 4, (int) crc.getValue());
		recordStart = -1;
	}

	int bytes() {
		return buffer.position();
	}

	boolean isEmpty() {
		return buffer.position() == 0;
	}

	/** The framed records, ready to write; call {@link #clear} once written. */
	ByteBuffer contents() {
		return buffer.slice(0, buffer.position());
	}

	void clear() {
		buffer.clear();
		recordStart = -1;
	}

	static int checksum(ByteBuffer payload) {
		CRC32C crc = new CRC32C();
		crc.update(payload);
		return (int) crc.getValue();
	}

}
