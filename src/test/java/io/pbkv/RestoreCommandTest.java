package io.pbkv;

import io.pbkv.core.HardState;
import io.pbkv.core.Snapshot;
import io.pbkv.core.VersionedValue;
import io.pbkv.storage.FileLogStore;
import io.pbkv.storage.FileMetaStore;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code pbkv restore <file> <data-dir>}: its answers and exit codes. */
class RestoreCommandTest {

	@TempDir
	Path work;

	private final ByteArrayOutputStream out = new ByteArrayOutputStream();

	private final ByteArrayOutputStream err = new ByteArrayOutputStream();

	private int run(String... args) {
		return RestoreCommand.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
				new PrintStream(err, true, StandardCharsets.UTF_8));
	}

	private String out() {
		return out.toString(StandardCharsets.UTF_8);
	}

	private String err() {
		return err.toString(StandardCharsets.UTF_8);
	}

	/** A snapshot file as GET /admin/snapshot names it. */
	private Path downloaded() throws Exception {
		Path node = work.resolve("node");
		TreeMap<String, VersionedValue> data = new TreeMap<>();
		data.put("color", new VersionedValue("blue".getBytes(StandardCharsets.UTF_8), 7));
		try (FileLogStore store = new FileLogStore(node, true)) {
			store.open();
			store.resetTo(new Snapshot(42, 3, data, new TreeMap<>(Map.of(1L, 1L, 40L, 3L))));
		}
		Path file = work.resolve("pbkv-a-42.snap");
		Files.copy(FileLogStore.snapshotFile(node, 42), file);
		return file;
	}

	@Test
	void restoresIntoANewDataDirAndSaysHowToStartTheNode() throws Exception {
		Path file = downloaded();
		Path dataDir = work.resolve("new/data");

		assertThat(run(file.toString(), dataDir.toString())).isEqualTo(0);

		assertThat(out()).contains("restored the snapshot at index 42 (epoch 3, 1 keys")
			.contains("--kv.data-dir=" + dataDir + " --kv.initial-role=primary");
		assertThat(err()).isEmpty();
		assertThat(FileLogStore.readSnapshot(FileLogStore.snapshotFile(dataDir, 42)).data()).containsKey("color");
	}

	@Test
	void refusesANonEmptyDataDirWithExitOne() throws Exception {
		Path file = downloaded();
		Path dataDir = work.resolve("used");
		new FileMetaStore(dataDir).save(new HardState("c", 1, null));

		assertThat(run(file.toString(), dataDir.toString())).isEqualTo(1);

		assertThat(err()).startsWith("pbkv restore: refused: data dir " + dataDir + " is not empty");
		assertThat(dataDir.resolve("log")).doesNotExist();
	}

	@Test
	void aMissingOrDamagedFileIsExitOne() throws Exception {
		assertThat(run(work.resolve("nope.snap").toString(), work.resolve("d").toString())).isEqualTo(1);
		assertThat(err()).contains("nope.snap: no such snapshot file");

		Path junk = work.resolve("junk.snap");
		Files.writeString(junk, "hello, not a snapshot at all");
		assertThat(run(junk.toString(), work.resolve("d").toString())).isEqualTo(1);
		assertThat(err()).contains("pbkv restore: failed: ").contains("not a pbkv snapshot");
	}

	@Test
	void usageErrorsAreExitTwoAndHelpIsExitZero() {
		assertThat(run()).isEqualTo(2);
		assertThat(run("only-one")).isEqualTo(2);
		assertThat(run("a", "b", "c")).isEqualTo(2);
		assertThat(run("--force", "a")).isEqualTo(2);
		assertThat(err()).contains("expected <snapshot-file> <data-dir>").contains("pbkv restore --help");

		assertThat(run("--help")).isEqualTo(0);
		assertThat(out()).contains("Usage: pbkv restore <snapshot-file> <data-dir>").contains("--kv.initial-role=primary");
	}

}
