package io.pbkv.bench.compare;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The Redis protocol (RESP2), by hand: a command as an array of bulk strings, and the replies Redis sends. */
final class Resp {

	private Resp() {
	}

	/** A reply: simple string, error, integer, bulk string (null: nil) or array (null: nil). */
	sealed interface Reply {

		record Simple(String text) implements Reply {
		}

		record Error(String message) implements Reply {
		}

		record Integer(long value) implements Reply {
		}

		record Bulk(byte[] bytes) implements Reply {
		}

		record Array(List<Reply> items) implements Reply {
		}

	}

	/** {@code *<n>\r\n} then {@code $<len>\r\n<bytes>\r\n} per argument. */
	static byte[] command(byte[]... args) {
		ByteArrayOutputStream out = new ByteArrayOutputStream(64);
		out.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
		for (byte[] arg : args) {
			out.writeBytes(("$" + arg.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
			out.writeBytes(arg);
			out.writeBytes(new byte[] { '\r', '\n' });
		}
		return out.toByteArray();
	}

	static byte[] command(String... args) {
		byte[][] bytes = new byte[args.length][];
		for (int i = 0; i < args.length; i++) {
			bytes[i] = args[i].getBytes(StandardCharsets.UTF_8);
		}
		return command(bytes);
	}

	/** Reads one reply from {@code in} (which should be buffered). */
	static Reply read(InputStream in) throws IOException {
		int type = in.read();
		if (type < 0) {
			throw new EOFException("connection closed before a reply");
		}
		String line = line(in);
		switch (type) {
			case '+':
				return new Reply.Simple(line);
			case '-':
				return new Reply.Error(line);
			case ':':
				return new Reply.Integer(number(line));
			case '$': {
				long length = number(line);
				if (length < 0) {
					return new Reply.Bulk(null);
				}
				byte[] bytes = in.readNBytes((int) length);
				if (bytes.length < length) {
					throw new EOFException("connection closed within a bulk string");
				}
				if (in.read() != '\r' || in.read() != '\n') {
					throw new IOException("bulk string not followed by CRLF");
				}
				return new Reply.Bulk(bytes);
			}
			case '*': {
				long count = number(line);
				if (count < 0) {
					return new Reply.Array(null);
				}
				List<Reply> items = new ArrayList<>((int) Math.min(count, 1024));
				for (long i = 0; i < count; i++) {
					items.add(read(in));
				}
				return new Reply.Array(items);
			}
			default:
				throw new IOException("not a RESP reply type: '" + (char) type + "' " + line);
		}
	}

	/** The number a WAIT reply carries (replicas that acknowledged), or -1 for any other reply. */
	static long integer(Reply reply) {
		return (reply instanceof Reply.Integer i) ? i.value() : -1;
	}

	private static long number(String text) throws IOException {
		try {
			return Long.parseLong(text);
		}
		catch (NumberFormatException ex) {
			throw new IOException("not a RESP number: " + text);
		}
	}

	private static String line(InputStream in) throws IOException {
		StringBuilder line = new StringBuilder();
		while (true) {
			int b = in.read();
			if (b < 0) {
				throw new EOFException("connection closed within a reply line");
			}
			if (b == '\r') {
				if (in.read() != '\n') {
					throw new IOException("CR not followed by LF in a reply line");
				}
				return line.toString();
			}
			line.append((char) b);
		}
	}

}
