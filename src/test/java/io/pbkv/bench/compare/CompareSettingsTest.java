package io.pbkv.bench.compare;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CompareSettingsTest {

	@Test
	void defaultsAreTheDocumentedOnes() {
		CompareSettings settings = CompareSettings.fromEnvironment(Map.of());
		assertThat(settings.duration()).isEqualTo(Duration.ofSeconds(10));
		assertThat(settings.warmup()).isEqualTo(Duration.ofSeconds(20));
		assertThat(settings.systems()).containsExactly("pbkv", "etcd", "redis");
		assertThat(settings.connections()).containsExactly(1, 64, 256);
		assertThat(settings.midConnections()).isEqualTo(64);
		assertThat(settings.rate()).isEmpty();
		assertThat(settings.valueBytes()).isEqualTo(100);
		assertThat(settings.outDir().toString()).startsWith("target" + java.io.File.separator + "compare-");
		assertThat(settings.maxConnections()).isEqualTo(256);
	}

	@Test
	void theEnvironmentOverridesThem() {
		CompareSettings settings = CompareSettings.fromEnvironment(Map.of("PBKV_COMPARE_SECONDS", "2.5",
				"PBKV_COMPARE_SYSTEMS", " Redis, pbkv ", "PBKV_COMPARE_CONNECTIONS", "1, 8", "PBKV_COMPARE_RATE", "1500",
				"PBKV_COMPARE_OUT", "/tmp/x"));
		assertThat(settings.duration()).isEqualTo(Duration.ofMillis(2500));
		assertThat(settings.systems()).containsExactly("redis", "pbkv");
		assertThat(settings.runs("etcd")).isFalse();
		assertThat(settings.connections()).isEqualTo(List.of(1, 8));
		assertThat(settings.rate()).isEqualTo(Optional.of(1500.0));
		assertThat(settings.outDir()).isEqualTo(Path.of("/tmp/x"));
		assertThat(settings.maxConnections()).isEqualTo(64);
	}

	@Test
	void nonsenseIsRefusedWithTheVariableNamed() {
		assertThatThrownBy(() -> CompareSettings.fromEnvironment(Map.of("PBKV_COMPARE_SYSTEMS", "pbkv,mysql")))
			.hasMessageContaining("PBKV_COMPARE_SYSTEMS");
		assertThatThrownBy(() -> CompareSettings.fromEnvironment(Map.of("PBKV_COMPARE_CONNECTIONS", "0,4")))
			.hasMessageContaining("PBKV_COMPARE_CONNECTIONS");
		assertThatThrownBy(() -> CompareSettings.fromEnvironment(Map.of("PBKV_COMPARE_RATE", "-3")))
			.hasMessageContaining("PBKV_COMPARE_RATE");
		assertThatThrownBy(() -> CompareSettings.fromEnvironment(Map.of("PBKV_COMPARE_SECONDS", "ten")))
			.hasMessageContaining("PBKV_COMPARE_SECONDS");
	}

}
