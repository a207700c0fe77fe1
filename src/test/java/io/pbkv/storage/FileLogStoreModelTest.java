package io.pbkv.storage;

import io.pbkv.core.Command;
import io.pbkv.core.LogEntry;
import io.pbkv.core.Precondition;
import io.pbkv.core.Snapshot;
import io.pbkv.core.VersionedValue;
import io.pbkv.runtime.LogStore.Recovered;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** A random workload against the store and a plain in-memory model; every reopen must find the model. */
class FileLogStoreModelTest {

	@TempDir
	Path dataDir;

	private Snapshot snapshot = Snapshot.EMPTY;

	private final List<LogEntry> entries = new ArrayList<>();

	private long commitIndex;

	private long epoch = 1;

	@ParameterizedTest(name = "seed {0}")
	@ValueSource(longs = { 1, 42, 1234, 99_999, 20_240_601 })
	void restartFindsWhatWasWritten(long seed) throws Exception {
		Random random = new Random(seed);
		FileLogStore store = open();
		for (int step = 0; step < 1500; step++) {
			int action = random.nextInt(100);
			if (action < 45) {
				append(store, random);
			}
			else if (action < 65 && lastIndex() > commitIndex) {
				commitIndex += 1 + random.nextInt((int) (lastIndex() - commitIndex));
				store.commit(commitIndex);
			}
			else if (action < 75 && lastIndex() > commitIndex) {
				long from = commitIndex + 1 + random.nextInt((int) (lastIndex() - commitIndex));
				store.truncateFrom(from);
				entries.removeIf(e -> e.index() >= from);
				epoch++;
			}
			else if (action < 80 && commitIndex > snapshot.lastIndex()) {
				long at = snapshot.lastIndex() + 1 + random.nextInt((int) (commitIndex - snapshot.lastIndex()));
				snapshot = snapshotAt(at, random);
				store.saveSnapshot(snapshot);
				entries.removeIf(e -> e.index() <= at);
			}
			else if (action < 81) {
				snapshot = new Snapshot(lastIndex() + random.nextInt(50), ++epoch, new TreeMap<>());
				store.resetTo(snapshot);
				entries.clear();
				commitIndex = snapshot.lastIndex();
			}
			else if (action < 95) {
				store.sync();
			}
			else {
				store.close();
				store = open();
			}
			assertThat(store.sizeOnDisk()).isEqualTo(TestLogs.listedSize(dataDir));
		}
		store.close();
		open().close();
	}

	private FileLogStore open() throws Exception {
		FileLogStore store = new FileLogStore(dataDir, true, 2048);
		Recovered recovered = store.open();
		assertThat(recovered.snapshot()).isEqualTo(snapshot);
		assertThat(recovered.entries()).isEqualTo(entries);
		assertThat(recovered.commitIndex()).isEqualTo(Math.max(commitIndex, snapshot.lastIndex()));
		return store;
	}

	private long lastIndex() {
		return entries.isEmpty() ? snapshot.lastIndex() : entries.getLast().index();
	}

	private void append(FileLogStore store, Random random) throws Exception {
		List<LogEntry> batch = new ArrayList<>();
		int count = 1 + random.nextInt(8);
		for (int i = 0; i < count; i++) {
			long index = lastIndex() + 1 + i;
			String key = "k" + random.nextInt(20);
			Command command = switch (random.nextInt(4)) {
				case 0 -> new Command.Delete(key, Precondition.IF_PRESENT);
				case 1 -> new Command.EpochStart("node-" + random.nextInt(3));
				default -> {
					byte[] value = new byte[random.nextInt(random.nextInt(10) == 0 ? 3000 : 100)];
					random.nextBytes(value);
					yield new Command.Put(key, value, new Precondition.IfVersion(List.of((long) random.nextInt(9))));
				}
			};
			batch.add(new LogEntry(index, epoch, command));
		}
		store.append(batch);
		entries.addAll(batch);
	}

	private Snapshot snapshotAt(long index, Random random) {
		TreeMap<String, VersionedValue> data = new TreeMap<>();
		for (int i = random.nextInt(5); i > 0; i--) {
			data.put("k" + random.nextInt(20), new VersionedValue(new byte[] { (byte) i }, random.nextInt(100)));
		}
		long entryEpoch = entries.stream().filter(e -> e.index() == index).findFirst().orElseThrow().epoch();
		return new Snapshot(index, entryEpoch, data);
	}

}
