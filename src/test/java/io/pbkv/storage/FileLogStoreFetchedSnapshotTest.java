package io.pbkv.storage;

import io.pbkv.core.Snapshot;
import io.pbkv.runtime.LogStore.Recovered;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The log store's side of a streamed snapshot transfer: a file fetched into {@code incoming/} is moved into the log
 * by {@link FileLogStore#resetTo}, older snapshot files stay while a backup may still fetch them, and a fetched file
 * that was never installed changes nothing recovery finds.
 */
class FileLogStoreFetchedSnapshotTest {

	private static final long SMALL_SEGMENTS = 1024;

	@TempDir
	Path dataDir;

	private Recovered reopen() throws IOException {
		try (FileLogStore store = new FileLogStore(dataDir, true, SMALL_SEGMENTS)) {
			return store.open();
		}
	}

	/** Writes {@code snapshot} into {@code incoming/} as the fetcher leaves it: whole, forced, named {@code .snap}. */
	private Path fetched(Snapshot snapshot) throws IOException {
		Path incoming = FileLogStore.incomingDir(dataDir);
		Files.createDirectories(incoming);
		SnapshotFile.write(incoming, snapshot, true);
		Path file = SnapshotFile.pathFor(incoming, snapshot.lastIndex());
		assertThat(file).as("test setup: the fetched file").exists();
		return file;
	}

	private static Object fileKey(Path file) throws IOException {
		Object key = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
		assertThat(key).as("test setup: the file system tells files apart").isNotNull();
		return key;
	}

	private List<String> snapshotNames() throws IOException {
		return TestLogs.files(dataDir, ".snap").stream().map(p -> p.getFileName().toString()).toList();
	}

	@Test
	void resetToMovesTheFetchedFileIntoTheLogInsteadOfWritingItAgain() throws Exception {
		Snapshot snapshot = TestLogs.snapshot(500, 7, 200);
		try (FileLogStore store = new FileLogStore(dataDir, true, SMALL_SEGMENTS)) {
			store.open();
			store.append(TestLogs.puts(1, 80, 1));
			store.commit(20);
			store.saveSnapshot(TestLogs.snapshot(10, 1, 1));
			store.sync();

			Path incoming = fetched(snapshot);
			Object fetchedKey = fileKey(incoming);
			long fetchedSize = Files.size(incoming);

			store.resetTo(snapshot);

			assertThat(incoming).as("the fetched file left incoming/").doesNotExist();
			Path installed = FileLogStore.snapshotFile(dataDir, 500);
			assertThat(installed).exists();
			assertThat(fileKey(installed)).as("the same file, moved, not a copy written again").isEqualTo(fetchedKey);
			assertThat(Files.size(installed)).isEqualTo(fetchedSize);
			assertThat(snapshotNames()).as("the snapshot it replaced is gone")
				.containsExactly("snapshot-00000000000000000500.snap");
			assertThat(store.sizeOnDisk()).isEqualTo(TestLogs.listedSize(dataDir));
			store.append(TestLogs.puts(501, 510, 7));
			store.commit(505);
			store.sync();
		}
		Recovered recovered = reopen();
		assertThat(recovered.snapshot()).isEqualTo(snapshot);
		assertThat(recovered.entries()).isEqualTo(TestLogs.puts(501, 510, 7));
		assertThat(recovered.commitIndex()).isEqualTo(505);
	}

	@Test
	void anOlderSnapshotStaysWhileCompactionIsHeldAtItAndGoesOnceALaterSnapshotPassesIt() throws Exception {
		try (FileLogStore store = new FileLogStore(dataDir, true, SMALL_SEGMENTS)) {
			store.open();
			store.append(TestLogs.puts(1, 400, 1));
			store.commit(400);
			store.sync();
			store.saveSnapshot(TestLogs.snapshot(100, 1, 10));
			assertThat(snapshotNames()).containsExactly("snapshot-00000000000000000100.snap");

			// A backup fetches snapshot 100: the primary's next snapshots compact no further than 100.
			Snapshot s200 = TestLogs.snapshot(200, 1, 20);
			store.snapshotWritten(s200, store.writeSnapshot(s200), 100);
			assertThat(snapshotNames()).as("100 is pinned").contains("snapshot-00000000000000000100.snap");
			assertThat(FileLogStore.readSnapshot(FileLogStore.snapshotFile(dataDir, 100)))
				.as("and still whole for the backup to fetch")
				.isEqualTo(TestLogs.snapshot(100, 1, 10));
			assertThat(TestLogs.segments(dataDir)).as("the log after 100 is kept: entry 101 is still on disk")
				.first()
				.satisfies(first -> assertThat(base(first)).isLessThanOrEqualTo(101));
			assertThat(store.sizeOnDisk()).as("the pinned file counts").isEqualTo(TestLogs.listedSize(dataDir));

			Snapshot s300 = TestLogs.snapshot(300, 1, 30);
			store.snapshotWritten(s300, store.writeSnapshot(s300), 100);
			assertThat(snapshotNames()).as("100 is still pinned").contains("snapshot-00000000000000000100.snap",
					"snapshot-00000000000000000300.snap");
			assertThat(base(TestLogs.segments(dataDir).getFirst())).isLessThanOrEqualTo(101);
			assertThat(store.sizeOnDisk()).isEqualTo(TestLogs.listedSize(dataDir));

			// The backup finished (or let go): the next snapshot compacts all the way.
			Snapshot s400 = TestLogs.snapshot(400, 1, 40);
			store.snapshotWritten(s400, store.writeSnapshot(s400), 400);
			assertThat(snapshotNames()).as("only the newest snapshot is left")
				.containsExactly("snapshot-00000000000000000400.snap");
			assertThat(base(TestLogs.segments(dataDir).getFirst())).isGreaterThan(300);
			assertThat(store.sizeOnDisk()).isEqualTo(TestLogs.listedSize(dataDir));
		}
		Recovered recovered = reopen();
		assertThat(recovered.snapshot()).isEqualTo(TestLogs.snapshot(400, 1, 40));
		assertThat(recovered.commitIndex()).isEqualTo(400);
	}

	@Test
	void aFetchedFileNeverInstalledChangesNothingRecoveryFinds() throws Exception {
		try (FileLogStore store = new FileLogStore(dataDir, true, SMALL_SEGMENTS)) {
			store.open();
			store.append(TestLogs.puts(1, 50, 1));
			store.commit(50);
			store.saveSnapshot(TestLogs.snapshot(20, 1, 5));
			store.sync();
		}
		Recovered before = reopen();

		// Crash before the switch: the fetcher left a whole file (of another, newer history) and a part file.
		Path fetched = fetched(TestLogs.snapshot(500, 2, 30));
		Path part = FileLogStore.incomingDir(dataDir).resolve("snapshot-00000000000000000600.part");
		Files.write(part, Files.readAllBytes(fetched));

		Recovered after = reopen();
		assertThat(after.snapshot()).isEqualTo(before.snapshot()).isEqualTo(TestLogs.snapshot(20, 1, 5));
		assertThat(after.entries()).isEqualTo(before.entries()).isEqualTo(TestLogs.puts(21, 50, 1));
		assertThat(after.commitIndex()).isEqualTo(before.commitIndex()).isEqualTo(50);
		assertThat(snapshotNames()).containsExactly("snapshot-00000000000000000020.snap");
		assertThat(fetched).as("recovery leaves incoming/ to the fetcher").exists();
	}

	@Test
	void aCrashAfterTheFetchedFileWasMovedRecoversTheSnapshot() throws Exception {
		try (FileLogStore store = new FileLogStore(dataDir, true, SMALL_SEGMENTS)) {
			store.open();
			store.append(TestLogs.puts(1, 50, 1));
			store.commit(50);
			store.saveSnapshot(TestLogs.snapshot(20, 1, 5));
			store.sync();
		}
		// resetTo moved the fetched file into the log and crashed before it deleted the old segments.
		Snapshot snapshot = TestLogs.snapshot(500, 2, 30);
		Files.move(fetched(snapshot), FileLogStore.snapshotFile(dataDir, 500));

		Recovered recovered = reopen();
		assertThat(recovered.snapshot()).isEqualTo(snapshot);
		assertThat(recovered.entries()).isEmpty();
		assertThat(recovered.commitIndex()).isEqualTo(500);
		assertThat(snapshotNames()).containsExactly("snapshot-00000000000000000500.snap");
		try (FileLogStore store = new FileLogStore(dataDir, true, SMALL_SEGMENTS)) {
			store.open();
			store.append(TestLogs.puts(501, 505, 2));
			store.commit(505);
		}
		recovered = reopen();
		assertThat(recovered.snapshot()).isEqualTo(snapshot);
		assertThat(recovered.entries()).isEqualTo(TestLogs.puts(501, 505, 2));
		assertThat(recovered.commitIndex()).isEqualTo(505);
	}

	private static long base(Path segment) {
		return Long.parseLong(segment.getFileName().toString().replace(".seg", ""));
	}

}
