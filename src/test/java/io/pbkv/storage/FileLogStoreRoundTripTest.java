package io.pbkv.storage;

import io.pbkv.core.Command;
import io.pbkv.core.LogEntry;
import io.pbkv.core.Precondition;
import io.pbkv.core.Snapshot;
import io.pbkv.runtime.LogStore.Recovered;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FileLogStoreRoundTripTest {

	@TempDir
	Path dataDir;

	@ParameterizedTest(name = "fsync={0}")
	@ValueSource(booleans = { true, false })
	void everyKindOfEntryComesBackAfterReopen(boolean fsync) throws Exception {
		byte[] binary = new byte[256];
		for (int i = 0; i < binary.length; i++) {
			binary[i] = (byte) i;
		}
		byte[] large = new byte[1 << 20];
		new Random(7).nextBytes(large);
		List<Command> commands = List.of(new Command.EpochStart("node-a"),
				new Command.Put("plain", "v".getBytes(), Precondition.NONE),
				new Command.Put("absent", new byte[0], Precondition.IF_ABSENT),
				new Command.Put("present", binary, Precondition.IF_PRESENT),
				new Command.Put("versions", "x".getBytes(), new Precondition.IfVersion(List.of(3L, 5L, Long.MAX_VALUE))),
				new Command.Put("no versions", "y".getBytes(), new Precondition.IfVersion(List.of())),
				new Command.Put("large", large, Precondition.NONE),
				new Command.Put("ключ ☃ \uD83D\uDE00", "ü".getBytes(), Precondition.NONE),
				new Command.Put("", new byte[0], Precondition.NONE), new Command.Delete("plain", Precondition.NONE),
				new Command.Delete("present", Precondition.IF_PRESENT),
				new Command.Delete("versions", new Precondition.IfVersion(List.of(4L))),
				new Command.Delete("absent", Precondition.IF_ABSENT), new Command.EpochStart(""));
		List<LogEntry> written = new ArrayList<>();
		for (int i = 0; i < commands.size(); i++) {
			written.add(new LogEntry(i + 1, 1 + i / 5, commands.get(i)));
		}
		try (FileLogStore store = new FileLogStore(dataDir, fsync)) {
			assertThat(store.open()).isEqualTo(new Recovered(Snapshot.EMPTY, List.of(), 0));
			store.append(written.subList(0, 6));
			store.commit(4);
			store.append(written.subList(6, written.size()));
			store.commit(11);
			store.sync();
		}
		try (FileLogStore store = new FileLogStore(dataDir, fsync)) {
			Recovered recovered = store.open();
			assertThat(recovered.snapshot()).isEqualTo(Snapshot.EMPTY);
			assertThat(recovered.entries()).isEqualTo(written);
			assertThat(recovered.commitIndex()).isEqualTo(11);
			assertThat(store.sizeOnDisk()).isEqualTo(TestLogs.listedSize(dataDir)).isGreaterThan(1 << 20);
			store.append(List.of(TestLogs.put(written.size() + 1, 9)));
			store.sync();
		}
		try (FileLogStore store = new FileLogStore(dataDir, fsync)) {
			assertThat(store.open().entries()).hasSize(written.size() + 1).endsWith(TestLogs.put(written.size() + 1, 9));
		}
	}

	@Test
	void commitIndexIsTheHighestCommitted() throws Exception {
		try (FileLogStore store = new FileLogStore(dataDir, true)) {
			store.open();
			store.append(TestLogs.puts(1, 20, 1));
			store.commit(15);
			store.commit(12);
			store.sync();
		}
		try (FileLogStore store = new FileLogStore(dataDir, true)) {
			assertThat(store.open().commitIndex()).isEqualTo(15);
		}
	}

	@Test
	void entriesMustContinueTheLog() throws Exception {
		try (FileLogStore store = new FileLogStore(dataDir, true)) {
			store.open();
			store.append(TestLogs.puts(1, 3, 1));
			assertThatThrownBy(() -> store.append(TestLogs.puts(5, 6, 1))).isInstanceOf(IllegalArgumentException.class)
				.hasMessageContaining("entry 5 does not continue the log at 4");
			assertThatThrownBy(() -> store.append(List.of(TestLogs.put(4, 1), TestLogs.put(6, 1))))
				.isInstanceOf(IllegalArgumentException.class);
			store.append(TestLogs.puts(4, 4, 1));
			store.sync();
		}
		try (FileLogStore store = new FileLogStore(dataDir, true)) {
			assertThat(store.open().entries()).isEqualTo(TestLogs.puts(1, 4, 1));
		}
	}

	@Test
	void manySegmentsReadBackInOrder() throws Exception {
		try (FileLogStore store = new FileLogStore(dataDir, true, 1024)) {
			store.open();
			for (long i = 1; i <= 300; i += 10) {
				store.append(TestLogs.puts(i, i + 9, 1 + i / 100));
				store.commit(i);
				store.sync();
			}
		}
		assertThat(TestLogs.segments(dataDir)).hasSizeGreaterThan(5);
		try (FileLogStore store = new FileLogStore(dataDir, true, 1024)) {
			Recovered recovered = store.open();
			assertThat(recovered.entries()).hasSize(300);
			for (int i = 0; i < 300; i++) {
				assertThat(recovered.entries().get(i)).isEqualTo(TestLogs.put(i + 1, 1 + (i / 10 * 10 + 1) / 100));
			}
			assertThat(recovered.commitIndex()).isEqualTo(291);
		}
	}

	@Test
	void methodsNeedAnOpenStore() throws Exception {
		FileLogStore store = new FileLogStore(dataDir, true);
		assertThatThrownBy(() -> store.append(TestLogs.puts(1, 1, 1))).isInstanceOf(IllegalStateException.class);
		store.open();
		assertThatThrownBy(store::open).isInstanceOf(IllegalStateException.class);
		store.close();
		assertThatThrownBy(store::sync).isInstanceOf(IllegalStateException.class);
	}

	@Test
	void theLargestWriteAClientMayMakeFitsOneRecord() throws Exception {
		LogEntry largest = TestLogs.largestPut(1, 1);
		try (FileLogStore store = new FileLogStore(dataDir, false)) {
			store.open();
			store.append(List.of(largest));
			store.sync();
		}
		try (FileLogStore store = new FileLogStore(dataDir, false)) {
			assertThat(store.open().entries()).containsExactly(largest);
		}
	}

}
