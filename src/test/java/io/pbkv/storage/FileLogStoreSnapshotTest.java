package io.pbkv.storage;

import io.pbkv.core.Snapshot;
import io.pbkv.runtime.LogStore;
import io.pbkv.runtime.LogStore.Recovered;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FileLogStoreSnapshotTest {

	private static final long SMALL_SEGMENTS = 1024;

	@TempDir
	Path dataDir;

	private Recovered reopen() throws Exception {
		try (FileLogStore store = new FileLogStore(dataDir, true, SMALL_SEGMENTS)) {
			return store.open();
		}
	}

	private static List<Long> bases(List<Path> segments) {
		return segments.stream().map(s -> Long.parseLong(s.getFileName().toString().replace(".seg", ""))).toList();
	}

	@Test
	void snapshotPlusLaterEntriesReplay() throws Exception {
		Snapshot snapshot = TestLogs.snapshot(60, 2, 25);
		List<Path> segmentsBefore;
		try (FileLogStore store = new FileLogStore(dataDir, true, SMALL_SEGMENTS)) {
			store.open();
			store.append(TestLogs.puts(1, 30, 1));
			store.append(TestLogs.puts(31, 100, 2));
			store.commit(70);
			store.sync();
			segmentsBefore = TestLogs.segments(dataDir);
			store.saveSnapshot(snapshot);
			store.append(TestLogs.puts(101, 120, 3));
			store.sync();
			assertThat(store.sizeOnDisk()).isEqualTo(TestLogs.listedSize(dataDir));
		}
		Recovered recovered = reopen();
		assertThat(recovered.snapshot()).isEqualTo(snapshot);
		assertThat(recovered.entries()).hasSize(60)
			.startsWith(TestLogs.put(61, 2))
			.endsWith(TestLogs.put(120, 3))
			.containsSequence(TestLogs.puts(99, 102, 2).subList(0, 2))
			.containsSequence(TestLogs.puts(101, 102, 3));
		assertThat(recovered.commitIndex()).isEqualTo(70);

		List<Long> basesBefore = bases(segmentsBefore);
		long holding61 = basesBefore.stream().filter(b -> b <= 61).max(Long::compare).orElseThrow();
		assertThat(holding61).as("segments wholly covered by the snapshot existed").isGreaterThan(1);
		assertThat(bases(TestLogs.segments(dataDir))).as("only they are gone").first().isEqualTo(holding61);
		assertThat(TestLogs.files(dataDir, ".snap")).singleElement()
			.extracting(p -> p.getFileName().toString())
			.isEqualTo("snapshot-00000000000000000060.snap");
	}

	@Test
	void compactionShrinksTheLog() throws Exception {
		try (FileLogStore store = new FileLogStore(dataDir, true)) {
			store.open();
			for (long i = 1; i <= 5000; i += 100) {
				store.append(TestLogs.puts(i, i + 99, 1));
				store.commit(i + 99);
				store.sync();
			}
			long before = store.sizeOnDisk();
			assertThat(before).isEqualTo(TestLogs.listedSize(dataDir));
			assertThat(store.bytesWritten().snapshots()).as("no snapshot yet").isZero();
			// Every byte on disk was written by it, and so were the zeros written ahead that records filled since.
			long logWritten = store.bytesWritten().log();
			assertThat(logWritten).isBetween(before, 2 * before);

			store.saveSnapshot(TestLogs.snapshot(5000, 1, 10));
			long snapshotBytes = TestLogs.files(dataDir, ".snap").stream().mapToLong(p -> p.toFile().length()).sum();
			assertThat(store.bytesWritten().snapshots()).isEqualTo(snapshotBytes).isPositive();
			assertThat(store.bytesWritten().log()).as("compaction deletes, it does not write")
				.isBetween(logWritten, logWritten + 64);

			assertThat(store.sizeOnDisk()).isEqualTo(TestLogs.listedSize(dataDir)).isLessThan(before / 10);
			store.saveSnapshot(TestLogs.snapshot(5000, 1, 10));
			assertThat(store.sizeOnDisk()).isEqualTo(TestLogs.listedSize(dataDir));
		}
		Recovered recovered = reopen();
		assertThat(recovered.snapshot().lastIndex()).isEqualTo(5000);
		assertThat(recovered.entries()).isEmpty();
		assertThat(recovered.commitIndex()).isEqualTo(5000);
	}

	@Test
	void snapshotNewerThanEveryEntryLeavesNoEntries() throws Exception {
		try (FileLogStore store = new FileLogStore(dataDir, true, SMALL_SEGMENTS)) {
			store.open();
			store.append(TestLogs.puts(1, 10, 1));
			store.saveSnapshot(TestLogs.snapshot(40, 3, 2));
			store.append(TestLogs.puts(41, 42, 3));
			store.sync();
		}
		Recovered recovered = reopen();
		assertThat(recovered.snapshot().lastIndex()).isEqualTo(40);
		assertThat(recovered.entries()).isEqualTo(TestLogs.puts(41, 42, 3));
		assertThat(recovered.commitIndex()).isEqualTo(40);
	}

	@Test
	void laggingCompactionIsSkipped() throws Exception {
		try (FileLogStore store = new FileLogStore(dataDir, true, SMALL_SEGMENTS)) {
			store.open();
			store.append(TestLogs.puts(1, 50, 1));
			store.commit(50);
			store.sync();
		}
		// As if a crash came after the snapshot's rename and before the segments' deletion.
		SnapshotFile.write(TestLogs.logDir(dataDir), TestLogs.snapshot(35, 1, 3), true);
		Recovered recovered = reopen();
		assertThat(recovered.snapshot().lastIndex()).isEqualTo(35);
		assertThat(recovered.entries()).isEqualTo(TestLogs.puts(36, 50, 1));
		assertThat(recovered.commitIndex()).isEqualTo(50);
	}

	@Test
	void snapshotMustAgreeWithTheLog() throws Exception {
		try (FileLogStore store = new FileLogStore(dataDir, true)) {
			store.open();
			store.append(TestLogs.puts(1, 10, 2));
			assertThatThrownBy(() -> store.saveSnapshot(TestLogs.snapshot(5, 1, 1)))
				.isInstanceOf(IllegalArgumentException.class)
				.hasMessageContaining("epoch");
			assertThat(TestLogs.files(dataDir, ".snap")).as("the refused snapshot's file is gone").isEmpty();
			store.saveSnapshot(TestLogs.snapshot(5, 2, 1));
		}
	}

	@Test
	void aSnapshotOvertakenByANewerOneIsDroppedNotTaken() throws Exception {
		try (FileLogStore store = new FileLogStore(dataDir, true)) {
			store.open();
			store.append(TestLogs.puts(1, 10, 2));
			store.commit(10);
			store.sync();
			Snapshot older = TestLogs.snapshot(4, 2, 1);
			long bytes = store.writeSnapshot(older);
			store.saveSnapshot(TestLogs.snapshot(6, 2, 1));
			store.snapshotWritten(older, bytes, older.lastIndex());
		}
		Recovered recovered = reopen();
		assertThat(recovered.snapshot().lastIndex()).isEqualTo(6);
		assertThat(TestLogs.files(dataDir, ".snap")).hasSize(1);
	}

	@Test
	void corruptSnapshotFailsStartup() throws Exception {
		try (FileLogStore store = new FileLogStore(dataDir, true)) {
			store.open();
			store.append(TestLogs.puts(1, 10, 1));
			store.saveSnapshot(TestLogs.snapshot(10, 1, 50));
		}
		Path snapshot = TestLogs.files(dataDir, ".snap").getFirst();
		TestLogs.flipByte(snapshot, Files.size(snapshot) / 2);
		assertThatThrownBy(this::reopen).isInstanceOf(LogCorruptedException.class)
			.hasMessageContaining(snapshot.toAbsolutePath().toString());

		TestLogs.flipByte(snapshot, Files.size(snapshot) / 2);
		assertThat(reopen().snapshot()).isEqualTo(TestLogs.snapshot(10, 1, 50));
		TestLogs.cutBytes(snapshot, 3);
		assertThatThrownBy(this::reopen).isInstanceOf(LogCorruptedException.class)
			.hasMessageContaining("ends too early");
	}

	@Test
	void resetToDropsTheLog() throws Exception {
		Snapshot snapshot = TestLogs.snapshot(500, 7, 20);
		try (FileLogStore store = new FileLogStore(dataDir, true, SMALL_SEGMENTS)) {
			store.open();
			store.append(TestLogs.puts(1, 80, 1));
			store.commit(20);
			store.saveSnapshot(TestLogs.snapshot(10, 1, 1));
			store.sync();
			store.resetTo(snapshot);
			assertThat(store.sizeOnDisk()).isEqualTo(TestLogs.listedSize(dataDir));
		}
		Recovered recovered = reopen();
		assertThat(recovered.snapshot()).isEqualTo(snapshot);
		assertThat(recovered.entries()).isEmpty();
		assertThat(recovered.commitIndex()).isEqualTo(500);
		assertThat(TestLogs.files(dataDir, ".snap")).hasSize(1);

		try (FileLogStore store = new FileLogStore(dataDir, true, SMALL_SEGMENTS)) {
			store.open();
			store.append(TestLogs.puts(501, 520, 8));
			store.commit(510);
			store.sync();
		}
		recovered = reopen();
		assertThat(recovered.snapshot()).isEqualTo(snapshot);
		assertThat(recovered.entries()).isEqualTo(TestLogs.puts(501, 520, 8));
		assertThat(recovered.commitIndex()).isEqualTo(510);
	}

	@Test
	void interruptedResetIsFinishedOnOpen() throws Exception {
		try (FileLogStore store = new FileLogStore(dataDir, true, SMALL_SEGMENTS)) {
			store.open();
			store.append(TestLogs.puts(1, 80, 1));
			store.sync();
		}
		// resetTo wrote the primary's snapshot (another history: epoch 4 at index 60) and crashed before deleting.
		Snapshot primary = TestLogs.snapshot(60, 4, 5);
		SnapshotFile.write(TestLogs.logDir(dataDir), primary, true);

		Recovered recovered = reopen();
		assertThat(recovered.snapshot()).isEqualTo(primary);
		assertThat(recovered.entries()).isEmpty();
		assertThat(recovered.commitIndex()).isEqualTo(60);
		try (FileLogStore store = new FileLogStore(dataDir, true, SMALL_SEGMENTS)) {
			store.open();
			store.append(TestLogs.puts(61, 62, 4));
		}
		assertThat(reopen().entries()).isEqualTo(TestLogs.puts(61, 62, 4));
	}

}
