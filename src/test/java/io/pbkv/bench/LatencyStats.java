package io.pbkv.bench;

import java.util.Arrays;

/**
 * Summary of a set of latencies, in milliseconds. Percentiles use the nearest-rank method: the p-th
 * percentile is the smallest sample that at least p percent of the samples do not exceed, so it is always
 * a latency that was actually observed (no interpolation between two requests).
 *
 * @param count number of samples
 * @param meanMillis arithmetic mean, NaN without samples
 * @param p50Millis median, NaN without samples
 * @param p99Millis 99th percentile, NaN without samples
 * @param maxMillis largest sample, NaN without samples
 */
public record LatencyStats(int count, double meanMillis, double p50Millis, double p99Millis, double maxMillis) {

	private static final double NANOS_PER_MILLI = 1_000_000.0;

	/** Summarizes the given latencies in nanoseconds, in any order. The array is sorted in place. */
	static LatencyStats of(long[] nanos) {
		if (nanos.length == 0) {
			return new LatencyStats(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
		}
		Arrays.sort(nanos);
		double sum = 0;
		for (long n : nanos) {
			sum += n;
		}
		return new LatencyStats(nanos.length, sum / nanos.length / NANOS_PER_MILLI, millis(percentile(nanos, 50)),
				millis(percentile(nanos, 99)), millis(nanos[nanos.length - 1]));
	}

	/**
	 * The nearest-rank {@code p}-th percentile of {@code sorted} (ascending, not empty), for {@code 0 < p <= 100}.
	 */
	static long percentile(long[] sorted, double p) {
		if (sorted.length == 0) {
			throw new IllegalArgumentException("no samples");
		}
		if (!(p > 0 && p <= 100)) {
			throw new IllegalArgumentException("percentile must be in (0, 100], not " + p);
		}
		// p * n first: for integer p it is exact, where p / 100.0 * n can land just above an integer rank.
		int rank = (int) Math.ceil(p * sorted.length / 100.0);
		return sorted[Math.max(rank, 1) - 1];
	}

	private static double millis(long nanos) {
		return nanos / NANOS_PER_MILLI;
	}

}
