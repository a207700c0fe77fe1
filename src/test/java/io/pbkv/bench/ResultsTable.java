package io.pbkv.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The measurements of one run: a fixed-width table, one row per target, operation and client count. */
final class ResultsTable {

	private static final String FORMAT = "%-12s %-4s %8s %10s %9s %9s %9s %8s%n";

	private final List<Measurement> rows = new ArrayList<>();

	private final PrintStream out;

	ResultsTable(PrintStream out) {
		this.out = out;
	}

	/** Records the row and prints it at once (after the column headings, before the first row). */
	void add(Measurement row) {
		if (this.rows.isEmpty()) {
			this.out.printf(Locale.ROOT, FORMAT, "target", "op", "clients", "ops/s", "p50 ms", "p99 ms", "max ms",
					"errors");
		}
		this.rows.add(row);
		LatencyStats latency = row.latency();
		this.out.printf(Locale.ROOT, FORMAT, row.target(), row.operation(), row.clients(),
				String.format(Locale.ROOT, "%.0f", row.opsPerSecond()), millis(latency.p50Millis()),
				millis(latency.p99Millis()), millis(latency.maxMillis()), row.failed());
	}

	Optional<Measurement> find(String target, Operation operation, int clients) {
		return this.rows.stream()
			.filter((row) -> row.target().equals(target) && row.operation() == operation && row.clients() == clients)
			.findFirst();
	}

	/**
	 * Prints the rows of target {@code other} beside those of {@code baseline}, one line per operation and client
	 * count both have, with the ratio other/baseline of ops/s and of p99; the short labels head the columns. For
	 * a pair against a lone node that is the cost of synchronous replication: ops/s ratio below 1, p99 above.
	 */
	void printComparison(String baseline, String baselineLabel, String other, String otherLabel) {
		String format = "%-4s %8s %11s %11s %7s %11s %11s %7s%n";
		this.out.printf(Locale.ROOT, "%s beside %s (p99 in ms; ratio = %s / %s):%n", other, baseline, otherLabel,
				baselineLabel);
		this.out.printf(Locale.ROOT, format, "op", "clients", baselineLabel + " ops/s", otherLabel + " ops/s", "ratio",
				baselineLabel + " p99", otherLabel + " p99", "ratio");
		for (Measurement mine : this.rows) {
			if (!mine.target().equals(other)) {
				continue;
			}
			find(baseline, mine.operation(), mine.clients()).ifPresent((base) -> this.out.printf(Locale.ROOT, format,
					mine.operation(), mine.clients(), String.format(Locale.ROOT, "%.0f", base.opsPerSecond()),
					String.format(Locale.ROOT, "%.0f", mine.opsPerSecond()),
					times(ratio(mine.opsPerSecond(), base.opsPerSecond())), millis(base.latency().p99Millis()),
					millis(mine.latency().p99Millis()),
					times(ratio(mine.latency().p99Millis(), base.latency().p99Millis()))));
		}
	}

	/** {@code value / baseline}, NaN when either is not a number or the baseline is not positive. */
	static double ratio(double value, double baseline) {
		if (Double.isNaN(value) || Double.isNaN(baseline) || !(baseline > 0)) {
			return Double.NaN;
		}
		return value / baseline;
	}

	private static String times(double ratio) {
		return Double.isNaN(ratio) ? "-" : String.format(Locale.ROOT, "%.2fx", ratio);
	}

	boolean anyFailures() {
		return this.rows.stream().anyMatch((row) -> row.failed() > 0);
	}

	private static String millis(double millis) {
		return Double.isNaN(millis) ? "-" : String.format(Locale.ROOT, "%.2f", millis);
	}

}
