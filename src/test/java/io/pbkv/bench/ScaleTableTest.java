package io.pbkv.bench;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.OptionalDouble;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ScaleTableTest {

	private static final long MIB = 1024 * 1024;

	private static ScaleRow row(MeterWatch.Result meters, OptionalLong backupWritten, TimedWait wiped) {
		KeyLoader.Result load = new KeyLoader.Result(20_000, 0, 2_000_000, Duration.ofSeconds(10), false);
		KeyLoader.Result lagging = new KeyLoader.Result(2_000, 0, 200_000, Duration.ofSeconds(1), false);
		AckGapWriter.Result gap = new AckGapWriter.Result(900, 0, Duration.ofMillis(250), 20_000);
		AckGapWriter.Result wipedGap = new AckGapWriter.Result(100, 1, Duration.ofMillis(3500), 2_000);
		KeyLoader.Result overwriteLoad = new KeyLoader.Result(20_000, 0, 2_000_000, Duration.ofSeconds(8), false);
		Overwrite overwrite = new Overwrite(overwriteLoad, OptionalDouble.of(4_300_000), OptionalLong.of(9_000_000));
		return new ScaleRow(20_000, load, meters, gap, overwrite, OptionalLong.of(20_200_000), backupWritten,
				OptionalLong.of(3 * MIB), OptionalLong.of(3 * MIB), OptionalDouble.of(100.0 * MIB),
				OptionalDouble.of(4000.0 * MIB), OptionalLong.of(400 * MIB),
				new TimedWait(TimedWait.State.REACHED, Duration.ofMillis(4200)),
				new TimedWait(TimedWait.State.REACHED, Duration.ofMillis(4300)), wiped, wipedGap,
				new TimedWait(TimedWait.State.REACHED, Duration.ofMillis(5000)), lagging);
	}

	private static String[] printed(ScaleRow row) {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		new ScaleTable(new PrintStream(bytes, true, StandardCharsets.UTF_8)).add(row);
		return bytes.toString(StandardCharsets.UTF_8).split("\n");
	}

	@Test
	void aRowPrintsEveryFigureUnderItsHeading() {
		MeterWatch.Result meters = new MeterWatch.Result(OptionalDouble.of(0.125), OptionalDouble.of(2),
				OptionalDouble.of(0.2), 10);
		ScaleRow row = row(meters, OptionalLong.of(9_898_000),
				new TimedWait(TimedWait.State.REACHED, Duration.ofMillis(12_340)));

		String[] lines = printed(row);

		assertThat(lines).hasSize(2);
		assertThat(lines[0].split("\\s+")).contains("keys", "keys/s", "snap", "stall", "answer", "wiped", "10%");
		// 30,098,000 bytes written for 2,020,000 sent: 14.9 for both, 10.0 for the primary alone
		assertThat(lines[1].strip().split("\\s+")).containsExactly("20000", "2000", "0", "0.13", "2", "0.200", "0.25",
				"14.9", "10.0", "2500", "2.15", "4.5", "3.0/3.0", "100/4000", "400", "4.2", "4.3", "12.3", "3.50", "5.0");
		assertThat(row.anyTimeout()).isFalse();
	}

	@Test
	void whatCouldNotBeReadOrReachedSaysSo() {
		MeterWatch.Result meters = new MeterWatch.Result(OptionalDouble.of(0), OptionalDouble.of(0),
				OptionalDouble.empty(), 10);
		ScaleRow row = row(meters, OptionalLong.empty(),
				new TimedWait(TimedWait.State.TIMEOUT, Duration.ofMinutes(10)));

		String[] cells = printed(row)[1].strip().split("\\s+");

		assertThat(cells[3]).isEqualTo("-"); // no snapshot during the load
		assertThat(cells[5]).isEqualTo("n/a"); // no kv_loop_stall meter
		assertThat(cells[7]).isEqualTo("n/a"); // the backup's write_bytes unreadable
		assertThat(cells[8]).isEqualTo("10.0");
		assertThat(cells[17]).isEqualTo("timeout");
		assertThat(row.anyTimeout()).isTrue();
	}

}
