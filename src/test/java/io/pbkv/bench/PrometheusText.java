package io.pbkv.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

/**
 * The samples of a node's {@code /actuator/prometheus} answer (text format 0.0.4), read without a client library:
 * one sample a line, {@code name{label="value",...} number}, comments starting with {@code #}.
 *
 * @param samples every sample, in the order of the answer
 */
record PrometheusText(List<Sample> samples) {

	/**
	 * One line of the answer.
	 *
	 * @param name the metric name, such as {@code jvm_memory_used_bytes}
	 * @param labels what stood between the braces, such as {@code area="heap",id="G1 Eden Space"}; empty without
	 * @param value the number, NaN for {@code NaN} and unparsable values
	 */
	record Sample(String name, String labels, double value) {

		boolean hasLabel(String name, String value) {
			return (',' + this.labels + ',').contains(',' + name + "=\"" + value + "\",");
		}

	}

	PrometheusText {
		samples = List.copyOf(samples);
	}

	static PrometheusText parse(String text) {
		List<Sample> samples = new ArrayList<>();
		for (String raw : text.split("\n")) {
			String line = raw.strip();
			if (line.isEmpty() || line.startsWith("#")) {
				continue;
			}
			int brace = line.indexOf('{');
			int space = line.indexOf(' ');
			String name;
			String labels;
			String rest;
			if (brace >= 0 && (space < 0 || brace < space)) {
				int close = line.lastIndexOf('}');
				if (close < brace) {
					continue;
				}
				name = line.substring(0, brace);
				labels = line.substring(brace + 1, close);
				rest = line.substring(close + 1).strip();
			}
			else if (space > 0) {
				name = line.substring(0, space);
				labels = "";
				rest = line.substring(space + 1).strip();
			}
			else {
				continue;
			}
			if (labels.endsWith(",")) {
				labels = labels.substring(0, labels.length() - 1);
			}
			// A timestamp may follow the value.
			int end = rest.indexOf(' ');
			samples.add(new Sample(name, labels, number((end < 0) ? rest : rest.substring(0, end))));
		}
		return new PrometheusText(samples);
	}

	/** The largest value of metric {@code name} over all its label sets; empty when there is no such metric. */
	OptionalDouble max(String name) {
		return this.samples.stream()
			.filter((sample) -> sample.name().equals(name) && !Double.isNaN(sample.value()))
			.mapToDouble(Sample::value)
			.max();
	}

	/** The sum of metric {@code name} over all its label sets; empty when there is no such metric. */
	OptionalDouble sum(String name) {
		List<Sample> matching = this.samples.stream()
			.filter((sample) -> sample.name().equals(name) && !Double.isNaN(sample.value()))
			.toList();
		return matching.isEmpty() ? OptionalDouble.empty()
				: OptionalDouble.of(matching.stream().mapToDouble(Sample::value).sum());
	}

	/**
	 * The sum of metric {@code name} over the samples labelled {@code label="value"}, such as the heap pools of
	 * {@code jvm_memory_used_bytes}; empty when there is no such sample. Negative values are left out: the JVM's
	 * memory meters say -1 for a pool without a limit of its own.
	 */
	OptionalDouble sum(String name, String label, String value) {
		List<Sample> matching = this.samples.stream()
			.filter((sample) -> sample.name().equals(name) && sample.hasLabel(label, value)
					&& !Double.isNaN(sample.value()) && sample.value() >= 0)
			.toList();
		return matching.isEmpty() ? OptionalDouble.empty()
				: OptionalDouble.of(matching.stream().mapToDouble(Sample::value).sum());
	}

	private static double number(String text) {
		try {
			return Double.parseDouble(text);
		}
		catch (NumberFormatException ex) {
			// Java spells infinity differently; anything else is not a number
			return switch (text) {
				case "+Inf" -> Double.POSITIVE_INFINITY;
				case "-Inf" -> Double.NEGATIVE_INFINITY;
				default -> Double.NaN;
			};
		}
	}

}
