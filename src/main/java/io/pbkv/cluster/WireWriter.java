package io.pbkv.cluster;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Writes the primitives of the peer wire format, big-endian, into a buffer that grows as needed. */
final class WireWriter {

	private ByteBuffer out;

	WireWriter(int initialCapacity) {
		this.out = ByteBuffer.allocate(initialCapacity);
	}

	WireWriter writeByte(int value) {
		ensure(1).put((byte) value);
		return this;
	}

	WireWriter writeBoolean(boolean value) {
		return writeByte(value ? 1 : 0);
	}

	WireWriter writeInt(int value) {
		ensure(4).putInt(value);
		return this;
	}

	WireWriter writeLong(long value) {
		ensure(8).putLong(value);
		return this;
	}

	/** {@code int length}, then the bytes. */
	WireWriter writeBytes(byte[] bytes) {
		writeInt(bytes.length);
		return writeRaw(bytes);
	}

	/** {@code int length}, then UTF-8; length -1 for null. */
	WireWriter writeString(String text) {
		return text == null ? writeInt(-1) : writeBytes(text.getBytes(StandardCharsets.UTF_8));
	}

	WireWriter writeRaw(byte[] bytes) {
		ensure(bytes.length).put(bytes);
		return this;
	}

	int size() {
		return out.position();
	}

	byte[] toByteArray() {
		return Arrays.copyOf(out.array(), out.position());
	}

	private ByteBuffer ensure(int bytes) {
		if (out.remaining() < bytes) {
			int needed = Math.addExact(out.position(), bytes);
			int capacity = (int) Math.min(Integer.MAX_VALUE - 8, Math.max(needed, 2L * out.capacity()));
			out = ByteBuffer.allocate(Math.max(capacity, needed)).put(out.flip());
		}
		return out;
	}

}
