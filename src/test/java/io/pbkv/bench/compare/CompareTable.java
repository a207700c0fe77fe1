package io.pbkv.bench.compare;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The comparison's one table: fixed columns, widths fitted to the content, and the same rows as CSV. The ratio
 * columns compare a pbkv pair row with etcd's and Redis's row of the same workload and load: for closed-loop rows
 * ops/s over ops/s (above 1: pbkv serves more), for fixed-rate rows p99 over p99 (below 1: pbkv answers faster).
 */
final class CompareTable {

	static final List<String> HEADINGS = List.of("system", "workload", "conns/rate", "ops/s", "p50 ms", "p99 ms",
			"p99.9 ms", "errors", "pbkv/etcd", "pbkv/Redis", "note");

	/** Columns aligned right (numbers); the others are aligned left. */
	private static final boolean[] RIGHT = { false, false, false, true, true, true, true, true, true, true, false };

	private CompareTable() {
	}

	/** The table's lines: headings, a rule, and one line per row; no trailing spaces. */
	static List<String> format(List<CompareRow> rows) {
		List<List<String>> cells = new ArrayList<>();
		cells.add(HEADINGS);
		for (CompareRow row : rows) {
			cells.add(cells(row));
		}
		int[] widths = new int[HEADINGS.size()];
		for (List<String> line : cells) {
			for (int i = 0; i < widths.length; i++) {
				widths[i] = Math.max(widths[i], line.get(i).length());
			}
		}
		List<String> lines = new ArrayList<>();
		for (int n = 0; n < cells.size(); n++) {
			lines.add(line(cells.get(n), widths));
			if (n == 0) {
				StringBuilder rule = new StringBuilder();
				for (int i = 0; i < widths.length; i++) {
					rule.append(i == 0 ? "" : "  ").append("-".repeat(widths[i]));
				}
				lines.add(rule.toString());
			}
		}
		return lines;
	}

	/** The rows as CSV with the same headings; numbers unformatted, NaN as an empty field. */
	static String csv(List<CompareRow> rows) {
		StringBuilder out = new StringBuilder();
		out.append(String.join(",", HEADINGS.stream().map(CompareTable::csvField).toList())).append('\n');
		for (CompareRow row : rows) {
			List<String> fields = List.of(row.system(), row.workload(), row.load(), csvNumber(row.opsPerSecond(), "%.1f"),
					csvNumber(row.p50Millis(), "%.3f"), csvNumber(row.p99Millis(), "%.3f"),
					csvNumber(row.p999Millis(), "%.3f"),
					row.errors() < 0 ? "" : Long.toString(row.errors()), row.vsEtcd(), row.vsRedis(), row.note());
			out.append(String.join(",", fields.stream().map(CompareTable::csvField).toList())).append('\n');
		}
		return out.toString();
	}

	/** {@code pbkv / other} as {@code 1.23x}, or {@code -} when either is not a positive number. */
	static String ratio(double pbkv, double other) {
		if (Double.isNaN(pbkv) || Double.isNaN(other) || !(other > 0)) {
			return "-";
		}
		return String.format(Locale.ROOT, "%.2fx", pbkv / other);
	}

	/**
	 * The rows with the ratio columns filled on every {@code pbkvSystem} row that has a same-workload same-load row
	 * of {@code etcd} or {@code redis}: ops/s for closed-loop rows, p99 for fixed-rate rows.
	 */
	static List<CompareRow> withRatios(List<CompareRow> rows, String pbkvSystem, String etcd, String redis) {
		List<CompareRow> result = new ArrayList<>();
		for (CompareRow row : rows) {
			if (!row.system().equals(pbkvSystem)) {
				result.add(row);
				continue;
			}
			result.add(row.withRatios(compare(row, find(rows, etcd, row)), compare(row, find(rows, redis, row))));
		}
		return result;
	}

	private static String compare(CompareRow pbkv, Optional<CompareRow> other) {
		return other.map((o) -> pbkv.closedLoop() ? ratio(pbkv.opsPerSecond(), o.opsPerSecond())
				: ratio(pbkv.p99Millis(), o.p99Millis()) + " p99").orElse("");
	}

	static Optional<CompareRow> find(List<CompareRow> rows, String system, CompareRow like) {
		return rows.stream()
			.filter((r) -> r.system().equals(system) && r.workload().equals(like.workload())
					&& r.load().equals(like.load()))
			.findFirst();
	}

	private static List<String> cells(CompareRow row) {
		return List.of(row.system(), row.workload(), row.load(), number(row.opsPerSecond(), "%.0f"),
				number(row.p50Millis(), "%.2f"), number(row.p99Millis(), "%.2f"), number(row.p999Millis(), "%.2f"),
				row.errors() < 0 ? "-" : Long.toString(row.errors()), row.vsEtcd().isEmpty() ? "-" : row.vsEtcd(),
				row.vsRedis().isEmpty() ? "-" : row.vsRedis(), row.note());
	}

	private static String line(List<String> cells, int[] widths) {
		StringBuilder line = new StringBuilder();
		for (int i = 0; i < widths.length; i++) {
			String cell = cells.get(i);
			if (i > 0) {
				line.append("  ");
			}
			String pad = " ".repeat(widths[i] - cell.length());
			line.append(RIGHT[i] ? pad + cell : cell + pad);
		}
		return line.toString().stripTrailing();
	}

	/** For the table: {@code -} when not a number. */
	private static String number(double value, String format) {
		return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, format, value);
	}

	/** For the CSV: an empty field when not a number. */
	private static String csvNumber(double value, String format) {
		return Double.isNaN(value) ? "" : String.format(Locale.ROOT, format, value);
	}

	static String csvField(String text) {
		if (text.contains(",") || text.contains("\"") || text.contains("\n")) {
			return "\"" + text.replace("\"", "\"\"") + "\"";
		}
		return text;
	}

}
