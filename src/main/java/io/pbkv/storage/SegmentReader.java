package io.pbkv.storage;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Reads the records of a segment file in order, stopping at the first one that is not intact. */
final class SegmentReader {

	interface Visitor {
		void record(long position, LogRecordCodec.Record record) throws IOException;
	}

	/**
	 * How far the file is made of intact records. When {@code problem} is not null, the record at
	 * {@code validBytes} is damaged or incomplete and {@code fileBytes - validBytes} bytes follow from there; when it
	 * is null, what follows {@code validBytes} (if anything) is zeros written ahead of the records.
	 */
	record Result(long validBytes, long fileBytes, String problem) {
		boolean intact() {
			return problem == null;
		}
	}

	private SegmentReader() {
	}

	static Result read(Path file, Visitor visitor) throws IOException {
		try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
			long size = channel.size();
			DataInputStream in = new DataInputStream(new BufferedInputStream(Channels.newInputStream(channel), 1 << 20));
			long position = 0;
			while (position < size) {
				long remaining = size - position;
				if (remaining < RecordBatch.HEADER_BYTES) {
					return new Result(position, size, "partial record header");
				}
				int length = in.readInt();
				int checksum = in.readInt();
				if (length == 0 && checksum == 0 && onlyZeros(in, remaining - RecordBatch.HEADER_BYTES)) {
					return new Result(position, size, null); // the space written ahead of the records
				}
				if (length <= 0 || length > RecordBatch.MAX_PAYLOAD_BYTES) {
					return new Result(position, size, "impossible record length " + length);
				}
				if (length > remaining - RecordBatch.HEADER_BYTES) {
					return new Result(position, size, "record of " + length + " bytes runs past the end of the file");
				}
				byte[] payload = new byte[length];
				in.readFully(payload);
				if (RecordBatch.checksum(ByteBuffer.wrap(payload)) != checksum) {
					return new Result(position, size, "checksum mismatch");
				}
				LogRecordCodec.Record record;
				try {
					record = LogRecordCodec.decode(ByteBuffer.wrap(payload));
				}
				catch (RuntimeException ex) {
					throw new LogCorruptedException(file, position, "undecodable record: " + ex.getMessage(), ex);
				}
				visitor.record(position, record);
				position += RecordBatch.HEADER_BYTES + length;
			}
			return new Result(position, size, null);
		}
	}

	private static boolean onlyZeros(DataInputStream in, long bytes) throws IOException {
		byte[] chunk = new byte[64 << 10];
		for (long left = bytes; left > 0;) {
			int read = in.read(chunk, 0, (int) Math.min(chunk.length, left));
			if (read < 0) {
				return true;
			}
			for (int i = 0; i < read; i++) {
				if (chunk[i] != 0) {
					return false;
				}
			}
			left -= read;
		}
		return true;
	}

	/**
	 * Whether an intact record starts anywhere after {@code offset}. If none does, a damaged record at
	 * {@code offset} is the torn end of an interrupted write; if one does, data after the damage would be lost.
	 */
	static boolean intactRecordAfter(Path file, long offset) throws IOException {
		ByteBuffer rest;
		try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
			long bytes = channel.size() - offset - 1;
			if (bytes < RecordBatch.HEADER_BYTES + 1) {
				return false;
			}
			rest = ByteBuffer.allocate(Math.toIntExact(bytes));
			while (rest.hasRemaining() && channel.read(rest, offset + 1 + rest.position()) >= 0) {
				// keep reading
			}
			rest.flip();
		}
		for (int start = 0; start + RecordBatch.HEADER_BYTES < rest.limit(); start++) {
			int length = rest.getInt(start);
			int payloadStart = start + RecordBatch.HEADER_BYTES;
			if (length > 0 && length <= rest.limit() - payloadStart
					&& LogRecordCodec.plausible(rest, payloadStart, length)
					&& RecordBatch.checksum(rest.slice(payloadStart, length)) == rest.getInt(start + 4)) {
				return true;
			}
		}
		return false;
	}

}
