package io.pbkv.storage;

import io.pbkv.core.Snapshot;
import io.pbkv.runtime.LogStore.Recovered;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A downloaded snapshot file restores into a new data dir, and only into one, and only if it is intact. */
class SnapshotBackupsTest {

	@TempDir
	Path work;

	/** A node's data dir with snapshots at 100 and 200 and entries after them; the download is a copy of 200's. */
	private Path download() throws Exception {
		Path node = work.resolve("node");
		try (FileLogStore store = new FileLogStore(node, true, 1024)) {
			store.open();
			store.append(TestLogs.puts(1, 220, 2));
			store.commit(220);
			store.sync();
			store.snapshotWritten(TestLogs.snapshot(100, 2, 10), store.writeSnapshot(TestLogs.snapshot(100, 2, 10)), 0);
			// compactTo 0: a backup still fetches 100, so it stays pinned next to 200.
			store.snapshotWritten(TestLogs.snapshot(200, 2, 20), store.writeSnapshot(TestLogs.snapshot(200, 2, 20)), 0);
		}
		assertThat(FileLogStore.snapshotFile(node, 100)).exists();
		Path newest = SnapshotBackups.newestSnapshot(node);
		assertThat(newest).isEqualTo(FileLogStore.snapshotFile(node, 200));
		Path downloaded = work.resolve("pbkv-a-200.snap");
		Files.copy(newest, downloaded);
		return downloaded;
	}

	@Test
	void newestSnapshotIsTheHighestIndexAndNullWhenThereIsNone() throws Exception {
		assertThat(SnapshotBackups.newestSnapshot(work.resolve("nothing"))).isNull();
		try (FileLogStore store = new FileLogStore(work.resolve("young"), true)) {
			store.open();
		}
		assertThat(SnapshotBackups.newestSnapshot(work.resolve("young"))).isNull();

		download();
		assertThat(SnapshotBackups.lastIndexOf(SnapshotBackups.newestSnapshot(work.resolve("node")))).isEqualTo(200);
	}

	@Test
	void theHeaderIsReadWithoutMovingTheChannel() throws Exception {
		Path file = download();
		try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
			assertThat(SnapshotBackups.header(channel, file)).isEqualTo(new SnapshotBackups.Header(2, 200, 2));
			assertThat(channel.position()).isZero();
		}
	}

	@Test
	void aRestoredDataDirRecoversExactlyTheSnapshot() throws Exception {
		Path file = download();
		Path dataDir = work.resolve("restored/data");

		SnapshotBackups.Restored restored = SnapshotBackups.restore(file, dataDir);

		assertThat(restored.file()).isEqualTo(FileLogStore.snapshotFile(dataDir, 200));
		assertThat(restored.lastIndex()).isEqualTo(200);
		assertThat(restored.lastEpoch()).isEqualTo(2);
		assertThat(restored.keys()).isEqualTo(20);
		assertThat(restored.bytes()).isEqualTo(Files.size(file));
		assertThat(Files.readAllBytes(restored.file())).isEqualTo(Files.readAllBytes(file));
		assertThat(names(dataDir.resolve("log"))).containsExactly("snapshot-00000000000000000200.snap");
		try (FileLogStore store = new FileLogStore(dataDir, true)) {
			Recovered recovered = store.open();
			assertThat(recovered.snapshot()).isEqualTo(TestLogs.snapshot(200, 2, 20));
			assertThat(recovered.entries()).isEmpty();
			assertThat(recovered.commitIndex()).isEqualTo(200);
		}
		assertThat(new FileMetaStore(dataDir).load().clusterId()).as("a new cluster: no id yet").isNull();
	}

	@Test
	void aDataDirThatHoldsAnythingIsRefusedAndLeftAlone() throws Exception {
		Path file = download();
		Path dataDir = work.resolve("used");
		Files.createDirectories(dataDir);
		Files.writeString(dataDir.resolve("meta.properties"), "epoch=3\n");

		assertThatThrownBy(() -> SnapshotBackups.restore(file, dataDir)).isInstanceOf(IllegalArgumentException.class)
			.hasMessageContaining("is not empty (it holds meta.properties)")
			.hasMessageContaining("never over a node's data");
		assertThat(names(dataDir)).containsExactly("meta.properties");

		assertThatThrownBy(() -> SnapshotBackups.restore(file, work.resolve("node")))
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessageContaining("is not empty");
		assertThatThrownBy(() -> SnapshotBackups.restore(file, file)).isInstanceOf(IllegalArgumentException.class)
			.hasMessageContaining("is not a directory");
	}

	@Test
	void aDamagedOrForeignFileIsRefusedAndARetryWithAGoodOneWorks() throws Exception {
		Path file = download();
		Path dataDir = work.resolve("restored");
		Path damaged = work.resolve("damaged.snap");
		Files.copy(file, damaged);
		TestLogs.flipByte(damaged, Files.size(damaged) / 2);
		Path truncated = work.resolve("truncated.snap");
		Files.write(truncated, Arrays.copyOf(Files.readAllBytes(file), (int) Files.size(file) - 10));
		Path foreign = work.resolve("foreign.snap");
		Files.writeString(foreign, "{\"not\": \"a snapshot\"}");

		assertThatThrownBy(() -> SnapshotBackups.restore(damaged, dataDir)).isInstanceOf(LogCorruptedException.class)
			.hasMessageContaining("is corrupted");
		assertThatThrownBy(() -> SnapshotBackups.restore(truncated, dataDir))
			.isInstanceOf(LogCorruptedException.class)
			.hasMessageContaining("ends too early");
		assertThatThrownBy(() -> SnapshotBackups.restore(foreign, dataDir)).isInstanceOf(LogCorruptedException.class)
			.hasMessageContaining("not a pbkv snapshot");
		assertThat(SnapshotBackups.newestSnapshot(dataDir)).isNull();

		assertThat(SnapshotBackups.restore(file, dataDir).lastIndex()).isEqualTo(200);
	}

	@Test
	void aSnapshotOfANewerFormatIsRefused() throws Exception {
		Path file = download();
		try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
			channel.write(ByteBuffer.allocate(4).putInt(0, 3), 4);
		}

		assertThatThrownBy(() -> SnapshotBackups.restore(file, work.resolve("restored")))
			.isInstanceOf(UnsupportedFormatException.class)
			.hasMessageContaining("snapshot format version 3");
		assertThat(work.resolve("restored")).doesNotExist();
	}

	@Test
	void verifyReadsAnyNameWhileTheLogInsistsOnItsOwn() throws Exception {
		Path file = download();
		Snapshot snapshot = SnapshotBackups.verify(file);
		assertThat(snapshot).isEqualTo(TestLogs.snapshot(200, 2, 20));

		Path misnamed = work.resolve("snapshot-00000000000000000300.snap");
		Files.copy(file, misnamed);
		assertThatThrownBy(() -> FileLogStore.readSnapshot(misnamed)).isInstanceOf(LogCorruptedException.class)
			.hasMessageContaining("bad header");
	}

	private static List<String> names(Path dir) throws Exception {
		try (Stream<Path> files = Files.list(dir)) {
			return files.map(p -> p.getFileName().toString()).filter(n -> !n.equals(".lock")).sorted().toList();
		}
	}

}
