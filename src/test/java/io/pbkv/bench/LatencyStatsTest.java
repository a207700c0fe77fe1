package io.pbkv.bench;

import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.within;

class LatencyStatsTest {

	@Test
	void percentileIsTheNearestRankSample() {
		long[] oneToHundred = LongStream.rangeClosed(1, 100).toArray();

		assertThat(LatencyStats.percentile(oneToHundred, 50)).isEqualTo(50);
		assertThat(LatencyStats.percentile(oneToHundred, 99)).isEqualTo(99);
		assertThat(LatencyStats.percentile(oneToHundred, 99.5)).isEqualTo(100);
		assertThat(LatencyStats.percentile(oneToHundred, 100)).isEqualTo(100);
		assertThat(LatencyStats.percentile(oneToHundred, 0.1)).isEqualTo(1);
	}

	@Test
	void percentileOfFewSamplesIsAlwaysAnObservedValue() {
		long[] sorted = { 10, 20, 30, 40 };

		assertThat(LatencyStats.percentile(sorted, 50)).isEqualTo(20);
		assertThat(LatencyStats.percentile(sorted, 51)).isEqualTo(30);
		assertThat(LatencyStats.percentile(sorted, 99)).isEqualTo(40);
		assertThat(LatencyStats.percentile(new long[] { 7 }, 99)).isEqualTo(7);
	}

	@Test
	void percentileRejectsNoSamplesAndOutOfRangeRanks() {
		assertThatIllegalArgumentException().isThrownBy(() -> LatencyStats.percentile(new long[0], 50));
		assertThatIllegalArgumentException().isThrownBy(() -> LatencyStats.percentile(new long[] { 1 }, 0));
		assertThatIllegalArgumentException().isThrownBy(() -> LatencyStats.percentile(new long[] { 1 }, 100.1));
	}

	@Test
	void statsSortUnorderedNanosAndReportMilliseconds() {
		long[] nanos = { 3_000_000, 1_000_000, 4_000_000, 2_000_000 };

		LatencyStats stats = LatencyStats.of(nanos);

		assertThat(stats.count()).isEqualTo(4);
		assertThat(stats.meanMillis()).isCloseTo(2.5, within(1e-9));
		assertThat(stats.p50Millis()).isCloseTo(2.0, within(1e-9));
		assertThat(stats.p99Millis()).isCloseTo(4.0, within(1e-9));
		assertThat(stats.maxMillis()).isCloseTo(4.0, within(1e-9));
	}

	@Test
	void statsOfNoSamplesAreNotANumber() {
		LatencyStats stats = LatencyStats.of(new long[0]);

		assertThat(stats.count()).isZero();
		assertThat(stats.p50Millis()).isNaN();
		assertThat(stats.p99Millis()).isNaN();
	}

	@Test
	void samplesGrowPastTheirInitialCapacityAndMerge() {
		LatencySamples first = new LatencySamples();
		LatencySamples second = new LatencySamples();
		for (long i = 1; i <= 3000; i++) {
			first.add(i * 1_000_000);
		}
		second.add(5_000_000_000L);

		first.addAll(second);

		assertThat(first.size()).isEqualTo(3001);
		LatencyStats stats = first.stats();
		assertThat(stats.p50Millis()).isCloseTo(1501.0, within(1e-9));
		assertThat(stats.maxMillis()).isCloseTo(5000.0, within(1e-9));
	}

}
