package io.pbkv.storage;

import io.pbkv.core.HardState;
import io.pbkv.core.InSyncConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FileMetaStoreTest {

	@TempDir
	Path dataDir;

	@Test
	void missingFileIsTheInitialState() throws Exception {
		assertThat(new FileMetaStore(dataDir.resolve("not-yet")).load()).isEqualTo(HardState.INITIAL);
	}

	@Test
	void savedStateLoadsBack() throws Exception {
		FileMetaStore store = new FileMetaStore(dataDir);
		for (HardState state : new HardState[] { HardState.INITIAL, new HardState("c-1", 0, null),
				new HardState("cluster = 1: ü", 7, "node-b"), new HardState("", 3, ""),
				new HardState(null, Long.MAX_VALUE, "n\nwith newline"), new HardState("c-2", 4, "node-a", true) }) {
			store.save(state);
			assertThat(new FileMetaStore(dataDir).load()).isEqualTo(state);
		}
	}

	@Test
	void theInSyncConfigurationLoadsBackAndIsUnderTheChecksum() throws Exception {
		FileMetaStore store = new FileMetaStore(dataDir);
		Path file = dataDir.resolve("meta.properties");
		for (HardState state : new HardState[] {
				new HardState("c", 5, "b", true, new InSyncConfig(5, 3, Set.of("a", "node.b-2"),
						Set.of("http://10.0.0.1:8081", "https://b.example:8443/pbkv", "http://w"))),
				new HardState("c", 5, "b", true, new InSyncConfig(5, 3, Set.of("a", "node.b-2"))),
				new HardState("c", 7, "w", true, new InSyncConfig(7, 2, Set.of("a"), Set.of("http://a:1", "http://w:2"),
						java.util.Map.of("http://a:1", "4f1c-a", "http://w:2", "9e0d-w")), "9e0d-w"),
				new HardState("c", 0, null, false, null, "fresh-incarnation"),
				new HardState("c", 6, null, false, new InSyncConfig(4, 1, Set.of())) }) {
			store.save(state);
			assertThat(new FileMetaStore(dataDir).load()).isEqualTo(state);
		}
		assertThat(Files.readString(file)).contains("config=4.1\\:");

		store.save(new HardState("c", 5, "b", true, new InSyncConfig(5, 3, Set.of("a", "b"))));
		Files.writeString(file, Files.readString(file).replace("a,b", "a"));
		assertThatThrownBy(store::load).isInstanceOf(IOException.class).hasMessageContaining("checksum mismatch");
	}

	@Test
	void hasPeersIsWrittenOnlyWhenTrueSoOlderFilesStillCheck() throws Exception {
		FileMetaStore store = new FileMetaStore(dataDir);
		Path file = dataDir.resolve("meta.properties");
		store.save(new HardState("c", 3, "a"));
		assertThat(Files.readString(file)).doesNotContain("hasPeers");

		store.save(new HardState("c", 3, "a", true));
		String text = Files.readString(file);
		assertThat(text).contains("hasPeers=true");

		Files.writeString(file, text.replace("hasPeers=true", ""));
		assertThatThrownBy(store::load).isInstanceOf(IOException.class).hasMessageContaining("checksum mismatch");
	}

	@Test
	void saveReplacesAtomically() throws Exception {
		FileMetaStore store = new FileMetaStore(dataDir);
		store.save(new HardState("c", 1, "a"));
		// A leftover temp file from a crash before the rename changes nothing.
		Files.writeString(dataDir.resolve("meta.properties.tmp"), "epoch=99\n");
		assertThat(store.load()).isEqualTo(new HardState("c", 1, "a"));

		store.save(new HardState("c", 2, null));
		assertThat(store.load()).isEqualTo(new HardState("c", 2, null));
		assertThat(dataDir.resolve("meta.properties.tmp")).doesNotExist();
		try (var files = Files.list(dataDir)) {
			assertThat(files).map(p -> p.getFileName().toString()).containsExactly("meta.properties");
		}
	}

	@Test
	void damagedFileIsAnError() throws Exception {
		FileMetaStore store = new FileMetaStore(dataDir);
		store.save(new HardState("c", 12, "node-a"));
		Path file = dataDir.resolve("meta.properties");
		String text = Files.readString(file);

		Files.writeString(file, text.replace("epoch=12", "epoch=13"));
		assertThatThrownBy(store::load).isInstanceOf(IOException.class).hasMessageContaining("checksum mismatch");

		Files.writeString(file, text.replace("votedFor=node-a", ""));
		assertThatThrownBy(store::load).isInstanceOf(IOException.class).hasMessageContaining("damaged");

		Files.writeString(file, text.substring(0, text.indexOf("checksum")));
		assertThatThrownBy(store::load).isInstanceOf(IOException.class).hasMessageContaining("no checksum");

		Files.write(file, new byte[] { (byte) 0xff, (byte) 0xfe, 0, 1 });
		assertThatThrownBy(store::load).isInstanceOf(IOException.class);

		Files.writeString(file, text, StandardCharsets.UTF_8);
		assertThat(store.load()).isEqualTo(new HardState("c", 12, "node-a"));
	}

}
