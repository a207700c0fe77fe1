package io.pbkv.bench.compare;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskTailTest {

	@TempDir
	Path dir;

	@Test
	void samplesAtItsPaceAndDeletesItsFile() throws Exception {
		long started = System.nanoTime();
		DiskTail probe = DiskTail.start(this.dir, 100);
		Thread.sleep(300);
		DiskTail.Result result = probe.stop();
		long ranMillis = (System.nanoTime() - started) / 1_000_000;

		// one fsync at the start and then at most one per 10 ms: the probe must not load the disk it measures
		assertThat(result.fsyncs()).isBetween(3L, ranMillis / DiskTail.EVERY.toMillis() + 1);
		assertThat(result.percentileMillis(50)).isPositive().isLessThanOrEqualTo(result.percentileMillis(99));
		assertThat(result.maxMillis()).isGreaterThanOrEqualTo(result.percentileMillis(99.9));
		assertThat(result.stalls()).isBetween(0L, result.fsyncs());
		try (var files = Files.list(this.dir)) {
			assertThat(files).isEmpty();
		}
	}

}
