package io.pbkv.cli;

import java.util.List;
import java.util.stream.Stream;

/** Left-aligned columns separated by two spaces; the last column is not padded. */
final class TextTable {

	private TextTable() {
	}

	static String render(List<String> header, List<List<String>> rows) {
		int[] widths = new int[header.size()];
		for (List<String> row : concat(header, rows)) {
			for (int c = 0; c < row.size(); c++) {
				widths[c] = Math.max(widths[c], width(row.get(c)));
			}
		}
		StringBuilder out = new StringBuilder();
		for (List<String> row : concat(header, rows)) {
			for (int c = 0; c < row.size(); c++) {
				String cell = row.get(c);
				out.append(cell);
				if (c < row.size() - 1) {
					out.append(" ".repeat(widths[c] - width(cell) + 2));
				}
			}
			out.append('\n');
		}
		return out.toString();
	}

	private static List<List<String>> concat(List<String> header, List<List<String>> rows) {
		return Stream.concat(Stream.of(header), rows.stream()).toList();
	}

	private static int width(String text) {
		return text.codePointCount(0, text.length());
	}

}
