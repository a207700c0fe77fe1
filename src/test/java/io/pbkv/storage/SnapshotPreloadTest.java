package io.pbkv.storage;

import io.pbkv.core.Snapshot;
import io.pbkv.core.VersionedValue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SnapshotPreloadTest {

	@TempDir
	Path dataDir;

	private Path logDir() throws Exception {
		return Files.createDirectories(TestLogs.logDir(dataDir));
	}

	@Test
	void recoveryTakesTheNewestSnapshotReadAhead() throws Exception {
		Snapshot older = TestLogs.snapshot(10, 1, 5);
		Snapshot newest = TestLogs.snapshot(20, 2, 50);
		SnapshotFile.write(logDir(), older, true);
		SnapshotFile.write(logDir(), newest, true);

		SnapshotPreload preload = SnapshotPreload.start(dataDir);
		try (FileLogStore store = new FileLogStore(dataDir, true, preload)) {
			assertThat(store.open().snapshot()).isEqualTo(newest);
		}
		assertThat(preload.take(SnapshotFile.pathFor(logDir(), 20))).as("handed over once").isNull();
	}

	@Test
	void aFileItDidNotReadIsNotItsToGive() throws Exception {
		SnapshotFile.write(logDir(), TestLogs.snapshot(20, 2, 5), true);

		SnapshotPreload preload = SnapshotPreload.start(dataDir);

		assertThat(preload.take(SnapshotFile.pathFor(logDir(), 10))).isNull();
		assertThat(preload.take(SnapshotFile.pathFor(logDir(), 20))).isNotNull();
		assertThat(SnapshotPreload.start(dataDir.resolve("nothing-here")).take(SnapshotFile.pathFor(logDir(), 20)))
			.isNull();
	}

	@Test
	void aDamagedFileIsReportedByRecoveryAsWithoutPreload() throws Exception {
		SnapshotFile.write(logDir(), TestLogs.snapshot(20, 2, 50), true);
		Path file = SnapshotFile.pathFor(logDir(), 20);
		TestLogs.flipByte(file, Files.size(file) / 2);

		SnapshotPreload preload = SnapshotPreload.start(dataDir);

		try (FileLogStore store = new FileLogStore(dataDir, true, preload)) {
			assertThatThrownBy(store::open).isInstanceOf(LogCorruptedException.class).hasMessageContaining("checksum");
		}
	}

	@Test
	void keysOutOfOrderAreNotBuiltInOnePass() {
		VersionedValue v = new VersionedValue(new byte[] {1}, 1);

		assertThat(SnapshotReader.fromAscending(List.of(Map.entry("a", v), Map.entry("b", v)))).containsOnlyKeys("a",
				"b");
		assertThat(SnapshotReader.fromAscending(List.of(Map.entry("b", v), Map.entry("a", v)))).isNull();
		assertThat(SnapshotReader.fromAscending(List.of(Map.entry("a", v), Map.entry("a", v)))).isNull();
	}

}
