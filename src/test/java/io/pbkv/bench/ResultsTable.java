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

	boolean anyFailures() {
		return this.rows.stream().anyMatch((row) -> row.failed() > 0);
	}

	private static String millis(double millis) {
		return Double.isNaN(millis) ? "-" : String.format(Locale.ROOT, "%.2f", millis);
	}

}
