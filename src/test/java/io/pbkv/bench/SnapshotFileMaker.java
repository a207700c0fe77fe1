package io.pbkv.bench;

import io.pbkv.core.Snapshot;
import io.pbkv.core.VersionedValue;
import io.pbkv.storage.FileLogStore;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.TreeMap;

import org.pcollections.TreePMap;

/**
 * Writes a snapshot file holding N keys as the scale load names them ({@code scale/<n>}), each with a value of the
 * given size, as {@code GET /admin/snapshot} would give it: {@code pbkv restore} turns it into a data dir. Measuring
 * what a node needs to start on, and hold, 10 M keys this way takes minutes instead of the hour loading them over
 * HTTP would.
 *
 * <p>{@code java -cp target/test-classes:target/classes:<pcollections.jar> io.pbkv.bench.SnapshotFileMaker <dir> <keys>
 * <value-bytes>} prints the file's path.
 */
public final class SnapshotFileMaker {

	private SnapshotFileMaker() {
	}

	public static void main(String[] args) throws Exception {
		if (args.length != 3) {
			System.err.println("usage: SnapshotFileMaker <dir> <keys> <value-bytes>");
			System.exit(2);
		}
		Path dir = Path.of(args[0]);
		long keys = Long.parseLong(args[1]);
		byte[] value = new byte[Integer.parseInt(args[2])];
		Arrays.fill(value, (byte) 'v');
		TreeMap<String, VersionedValue> data = new TreeMap<>();
		for (long n = 0; n < keys; n++) {
			// One shared value array: the file holds each copy; the node that loads it holds its own.
			data.put(KeyLoader.key(n), new VersionedValue(value, n + 1));
		}
		TreeMap<Long, Long> epochs = new TreeMap<>();
		epochs.put(1L, 1L);
		Snapshot snapshot = new Snapshot(keys, 1, TreePMap.fromSortedMap(data), epochs);
		Files.createDirectories(dir.resolve("log"));
		// Writing a snapshot file needs no open log (nor the logging an open brings).
		new FileLogStore(dir, true).writeSnapshot(snapshot);
		System.out.println(FileLogStore.snapshotFile(dir, keys));
	}

}
