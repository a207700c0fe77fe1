package io.pbkv.storage;

import io.pbkv.core.LogEntry;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One append-only file of log records, named by the index of its first entry; its entries are exactly
 * {@code baseIndex .. baseIndex + entryCount() - 1}. Remembers where each entry starts so that the log can be cut
 * there.
 * <p>
 * With preallocation on, the file is kept longer than its records by zeros written ahead of them: records then go
 * into blocks the file already has, so the fsync after them writes data only, not the file's new size as well
 * (150 us against 180-200 us per fsync on the test machine's ext4). Recovery reads an all-zero tail as this space, not
 * as damage. A full segment, and the last one on a clean close, give the space back.
 */
final class SegmentFile {

	private static final Pattern NAME = Pattern.compile("(\\d{20})\\.seg");

	private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(64 << 10).asReadOnlyBuffer();

	/**
	 * Zeros written ahead of the records when fsync is on: a write of this much more costs about a millisecond
	 * once, against some 30 us saved on each of the thousand or more fsyncs that follow.
	 */
	private static final long PREALLOCATE_BYTES = 256 << 10;

	/** How much is written ahead of the records of a log that is, or is not, forced to disk. */
	static long preallocation(boolean fsync) {
		return fsync ? PREALLOCATE_BYTES : 0;
	}

	private final Path path;

	private final long baseIndex;

	private FileChannel channel;

	private long size;

	/** The file's length: {@link #size} plus the zeros written ahead of the records. */
	private long allocated;

	/** Zeros written ahead whenever the records reach the end of those written before; 0 for none. */
	private long preallocateBytes;

	private long[] positions = new long[256];

	private int entryCount;

	private SegmentFile(Path path, long baseIndex, long size) {
		this.path = path;
		this.baseIndex = baseIndex;
		this.size = size;
	}

	/**
	 * Creates a new, empty segment whose first entry will be {@code baseIndex}, writing {@code preallocateBytes}
	 * of zeros ahead of its records (0 for none).
	 */
	static SegmentFile create(Path dir, long baseIndex, long preallocateBytes) throws IOException {
		SegmentFile segment = new SegmentFile(dir.resolve("%020d.seg".formatted(baseIndex)), baseIndex, 0);
		segment.channel = FileChannel.open(segment.path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
				StandardOpenOption.READ);
		segment.preallocateBytes = preallocateBytes;
		return segment;
	}

	/** An existing segment, before its records are read; {@code null} if the name is not a segment's. */
	static SegmentFile existing(Path file) {
		Matcher matcher = NAME.matcher(file.getFileName().toString());
		return matcher.matches() ? new SegmentFile(file, Long.parseLong(matcher.group(1)), 0) : null;
	}

	Path path() {
		return path;
	}

	long baseIndex() {
		return baseIndex;
	}

	/** Bytes of records. */
	long size() {
		return size;
	}

	/** Bytes the file takes: its records and the zeros written ahead of them. */
	long length() {
		return allocated;
	}

	int entryCount() {
		return entryCount;
	}

	/** Index of the last entry, or {@code baseIndex - 1} when there is none. */
	long lastIndex() {
		return baseIndex + entryCount - 1;
	}

	boolean contains(long index) {
		return index >= baseIndex && index <= lastIndex();
	}

	/** Notes that the next entry starts at {@code position}. */
	void addEntry(long position) {
		if (entryCount == positions.length) {
			positions = Arrays.copyOf(positions, entryCount * 2);
		}
		positions[entryCount++] = position;
	}

	/**
	 * Sets what recovery found: records up to {@code validSize}, then zeros up to {@code fileBytes}; appends
	 * continue at {@code validSize}, writing {@code preallocateBytes} of zeros ahead when they reach the file's end.
	 */
	void recovered(long validSize, long fileBytes, long preallocateBytes) {
		size = validSize;
		allocated = fileBytes;
		this.preallocateBytes = preallocateBytes;
	}

	/** Writes the records after the last ones; returns the bytes written, zeros written ahead included. */
	long write(ByteBuffer records) throws IOException {
		FileChannel out = channel();
		long written = records.remaining();
		while (records.hasRemaining()) {
			size += out.write(records, size);
		}
		if (size > allocated) {
			// The records grew the file: the next ones go into zeros, and this write's fsync makes them durable too.
			allocated = size + preallocateBytes;
			written += preallocateBytes;
			for (long at = size; at < allocated;) {
				at += out.write(ZEROS.duplicate().limit((int) Math.min(ZEROS.capacity(), allocated - at)), at);
			}
		}
		return written;
	}

	/**
	 * Gives back the zeros written ahead: a full segment's, or the last one's on a clean close. Durable at the next
	 * force.
	 */
	void trim() throws IOException {
		if (allocated > size) {
			channel().truncate(size);
			allocated = size;
		}
	}

	void force() throws IOException {
		if (channel != null) {
			channel.force(false);
		}
	}

	/** Physically removes the entry {@code index} and everything after it. */
	void truncateFrom(long index) throws IOException {
		int keep = Math.toIntExact(index - baseIndex);
		long cut = positions[keep];
		channel().truncate(cut);
		size = cut;
		allocated = cut;
		entryCount = keep;
	}

	/** Reads back the entry {@code index}, which must have been written to the file. */
	LogEntry read(long index) throws IOException {
		long position = positions[Math.toIntExact(index - baseIndex)];
		FileChannel in = channel();
		ByteBuffer header = ByteBuffer.allocate(RecordBatch.HEADER_BYTES);
		readFully(in, header, position);
		int length = header.getInt(0);
		if (length <= 0 || length > RecordBatch.MAX_PAYLOAD_BYTES) {
			throw new LogCorruptedException(path, position, "bad record length " + length);
		}
		ByteBuffer payload = ByteBuffer.allocate(length);
		readFully(in, payload, position + RecordBatch.HEADER_BYTES);
		if (RecordBatch.checksum(payload.flip()) != header.getInt(4)) {
			throw new LogCorruptedException(path, position, "checksum mismatch");
		}
		if (LogRecordCodec.decode(payload.rewind()) instanceof LogRecordCodec.EntryRecord(LogEntry entry)
				&& entry.index() == index) {
			return entry;
		}
		throw new LogCorruptedException(path, position, "entry " + index + " expected");
	}

	void close() throws IOException {
		if (channel != null) {
			channel.close();
			channel = null;
		}
	}

	void delete() throws IOException {
		close();
		Files.deleteIfExists(path);
	}

	private FileChannel channel() throws IOException {
		if (channel == null) {
			channel = FileChannel.open(path, StandardOpenOption.WRITE, StandardOpenOption.READ);
		}
		return channel;
	}

	private void readFully(FileChannel in, ByteBuffer into, long position) throws IOException {
		while (into.hasRemaining()) {
			if (in.read(into, position + into.position()) < 0) {
				throw new LogCorruptedException(path, position, "unexpected end of file");
			}
		}
	}

	@Override
	public String toString() {
		return path.getFileName().toString();
	}

}
