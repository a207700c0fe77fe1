package io.pbkv.cluster;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Reads the primitives of the peer wire format from untrusted bytes. Every read checks what is left first, so a
 * length can never make it allocate more than the input holds; every failure is a {@link MalformedMessageException}.
 */
final class WireReader {

	private final ByteBuffer in;

	WireReader(byte[] bytes) {
		this.in = ByteBuffer.wrap(bytes);
	}

	int remaining() {
		return in.remaining();
	}

	byte readByte() throws MalformedMessageException {
		need(1, "byte");
		return in.get();
	}

	boolean readBoolean() throws MalformedMessageException {
		byte b = readByte();
		if (b != 0 && b != 1) {
			throw new MalformedMessageException("boolean byte is " + b);
		}
		return b == 1;
	}

	int readInt() throws MalformedMessageException {
		need(4, "int");
		return in.getInt();
	}

	long readLong() throws MalformedMessageException {
		need(8, "long");
		return in.getLong();
	}

	/** A count of items that take at least {@code minItemBytes} each, so it must fit in what is left. */
	int readCount(int minItemBytes, int max, String what) throws MalformedMessageException {
		int count = readInt();
		if (count < 0 || count > max || (long) count * minItemBytes > in.remaining()) {
			throw new MalformedMessageException(what + " count " + count + " out of range");
		}
		return count;
	}

	byte[] readBytes() throws MalformedMessageException {
		byte[] bytes = new byte[readLength("byte array")];
		in.get(bytes);
		return bytes;
	}

	/** A view of the next length-prefixed block, which the reader skips. */
	ByteBuffer readBlock(String what) throws MalformedMessageException {
		int length = readLength(what);
		ByteBuffer block = in.slice(in.position(), length);
		in.position(in.position() + length);
		return block;
	}

	/** A length-prefixed UTF-8 string; length -1 is null. Refuses invalid UTF-8 rather than repairing it. */
	String readString() throws MalformedMessageException {
		int length = readInt();
		if (length == -1) {
			return null;
		}
		checkLength(length, "string");
		ByteBuffer utf8 = in.slice(in.position(), length);
		in.position(in.position() + length);
		try {
			return StandardCharsets.UTF_8.newDecoder()
				.onMalformedInput(CodingErrorAction.REPORT)
				.onUnmappableCharacter(CodingErrorAction.REPORT)
				.decode(utf8)
				.toString();
		}
		catch (CharacterCodingException ex) {
			throw new MalformedMessageException("string is not valid UTF-8");
		}
	}

	private int readLength(String what) throws MalformedMessageException {
		int length = readInt();
		checkLength(length, what);
		return length;
	}

	private void checkLength(int length, String what) throws MalformedMessageException {
		if (length < 0 || length > in.remaining()) {
			throw new MalformedMessageException(what + " length " + length + " exceeds the " + in.remaining()
					+ " bytes left");
		}
	}

	private void need(int bytes, String what) throws MalformedMessageException {
		if (in.remaining() < bytes) {
			throw new MalformedMessageException("truncated: " + what + " needs " + bytes + " bytes, "
					+ in.remaining() + " left");
		}
	}

}
