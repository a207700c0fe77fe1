package io.pbkv.bench;

import io.pbkv.bench.BenchSettings.TargetKind;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class BenchSettingsTest {

	@Test
	void defaultsMeasureBothTargetsAndThreeFailovers() {
		BenchSettings settings = BenchSettings.fromEnvironment(Map.of());

		assertThat(settings.targets()).containsExactlyInAnyOrder(TargetKind.LONE, TargetKind.PAIR);
		assertThat(settings.failovers()).isEqualTo(3);
		assertThat(settings.duration()).isEqualTo(Duration.ofSeconds(10));
		assertThat(settings.clientCounts()).containsExactly(1, 16, 64);
	}

	@Test
	void targetsAreCaseAndOrderInsensitive() {
		assertThat(BenchSettings.targets("pair")).containsExactly(TargetKind.PAIR);
		assertThat(BenchSettings.targets(" PAIR , lone,")).containsExactlyInAnyOrder(TargetKind.LONE, TargetKind.PAIR);
		assertThat(BenchSettings.fromEnvironment(Map.of("PBKV_BENCH_TARGETS", "lone")).measures(TargetKind.PAIR))
			.isFalse();
	}

	@Test
	void unknownOrNoTargetsAreRefused() {
		assertThatIllegalArgumentException().isThrownBy(() -> BenchSettings.targets("lone,trio"))
			.withMessageContaining("PBKV_BENCH_TARGETS");
		assertThatIllegalArgumentException().isThrownBy(() -> BenchSettings.targets(" , "));
	}

	@Test
	void scaleRowsDefaultTo100kAnd1MKeysOf100BytesWithTheDefaultHeap() {
		BenchSettings settings = BenchSettings.fromEnvironment(Map.of());

		assertThat(settings.measures(TargetKind.SCALE)).isFalse();
		assertThat(settings.scaleKeys()).containsExactly(100_000L, 1_000_000L);
		assertThat(settings.scaleValueBytes()).isEqualTo(100);
		assertThat(settings.scaleXmx()).isEmpty();
		assertThat(settings.scaleJvmOptions()).isEmpty();
		assertThat(settings.scaleWait()).isEqualTo(Duration.ofMinutes(10));
	}

	@Test
	void scaleSettingsAreReadFromTheEnvironment() {
		BenchSettings settings = BenchSettings.fromEnvironment(Map.of("PBKV_BENCH_TARGETS", "scale",
				"PBKV_BENCH_SCALE_KEYS", "20000, 10_000_000", "PBKV_BENCH_SCALE_XMX", "2g",
				"PBKV_BENCH_SCALE_WAIT_SECONDS", "30"));

		assertThat(settings.targets()).containsExactly(TargetKind.SCALE);
		assertThat(settings.scaleKeys()).containsExactly(20_000L, 10_000_000L);
		assertThat(settings.scaleJvmOptions()).containsExactly("-Xmx2g");
		assertThat(settings.scaleWait()).isEqualTo(Duration.ofSeconds(30));
	}

	@Test
	void scaleKeysMustBePositiveCounts() {
		for (String bad : List.of("", "0", "-5", "1M", "100000,,x")) {
			assertThatIllegalArgumentException().isThrownBy(() -> BenchSettings.scaleKeys(bad))
				.withMessageContaining("PBKV_BENCH_SCALE_KEYS");
		}
	}

	@Test
	void failoversMayBeZeroButNotNegativeOrText() {
		assertThat(BenchSettings.fromEnvironment(Map.of("PBKV_BENCH_FAILOVERS", "0")).failovers()).isZero();
		for (String bad : List.of("-1", "three")) {
			assertThatIllegalArgumentException()
				.isThrownBy(() -> BenchSettings.fromEnvironment(Map.of("PBKV_BENCH_FAILOVERS", bad)))
				.withMessageContaining("PBKV_BENCH_FAILOVERS");
		}
	}

}
