package io.pbkv.bench;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class ResultsTableTest {

	private static Measurement row(String target, Operation operation, int clients, long ops, double p99) {
		return new Measurement(target, operation, clients, ops, 0, Duration.ofSeconds(1),
				new LatencyStats((int) ops, p99 / 2, p99 / 2, p99, p99));
	}

	@Test
	void ratioIsValueOverBaselineAndNotANumberWithoutAPositiveBaseline() {
		assertThat(ResultsTable.ratio(50, 200)).isCloseTo(0.25, within(1e-12));
		assertThat(ResultsTable.ratio(50, 0)).isNaN();
		assertThat(ResultsTable.ratio(50, Double.NaN)).isNaN();
		assertThat(ResultsTable.ratio(Double.NaN, 10)).isNaN();
	}

	@Test
	void comparisonPrintsEachRowOfTheOtherTargetBesideTheBaseline() {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		ResultsTable table = new ResultsTable(new PrintStream(bytes, true, StandardCharsets.UTF_8));
		table.add(row("lone node", Operation.PUT, 1, 200, 10));
		table.add(row("lone node", Operation.GET, 1, 1000, 2));
		table.add(row("pair (sync)", Operation.PUT, 1, 100, 25));
		table.add(row("pair (sync)", Operation.GET, 1, 1000, 2));
		table.add(row("pair (sync)", Operation.GET, 16, 5000, 4)); // no lone row to compare with
		bytes.reset();

		table.printComparison("lone node", "lone", "pair (sync)", "pair");

		String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
		assertThat(lines).hasSize(4);
		assertThat(lines[0]).startsWith("pair (sync) beside lone node");
		assertThat(lines[1].split("\\s+")).containsExactly("op", "clients", "lone", "ops/s", "pair", "ops/s", "ratio",
				"lone", "p99", "pair", "p99", "ratio");
		assertThat(lines[2].split("\\s+")).containsExactly("PUT", "1", "200", "100", "0.50x", "10.00", "25.00",
				"2.50x");
		assertThat(lines[3].split("\\s+")).containsExactly("GET", "1", "1000", "1000", "1.00x", "2.00", "2.00",
				"1.00x");
	}

}
