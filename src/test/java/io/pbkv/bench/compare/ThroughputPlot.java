package io.pbkv.bench.compare;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A small hand-written SVG: PUT throughput (ops/s, y) against connections (x, one evenly spaced tick per count
 * measured, as 1, 64, 256 would crowd a linear axis), one polyline with dots per system, and a legend.
 */
final class ThroughputPlot {

	private static final String[] COLOURS = { "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e" };

	private static final int WIDTH = 640;

	private static final int HEIGHT = 400;

	private static final int LEFT = 70;

	private static final int RIGHT = 150;

	private static final int TOP = 40;

	private static final int BOTTOM = 50;

	private ThroughputPlot() {
	}

	/**
	 * @param title the heading above the plot
	 * @param connections the x ticks, in order
	 * @param series per system (in legend order), ops/s per connection count; a missing count leaves a gap
	 */
	static String svg(String title, List<Integer> connections, Map<String, Map<Integer, Double>> series) {
		double max = 0;
		for (Map<Integer, Double> points : series.values()) {
			for (double v : points.values()) {
				if (!Double.isNaN(v)) {
					max = Math.max(max, v);
				}
			}
		}
		double top = niceCeiling(max);
		int plotWidth = WIDTH - LEFT - RIGHT;
		int plotHeight = HEIGHT - TOP - BOTTOM;
		StringBuilder svg = new StringBuilder();
		svg.append(String.format(Locale.ROOT,
				"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\""
						+ " font-family=\"sans-serif\" font-size=\"12\">%n",
				WIDTH, HEIGHT, WIDTH, HEIGHT));
		svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, HEIGHT));
		svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"22\" font-size=\"14\">%s</text>%n", LEFT,
				escape(title)));
		// axes
		svg.append(String.format(Locale.ROOT,
				"<polyline points=\"%d,%d %d,%d %d,%d\" fill=\"none\" stroke=\"black\"/>%n", LEFT, TOP, LEFT,
				TOP + plotHeight, LEFT + plotWidth, TOP + plotHeight));
		for (int i = 0; i <= 4; i++) {
			double value = top * i / 4;
			int y = TOP + plotHeight - (int) Math.round(plotHeight * i / 4.0);
			svg.append(String.format(Locale.ROOT,
					"<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#ddd\"/>"
							+ "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>%n",
					LEFT + 1, y, LEFT + plotWidth, y, LEFT - 6, y + 4, String.format(Locale.ROOT, "%.0f", value)));
		}
		for (int i = 0; i < connections.size(); i++) {
			int x = x(i, connections.size(), plotWidth);
			svg.append(String.format(Locale.ROOT,
					"<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>"
							+ "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%d</text>%n",
					x, TOP + plotHeight, x, TOP + plotHeight + 5, x, TOP + plotHeight + 20, connections.get(i)));
		}
		svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">connections</text>%n",
				LEFT + plotWidth / 2, HEIGHT - 10));
		svg.append(String.format(Locale.ROOT,
				"<text x=\"16\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 16 %d)\">PUT ops/s</text>%n",
				TOP + plotHeight / 2, TOP + plotHeight / 2));
		int n = 0;
		for (Map.Entry<String, Map<Integer, Double>> entry : series.entrySet()) {
			String colour = COLOURS[n % COLOURS.length];
			List<String> points = new ArrayList<>();
			for (int i = 0; i < connections.size(); i++) {
				Double v = entry.getValue().get(connections.get(i));
				if (v == null || v.isNaN()) {
					continue;
				}
				int x = x(i, connections.size(), plotWidth);
				int y = TOP + plotHeight - (int) Math.round(plotHeight * v / top);
				points.add(x + "," + y);
				svg.append(String.format(Locale.ROOT, "<circle cx=\"%d\" cy=\"%d\" r=\"3\" fill=\"%s\"/>%n", x, y,
						colour));
			}
			svg.append(String.format(Locale.ROOT,
					"<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>%n",
					String.join(" ", points), colour));
			int ly = TOP + 10 + 20 * n;
			svg.append(String.format(Locale.ROOT,
					"<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"/>"
							+ "<text x=\"%d\" y=\"%d\">%s</text>%n",
					LEFT + plotWidth + 15, ly, LEFT + plotWidth + 35, ly, colour, LEFT + plotWidth + 40, ly + 4,
					escape(entry.getKey())));
			n++;
		}
		svg.append("</svg>\n");
		return svg.toString();
	}

	/** The smallest of 1, 2, 2.5, 5 times a power of ten that is at least {@code value} (1 for nothing). */
	static double niceCeiling(double value) {
		if (!(value > 0)) {
			return 1;
		}
		double power = Math.pow(10, Math.floor(Math.log10(value)));
		for (double step : new double[] { 1, 2, 2.5, 5, 10 }) {
			if (step * power >= value) {
				return step * power;
			}
		}
		return 10 * power;
	}

	private static int x(int index, int count, int plotWidth) {
		return LEFT + (int) Math.round(plotWidth * (index + 0.5) / count);
	}

	static String escape(String text) {
		return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
	}

	/** An empty, insertion-ordered series map. */
	static Map<String, Map<Integer, Double>> series() {
		return new LinkedHashMap<>();
	}

}
