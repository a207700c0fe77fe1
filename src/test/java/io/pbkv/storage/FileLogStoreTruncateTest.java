package io.pbkv.storage;

import io.pbkv.core.LogEntry;
import io.pbkv.runtime.LogStore.Recovered;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FileLogStoreTruncateTest {

	@TempDir
	Path dataDir;

	private Recovered reopen(long segmentBytes) throws Exception {
		try (FileLogStore store = new FileLogStore(dataDir, true, segmentBytes)) {
			return store.open();
		}
	}

	@Test
	void divergentTailIsReplaced() throws Exception {
		try (FileLogStore store = new FileLogStore(dataDir, true)) {
			store.open();
			store.append(TestLogs.puts(1, 50, 1));
			store.commit(10);
			store.sync();
			store.truncateFrom(31);
			store.append(TestLogs.puts(31, 35, 2));
			store.sync();
		}
		Recovered recovered = reopen(FileLogStore.DEFAULT_SEGMENT_BYTES);
		List<LogEntry> expected = new ArrayList<>(TestLogs.puts(1, 30, 1));
		expected.addAll(TestLogs.puts(31, 35, 2));
		assertThat(recovered.entries()).isEqualTo(expected);
		assertThat(recovered.commitIndex()).as("the commit record written after entry 50 was cut").isEqualTo(10);
	}

	@Test
	void truncatingCommittedEntriesIsRefused() throws Exception {
		try (FileLogStore store = new FileLogStore(dataDir, true)) {
			store.open();
			store.append(TestLogs.puts(1, 50, 1));
			store.commit(10);
			assertThatThrownBy(() -> store.truncateFrom(5)).isInstanceOf(IllegalStateException.class)
				.hasMessageContaining("committed");
			assertThatThrownBy(() -> store.truncateFrom(10)).isInstanceOf(IllegalStateException.class);
			store.truncateFrom(11);
			store.truncateFrom(60);
		}
		assertThat(reopen(FileLogStore.DEFAULT_SEGMENT_BYTES).entries()).isEqualTo(TestLogs.puts(1, 10, 1));
	}

	@Test
	void truncationAcrossSegmentsDeletesLaterFiles() throws Exception {
		try (FileLogStore store = new FileLogStore(dataDir, true, 512)) {
			store.open();
			store.append(TestLogs.puts(1, 100, 1));
			store.commit(5);
			store.sync();
			int before = TestLogs.segments(dataDir).size();
			store.truncateFrom(20);
			assertThat(TestLogs.segments(dataDir)).hasSizeLessThan(before);
			assertThat(store.sizeOnDisk()).isEqualTo(TestLogs.listedSize(dataDir));
			store.append(TestLogs.puts(20, 40, 3));
			store.sync();
		}
		List<LogEntry> expected = new ArrayList<>(TestLogs.puts(1, 19, 1));
		expected.addAll(TestLogs.puts(20, 40, 3));
		Recovered recovered = reopen(512);
		assertThat(recovered.entries()).isEqualTo(expected);
		assertThat(recovered.commitIndex()).isEqualTo(5);
	}

	@Test
	void truncatingAtASegmentStartKeepsItEmpty() throws Exception {
		long boundary;
		try (FileLogStore store = new FileLogStore(dataDir, true, 512)) {
			store.open();
			store.append(TestLogs.puts(1, 60, 1));
			store.sync();
			Path second = TestLogs.segments(dataDir).get(1);
			boundary = Long.parseLong(second.getFileName().toString().replace(".seg", ""));
			store.truncateFrom(boundary);
			store.append(List.of(TestLogs.put(boundary, 2)));
		}
		Recovered recovered = reopen(512);
		assertThat(recovered.entries()).hasSize((int) boundary).endsWith(TestLogs.put(boundary, 2));
	}

}
