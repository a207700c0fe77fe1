package io.pbkv.storage;

import io.pbkv.core.Snapshot;
import io.pbkv.fuzz.Mutations;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * A snapshot fetched from a peer is read back and verified before it is installed: whatever its bytes, reading it
 * returns the snapshot that was written or throws an {@link IOException} (a {@link LogCorruptedException} for
 * damage), never another exception or an out-of-memory from a forged count ({@code -Dpbkv.fuzz.inputs=N}).
 */
class SnapshotFileFuzzTest {

	private static final long SEED = 7122026;

	@TempDir
	Path dir;

	@Test
	void readingAnyMutationOfASnapshotFileReturnsItOrRefusesIt() throws Exception {
		Snapshot snapshot = TestLogs.snapshot(300, 4, 60);
		SnapshotFile.write(dir, snapshot, false);
		byte[] valid = Files.readAllBytes(SnapshotFile.pathFor(dir, snapshot.lastIndex()));
		Path file = dir.resolve("fuzzed.snap");
		Mutations mutations = new Mutations(SEED);
		int inputs = Mutations.inputs(300_000) / 100;
		int refused = 0;
		for (int i = 0; i < inputs; i++) {
			byte[] input = mutations.mutate(valid);
			Files.write(file, input);
			try {
				Snapshot read = SnapshotFile.readAnyName(file);
				assertThat(read.lastIndex()).as("a mutation that passes the checks must be the snapshot itself")
					.isEqualTo(snapshot.lastIndex());
				assertThat(read.data()).isEqualTo(snapshot.data());
			}
			catch (IOException expected) {
				refused++;
			}
			catch (Throwable other) {
				fail("input " + i + " of seed " + SEED + " threw " + other + " instead of an IOException; "
						+ Mutations.show(input), other);
			}
		}
		assertThat(refused).as("inputs refused of " + inputs).isGreaterThan(inputs * 9 / 10);
	}

}
