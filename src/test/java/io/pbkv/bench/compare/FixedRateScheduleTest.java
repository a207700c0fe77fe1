package io.pbkv.bench.compare;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FixedRateScheduleTest {

	@Test
	void connectionsInterleaveIntoOneEvenlySpacedStream() {
		FixedRateSchedule schedule = new FixedRateSchedule(1000, 4);
		// request k of connection c is number 4k + c of the stream, due (4k + c) ms after the start
		assertThat(schedule.intendedOffsetNanos(0, 0)).isZero();
		assertThat(schedule.intendedOffsetNanos(1, 0)).isEqualTo(1_000_000);
		assertThat(schedule.intendedOffsetNanos(3, 0)).isEqualTo(3_000_000);
		assertThat(schedule.intendedOffsetNanos(0, 1)).isEqualTo(4_000_000);
		assertThat(schedule.intendedOffsetNanos(1, 2)).isEqualTo(9_000_000);
		assertThat(schedule.perConnectionIntervalNanos()).isEqualTo(4_000_000.0);
	}

	@Test
	void dueWithinCountsTheRequestsBeforeTheEndAndTheyAddUpToRateTimesDuration() {
		FixedRateSchedule schedule = new FixedRateSchedule(1000, 4);
		long second = 1_000_000_000L;
		// connection 0 sends at 0, 4, ..., 996 ms: 250; connection 3 at 3, 7, ..., 999 ms: 250
		assertThat(schedule.dueWithin(0, second)).isEqualTo(250);
		assertThat(schedule.dueWithin(3, second)).isEqualTo(250);
		// 10 ms: connection 1 at 1, 5, 9 ms; connection 2 at 2, 6 ms (10 ms is not before the end)
		assertThat(schedule.dueWithin(1, 10_000_000)).isEqualTo(3);
		assertThat(schedule.dueWithin(2, 10_000_000)).isEqualTo(2);
		assertThat(schedule.dueWithin(0, 0)).isZero();
		FixedRateSchedule odd = new FixedRateSchedule(1234.5, 64);
		long total = 0;
		for (int c = 0; c < 64; c++) {
			long due = odd.dueWithin(c, 10 * second);
			total += due;
			assertThat(odd.intendedOffsetNanos(c, due - 1)).isLessThan(10 * second);
			assertThat(odd.intendedOffsetNanos(c, due)).isGreaterThanOrEqualTo(10 * second);
		}
		assertThat(total).isEqualTo(12345);
	}

	@Test
	void aRateMustBePositiveAndConnectionsAtLeastOne() {
		assertThatThrownBy(() -> new FixedRateSchedule(0, 1)).isInstanceOf(IllegalArgumentException.class);
		assertThatThrownBy(() -> new FixedRateSchedule(Double.NaN, 1)).isInstanceOf(IllegalArgumentException.class);
		assertThatThrownBy(() -> new FixedRateSchedule(10, 0)).isInstanceOf(IllegalArgumentException.class);
	}

}
