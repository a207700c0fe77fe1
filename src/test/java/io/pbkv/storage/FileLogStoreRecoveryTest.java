package io.pbkv.storage;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.pbkv.core.LogEntry;
import io.pbkv.runtime.LogStore.Recovered;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FileLogStoreRecoveryTest {

	@TempDir
	Path dataDir;

	private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

	private final Logger recoveryLog = (Logger) LoggerFactory.getLogger(LogRecovery.class);

	@BeforeEach
	void captureLog() {
		logged.start();
		recoveryLog.addAppender(logged);
	}

	@AfterEach
	void releaseLog() {
		recoveryLog.detachAppender(logged);
	}

	/** Writes entries 1..20 (epoch 1) and commit 5 in one segment; returns the segment's size. */
	private long writeLog() throws Exception {
		try (FileLogStore store = new FileLogStore(dataDir, true)) {
			store.open();
			store.append(TestLogs.puts(1, 10, 1));
			store.commit(5);
			store.sync();
			store.append(TestLogs.puts(11, 20, 1));
			store.sync();
		}
		return Files.size(TestLogs.lastSegment(dataDir));
	}

	private Recovered reopen() throws Exception {
		try (FileLogStore store = new FileLogStore(dataDir, true)) {
			return store.open();
		}
	}

	private List<ILoggingEvent> warnings() {
		return logged.list.stream().filter(e -> e.getLevel() == Level.WARN).toList();
	}

	@Test
	void cleanLogLogsNothing() throws Exception {
		writeLog();
		assertThat(reopen().entries()).isEqualTo(TestLogs.puts(1, 20, 1));
		assertThat(warnings()).isEmpty();
	}

	@ParameterizedTest(name = "cut {0} bytes")
	@ValueSource(ints = { 1, 3, 8, 12 })
	void tornLastRecordIsCutOnce(int bytes) throws Exception {
		long size = writeLog();
		Path segment = TestLogs.lastSegment(dataDir);
		long lastRecord = TestLogs.recordOffsets(segment).getLast();
		TestLogs.cutBytes(segment, bytes);

		Recovered recovered = reopen();

		assertThat(recovered.entries()).isEqualTo(TestLogs.puts(1, 19, 1));
		assertThat(recovered.commitIndex()).isEqualTo(5);
		assertThat(Files.size(segment)).isEqualTo(lastRecord);
		assertThat(warnings()).singleElement()
			.extracting(ILoggingEvent::getFormattedMessage)
			.asString()
			.contains(segment.toAbsolutePath().toString(), "offset " + lastRecord,
					(size - bytes - lastRecord) + " bytes removed");
		logged.list.clear();
		assertThat(reopen().entries()).isEqualTo(TestLogs.puts(1, 19, 1));
		assertThat(warnings()).isEmpty();
	}

	@ParameterizedTest(name = "seed {0}")
	@ValueSource(ints = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 })
	void randomGarbageAfterTheLastRecordIsCut(int seed) throws Exception {
		long size = writeLog();
		Path segment = TestLogs.lastSegment(dataDir);
		Random random = new Random(seed);
		byte[] garbage = new byte[1 + random.nextInt(200)];
		random.nextBytes(garbage);
		TestLogs.appendBytes(segment, garbage);

		assertThat(reopen().entries()).isEqualTo(TestLogs.puts(1, 20, 1));
		assertThat(Files.size(segment)).isEqualTo(size);
		assertThat(warnings()).hasSize(1);
		assertThat(reopen().entries()).isEqualTo(TestLogs.puts(1, 20, 1));
		assertThat(warnings()).hasSize(1);
	}

	@Test
	void aPartialHeaderIsCut() throws Exception {
		long size = writeLog();
		Path segment = TestLogs.lastSegment(dataDir);
		TestLogs.appendBytes(segment, new byte[] { 0, 0, 1 });
		assertThat(reopen().entries()).hasSize(20);
		assertThat(Files.size(segment)).isEqualTo(size);
		assertThat(warnings()).hasSize(1);
	}

	@Test
	void aZeroFilledTailIsSpaceWrittenAheadAndAppendsFillIt() throws Exception {
		long size = writeLog();
		Path segment = TestLogs.lastSegment(dataDir);
		TestLogs.appendBytes(segment, new byte[4096]);

		try (FileLogStore store = new FileLogStore(dataDir, true)) {
			assertThat(store.open().entries()).isEqualTo(TestLogs.puts(1, 20, 1));
			assertThat(Files.size(segment)).as("kept, not cut").isEqualTo(size + 4096);
			store.append(TestLogs.puts(21, 25, 1));
			store.sync();
		}
		assertThat(reopen().entries()).isEqualTo(TestLogs.puts(1, 25, 1));
		assertThat(warnings()).isEmpty();
	}

	@Test
	void anIntactRecordAfterZerosIsCorruption() throws Exception {
		writeLog();
		Path segment = TestLogs.lastSegment(dataDir);
		long lastRecord = TestLogs.recordOffsets(segment).getLast();
		byte[] record = java.util.Arrays.copyOfRange(Files.readAllBytes(segment), (int) lastRecord,
				(int) Files.size(segment));
		TestLogs.appendBytes(segment, new byte[4096]);
		TestLogs.appendBytes(segment, record);

		assertThatThrownBy(this::reopen).isInstanceOf(LogCorruptedException.class)
			.hasMessageContaining("intact records after it");
	}

	@Test
	void aStoreThatStopsWithoutClosingLeavesZerosAheadThatRecoveryKeepsQuietly() throws Exception {
		Path copy = Files.createTempDirectory(dataDir.getParent(), "crashed");
		try (FileLogStore store = new FileLogStore(dataDir, true)) {
			store.open();
			store.append(TestLogs.puts(1, 20, 1));
			store.commit(5);
			store.sync();
			// The files as a kill -9 would leave them: the store never closes.
			copyTree(dataDir, copy);
		}
		Path segment = TestLogs.lastSegment(copy);
		long records = TestLogs.recordOffsets(TestLogs.lastSegment(dataDir)).getLast();
		assertThat(Files.size(segment)).as("zeros written ahead of the records").isGreaterThan(records + 4096);

		try (FileLogStore store = new FileLogStore(copy, true)) {
			Recovered recovered = store.open();
			assertThat(recovered.entries()).isEqualTo(TestLogs.puts(1, 20, 1));
			assertThat(recovered.commitIndex()).isEqualTo(5);
			store.append(TestLogs.puts(21, 30, 1));
			store.sync();
		}
		try (FileLogStore store = new FileLogStore(copy, true)) {
			assertThat(store.open().entries()).isEqualTo(TestLogs.puts(1, 30, 1));
		}
		assertThat(warnings()).isEmpty();
	}

	@Test
	void fullSegmentsAndACleanCloseGiveTheZerosBack() throws Exception {
		try (FileLogStore store = new FileLogStore(dataDir, true, 512)) {
			store.open();
			for (long i = 1; i <= 60; i += 5) {
				store.append(TestLogs.puts(i, i + 4, 1));
				store.sync();
			}
		}
		List<Path> segments = TestLogs.segments(dataDir);
		assertThat(segments).hasSizeGreaterThan(2);
		for (Path segment : segments) {
			SegmentReader.Result read = SegmentReader.read(segment, (position, record) -> {
			});
			assertThat(read.validBytes()).as(segment.toString()).isEqualTo(read.fileBytes()).isPositive();
		}
	}

	private static void copyTree(Path from, Path to) throws java.io.IOException {
		try (var files = Files.walk(from)) {
			for (Path file : files.toList()) {
				Path target = to.resolve(from.relativize(file).toString());
				if (Files.isDirectory(file)) {
					Files.createDirectories(target);
				}
				else {
					Files.copy(file, target);
				}
			}
		}
	}

	@Test
	void flippedByteInTheLastRecordIsATornTail() throws Exception {
		long size = writeLog();
		Path segment = TestLogs.lastSegment(dataDir);
		long lastRecord = TestLogs.recordOffsets(segment).getLast();
		TestLogs.flipByte(segment, size - 2);

		assertThat(reopen().entries()).isEqualTo(TestLogs.puts(1, 19, 1));
		assertThat(Files.size(segment)).isEqualTo(lastRecord);
	}

	@Test
	void flippedByteInAMiddleRecordIsCorruption() throws Exception {
		long size = writeLog();
		Path segment = TestLogs.lastSegment(dataDir);
		long middle = TestLogs.recordOffsets(segment).get(8);
		TestLogs.flipByte(segment, middle + 12);

		assertThatThrownBy(this::reopen).isInstanceOf(LogCorruptedException.class)
			.hasMessageContaining(segment.toAbsolutePath().toString())
			.hasMessageContaining("offset " + middle)
			.hasMessageContaining("checksum mismatch");
		assertThat(Files.size(segment)).as("nothing is cut").isEqualTo(size);
	}

	@Test
	void damagedLengthInAMiddleRecordIsCorruption() throws Exception {
		writeLog();
		Path segment = TestLogs.lastSegment(dataDir);
		long middle = TestLogs.recordOffsets(segment).get(3);
		TestLogs.flipByte(segment, middle);

		assertThatThrownBy(this::reopen).isInstanceOf(LogCorruptedException.class)
			.hasMessageContaining("offset " + middle);
	}

	@Test
	void damageAtTheEndOfAnOlderSegmentIsCorruption() throws Exception {
		try (FileLogStore store = new FileLogStore(dataDir, true, 512)) {
			store.open();
			store.append(TestLogs.puts(1, 60, 1));
			store.sync();
		}
		List<Path> segments = TestLogs.segments(dataDir);
		assertThat(segments).hasSizeGreaterThan(2);
		Path first = segments.getFirst();
		TestLogs.cutBytes(first, 2);

		assertThatThrownBy(() -> new FileLogStore(dataDir, true, 512).open()).isInstanceOf(LogCorruptedException.class)
			.hasMessageContaining(first.toAbsolutePath().toString())
			.hasMessageContaining("followed by others");
	}

	@Test
	void missingSegmentIsAGap() throws Exception {
		try (FileLogStore store = new FileLogStore(dataDir, true, 512)) {
			store.open();
			store.append(TestLogs.puts(1, 60, 1));
			store.sync();
		}
		List<Path> segments = TestLogs.segments(dataDir);
		Files.delete(segments.get(1));

		assertThatThrownBy(() -> new FileLogStore(dataDir, true, 512).open()).isInstanceOf(LogCorruptedException.class)
			.hasMessageContaining("does not follow");
	}

	@Test
	void appendingAfterACutTailContinuesFromThere() throws Exception {
		writeLog();
		TestLogs.cutBytes(TestLogs.lastSegment(dataDir), 5);
		try (FileLogStore store = new FileLogStore(dataDir, true)) {
			assertThat(store.open().entries()).hasSize(19);
			store.append(List.of(new LogEntry(20, 2, TestLogs.put(20, 2).command())));
			store.sync();
		}
		assertThat(reopen().entries()).hasSize(20).endsWith(TestLogs.put(20, 2));
	}

}
