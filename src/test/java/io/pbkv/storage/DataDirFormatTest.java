package io.pbkv.storage;

import io.pbkv.core.HardState;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every on-disk format carries a version, and a data dir written in a version this pbkv does not know is refused
 * with a message that says so (not "damaged"), before anything in it is changed.
 */
class DataDirFormatTest {

	@TempDir
	Path dataDir;

	private Path meta() {
		return dataDir.resolve("meta.properties");
	}

	@Test
	void metaPropertiesCarriesTheDataDirFormat() throws Exception {
		new FileMetaStore(dataDir).save(new HardState("c", 3, "a"));

		assertThat(Files.readAllLines(meta())).contains("format=" + FileMetaStore.FORMAT_VERSION);
		assertThat(FileMetaStore.FORMAT_VERSION).isEqualTo(1);
	}

	@Test
	void aMetaPropertiesFromBeforeTheFormatKeyIsFormatOne() throws Exception {
		FileMetaStore store = new FileMetaStore(dataDir);
		store.save(new HardState("c", 3, "a", true));
		Files.writeString(meta(), Files.readString(meta()).replaceAll("(?m)^format=.*\\R", ""));
		assertThat(Files.readString(meta())).doesNotContain("format");

		assertThat(store.load()).isEqualTo(new HardState("c", 3, "a", true));
	}

	@Test
	void aNewerDataDirFormatIsRefusedClearlyEvenWithAnotherChecksum() throws Exception {
		FileMetaStore store = new FileMetaStore(dataDir);
		store.save(new HardState("c", 3, "a"));
		// A newer format may change anything, the checksum included: the format is judged first.
		Files.writeString(meta(), Files.readString(meta()).replace("format=1", "format=2")
			.replaceAll("checksum=.*", "checksum=sha256:0123"));

		assertThatThrownBy(store::load).isInstanceOfSatisfying(UnsupportedFormatException.class, ex -> {
			assertThat(ex.version()).isEqualTo(2);
			assertThat(ex.file()).isEqualTo(meta());
		})
			.hasMessageContaining(meta().toAbsolutePath().toString())
			.hasMessageContaining("is in data dir format version 2, which this pbkv does not know (it reads format 1)")
			.hasMessageContaining("written by a newer pbkv")
			.hasMessageNotContaining("damaged");
	}

	@Test
	void aFormatThatIsNoVersionIsDamage() throws Exception {
		FileMetaStore store = new FileMetaStore(dataDir);
		store.save(new HardState("c", 3, "a"));
		String text = Files.readString(meta());
		for (String bad : List.of("format=one", "format=0", "format=-2")) {
			Files.writeString(meta(), text.replace("format=1", bad));
			assertThatThrownBy(store::load).isInstanceOf(IOException.class)
				.isNotInstanceOf(UnsupportedFormatException.class)
				.hasMessageContaining("is damaged (bad format");
		}
	}

	@Test
	void aSnapshotInANewerFormatIsRefusedBeforeAnythingInTheLogChanges() throws Exception {
		try (FileLogStore store = new FileLogStore(dataDir, true)) {
			store.open();
			store.append(TestLogs.puts(1, 30, 1));
			store.commit(30);
			store.sync();
			store.saveSnapshot(TestLogs.snapshot(20, 1, 5));
			store.append(TestLogs.puts(31, 35, 1));
			store.sync();
		}
		Path snapshot = FileLogStore.snapshotFile(dataDir, 20);
		setVersion(snapshot, 3);
		// Debris of a crash and a torn tail: recovery would delete and cut them, but must not touch a newer format.
		Path temp = TestLogs.logDir(dataDir).resolve("snapshot-00000000000000000040.snap.tmp");
		Files.writeString(temp, "partial");
		TestLogs.appendBytes(TestLogs.lastSegment(dataDir), new byte[] { 0, 0, 0, 9, 1 });
		Map<Path, Long> before = sizes();

		assertThatThrownBy(() -> FileLogStore.readSnapshot(snapshot)).isInstanceOf(UnsupportedFormatException.class)
			.hasMessageContaining("is in snapshot format version 3, which this pbkv does not know (it reads versions 1 to 2)")
			.hasMessageContaining("written by a newer pbkv");
		assertThatThrownBy(() -> new FileLogStore(dataDir, true).open())
			.isInstanceOfSatisfying(UnsupportedFormatException.class,
					ex -> assertThat(ex.file()).isEqualTo(snapshot))
			.hasMessageNotContaining("corrupted");
		assertThat(sizes()).isEqualTo(before);
	}

	@Test
	void aSnapshotOfVersionZeroIsDamageNotANewerFormat() throws Exception {
		try (FileLogStore store = new FileLogStore(dataDir, true)) {
			store.open();
			store.saveSnapshot(TestLogs.snapshot(20, 1, 5));
		}
		Path snapshot = FileLogStore.snapshotFile(dataDir, 20);
		setVersion(snapshot, 0);

		assertThatThrownBy(() -> FileLogStore.readSnapshot(snapshot)).isInstanceOf(LogCorruptedException.class)
			.hasMessageContaining("impossible snapshot format version 0");
	}

	/** The version is the int after the magic number. */
	private static void setVersion(Path snapshot, int version) throws IOException {
		try (FileChannel channel = FileChannel.open(snapshot, StandardOpenOption.WRITE)) {
			channel.write(ByteBuffer.allocate(4).putInt(0, version), 4);
		}
	}

	private Map<Path, Long> sizes() throws IOException {
		Map<Path, Long> sizes = new TreeMap<>();
		try (var files = Files.walk(dataDir)) {
			for (Path file : files.filter(Files::isRegularFile).toList()) {
				sizes.put(file, Files.size(file));
			}
		}
		return sizes;
	}

}
