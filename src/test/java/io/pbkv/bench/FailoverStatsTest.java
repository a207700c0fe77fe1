package io.pbkv.bench;

import io.pbkv.config.KvProperties;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

class FailoverStatsTest {

	private static final Duration TIMEOUT = Duration.ofSeconds(3);

	private static FailoverStats.Round round(int number, Long millis) {
		return new FailoverStats.Round(number, "a", "b",
				Optional.ofNullable(millis).map(Duration::ofMillis), 100);
	}

	@Test
	void theTargetIsTheHeartbeatTimeoutPlusOneSecond() {
		FailoverStats stats = new FailoverStats(List.of(), TIMEOUT);

		assertThat(stats.target()).isEqualTo(Duration.ofSeconds(4));
	}

	@Test
	void maxIsTheLongestRoundAndMetWhenEveryRoundIsUnderTheTarget() {
		FailoverStats stats = new FailoverStats(List.of(round(1, 3055L), round(2, 3999L), round(3, 3100L)), TIMEOUT);

		assertThat(stats.max()).contains(Duration.ofMillis(3999));
		assertThat(stats.timedOut()).isZero();
		assertThat(stats.acknowledged()).isEqualTo(300);
		assertThat(stats.met()).isTrue();
	}

	@Test
	void aRoundOfExactlyTheTargetDoesNotMeetIt() {
		FailoverStats stats = new FailoverStats(List.of(round(1, 1000L), round(2, 4000L)), TIMEOUT);

		assertThat(stats.met()).isFalse();
	}

	@Test
	void aRoundThatNeverRecoveredIsCountedAndFailsTheTarget() {
		FailoverStats stats = new FailoverStats(List.of(round(1, 3000L), round(2, null)), TIMEOUT);

		assertThat(stats.timedOut()).isEqualTo(1);
		assertThat(stats.max()).contains(Duration.ofMillis(3000));
		assertThat(stats.met()).isFalse();
	}

	@Test
	void noRoundsHaveNoMaxAndDoNotMeetTheTarget() {
		FailoverStats stats = new FailoverStats(List.of(), TIMEOUT);

		assertThat(stats.max()).isEmpty();
		assertThat(stats.met()).isFalse();
	}

	@Test
	void theBenchmarksHeartbeatTimeoutIsTheNodesDefault() {
		// The pair runs without kv.heartbeat.timeout; the target printed must use what the nodes then use.
		KvProperties defaults = new Binder(new MapConfigurationPropertySource(Map.of("kv.advertised-url",
				"http://127.0.0.1:8081")))
			.bind("kv", KvProperties.class)
			.get();

		assertThat(defaults.heartbeat().timeout()).isEqualTo(FailoverBench.DEFAULT_HEARTBEAT_TIMEOUT);
	}

	@Test
	void readBackCountsMissingAndWrongValuesAsLostButNotUnanswered() {
		assertThat(new ReadBack(10, 0, 0, 0).allPresent()).isTrue();
		assertThat(new ReadBack(10, 1, 2, 0).lost()).isEqualTo(3);
		ReadBack unchecked = new ReadBack(10, 0, 0, 1);
		assertThat(unchecked.lost()).isZero();
		assertThat(unchecked.allPresent()).isFalse();
	}

}
