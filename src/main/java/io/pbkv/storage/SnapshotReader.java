package io.pbkv.storage;

import io.pbkv.core.VersionedValue;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.zip.CRC32C;

import org.pcollections.TreePMap;

/**
 * Reads a snapshot file through one large buffer, checksumming each block as it is loaded (rather than every
 * field through a checked stream), and builds the persistent map in one linear pass from the keys as the file
 * orders them, rather than by a million sorted inserts. At 1 M keys this is what a node's start-up waits for.
 */
final class SnapshotReader implements AutoCloseable {

	private static final int BUFFER_BYTES = 1 << 20;

	private final Path file;

	private final FileChannel channel;

	/** Bytes the checksum covers: all but the trailing CRC. */
	private final long checkedBytes;

	private final CRC32C crc = new CRC32C();

	private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER_BYTES).flip();

	/** File position of the byte after the buffer's last loaded byte. */
	private long loadedTo;

	SnapshotReader(Path file, FileChannel channel) throws IOException {
		this.file = file;
		this.channel = channel;
		this.checkedBytes = channel.size() - Integer.BYTES;
	}

	int readInt() throws IOException {
		need(Integer.BYTES);
		return buffer.getInt();
	}

	long readLong() throws IOException {
		need(Long.BYTES);
		return buffer.getLong();
	}

	/** A byte string: {@code int length} then the bytes. */
	byte[] readBytes() throws IOException {
		int length = readInt();
		if (length < 0 || length > RecordBatch.MAX_PAYLOAD_BYTES) {
			throw new LogCorruptedException(file, -1, "impossible length " + length);
		}
		byte[] bytes = new byte[length];
		int copied = 0;
		while (copied < length) {
			if (!buffer.hasRemaining()) {
				need(1);
			}
			int n = Math.min(buffer.remaining(), length - copied);
			buffer.get(bytes, copied, n);
			copied += n;
		}
		return bytes;
	}

	/** The checksum of everything read so far, which must be everything before the trailing CRC. */
	int checksum() {
		return (int) crc.getValue();
	}

	/** Whether the file ends right here. */
	boolean atEnd() throws IOException {
		return !buffer.hasRemaining() && loadedTo >= channel.size();
	}

	/** Makes at least {@code bytes} bytes available in the buffer (at most a few). */
	private void need(int bytes) throws IOException {
		if (buffer.remaining() >= bytes) {
			return;
		}
		buffer.compact();
		while (buffer.position() < bytes) {
			int start = buffer.position();
			int read = channel.read(buffer, loadedTo);
			if (read < 0) {
				throw new EOFException();
			}
			checksum(start, read);
			loadedTo += read;
		}
		buffer.flip();
	}

	/** Adds the {@code length} bytes just loaded at buffer offset {@code start} to the checksum, CRC excluded. */
	private void checksum(int start, int length) {
		long covered = Math.min(length, Math.max(0, checkedBytes - loadedTo));
		if (covered > 0) {
			crc.update(buffer.array(), start, (int) covered);
		}
	}

	@Override
	public void close() throws IOException {
		channel.close();
	}

	/**
	 * The persistent map of keys read in strictly ascending order, built in one linear pass; null when they were
	 * not (an older file written by a map with another order): the caller then inserts them one by one.
	 */
	static TreePMap<String, VersionedValue> fromAscending(List<Map.Entry<String, VersionedValue>> entries) {
		for (int i = 1; i < entries.size(); i++) {
			if (entries.get(i - 1).getKey().compareTo(entries.get(i).getKey()) >= 0) {
				return null;
			}
		}
		return TreePMap.fromSortedMap(new AscendingEntries(entries));
	}

	/**
	 * A sorted map over entries already in ascending order, as far as {@code TreePMap.fromSortedMap} uses one:
	 * its entries in order and its comparator. Nothing else reaches it.
	 */
	private static final class AscendingEntries extends AbstractMap<String, VersionedValue>
			implements SortedMap<String, VersionedValue> {

		private final List<Map.Entry<String, VersionedValue>> entries;

		AscendingEntries(List<Map.Entry<String, VersionedValue>> entries) {
			this.entries = entries;
		}

		@Override
		public Set<Map.Entry<String, VersionedValue>> entrySet() {
			return new AbstractSet<>() {
				@Override
				public Iterator<Map.Entry<String, VersionedValue>> iterator() {
					return entries.iterator();
				}

				@Override
				public int size() {
					return entries.size();
				}
			};
		}

		@Override
		public Comparator<? super String> comparator() {
			return null;
		}

		@Override
		public SortedMap<String, VersionedValue> subMap(String fromKey, String toKey) {
			throw new UnsupportedOperationException();
		}

		@Override
		public SortedMap<String, VersionedValue> headMap(String toKey) {
			throw new UnsupportedOperationException();
		}

		@Override
		public SortedMap<String, VersionedValue> tailMap(String fromKey) {
			throw new UnsupportedOperationException();
		}

		@Override
		public String firstKey() {
			return entries.getFirst().getKey();
		}

		@Override
		public String lastKey() {
			return entries.getLast().getKey();
		}

	}

	static List<Map.Entry<String, VersionedValue>> newEntries(long count) {
		return new ArrayList<>((int) Math.min(count, 1 << 20));
	}

}
