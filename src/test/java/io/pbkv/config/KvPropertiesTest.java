package io.pbkv.config;

import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/** The {@code kv.*} settings as start-up binds and validates them: what is refused, and with which message. */
class KvPropertiesTest {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withUserConfiguration(Settings.class)
		.withPropertyValues("kv.node-id=a", "kv.advertised-url=http://localhost:8081");

	@Configuration(proxyBeanMethods = false)
	@EnableConfigurationProperties(KvProperties.class)
	static class Settings {

	}

	@Test
	void theDefaultsAreValid() {
		runner.run(context -> assertThat(context).hasNotFailed().hasSingleBean(KvProperties.class));
	}

	@Test
	void theHighestLimitsAreAccepted() {
		runner.withPropertyValues("kv.limits.max-value-bytes=64MB", "kv.limits.max-key-bytes=65536")
			.run(context -> assertThat(context).hasNotFailed());
	}

	@Test
	void limitsAboveWhatOneLogRecordHoldsAreRefused() {
		assertRefused("kv.limits.max-key-bytes must be between 1 and 65536", "kv.limits.max-key-bytes=65537");
		assertRefused("kv.limits.max-value-bytes must be between 0 and 64MB", "kv.limits.max-value-bytes=65MB");
	}

	@Test
	void theHeartbeatSettingsOfTheProcessTestsAreValid() {
		runner.withPropertyValues("kv.heartbeat.interval=300ms", "kv.heartbeat.timeout=2s")
			.run(context -> assertThat(context).hasNotFailed());
		runner.withPropertyValues("kv.heartbeat.interval=200ms", "kv.heartbeat.timeout=1s")
			.run(context -> assertThat(context).hasNotFailed());
	}

	@Test
	void aTimeoutThatLeavesAPauseThresholdOfAtLeastOneIntervalIsAccepted() {
		// 1111 - 500 - min(250, 111) = 500: exactly one interval.
		runner.withPropertyValues("kv.heartbeat.interval=500ms", "kv.heartbeat.timeout=1111ms")
			.run(context -> assertThat(context).hasNotFailed());
	}

	@Test
	void aTimeoutWithoutRoomForAMissedHeartbeatIsRefused() {
		String rule = "kv.heartbeat.timeout must be at least 2 x kv.heartbeat.interval + the drift margin";
		assertRefused(rule, "kv.heartbeat.interval=500ms", "kv.heartbeat.timeout=1s");
		assertRefused(rule, "kv.heartbeat.interval=500ms", "kv.heartbeat.timeout=1110ms");
		assertRefused(rule, "kv.heartbeat.interval=500ms", "kv.heartbeat.timeout=510ms");
		assertRefused("shorter than kv.heartbeat.timeout", "kv.heartbeat.interval=3s", "kv.heartbeat.timeout=3s");
	}

	@Test
	void aWitnessNeedsPeersAndIsNeverTheInitialPrimary() {
		assertRefused("kv.role=witness needs kv.peers", "kv.role=witness");
		assertRefused("kv.role=witness needs kv.peers", "kv.role=witness",
				"kv.peers=http://a:1,http://b:2", "kv.initial-role=primary");
		runner.withPropertyValues("kv.role=witness", "kv.peers=http://a:1,http://b:2")
			.run(context -> assertThat(context).hasNotFailed());
	}

	@Test
	void minInSyncCannotAskForMoreBackupsThanThereArePeers() {
		assertRefused("kv.replication.min-in-sync asks for more backups than kv.peers lists",
				"kv.replication.min-in-sync=1");
		assertRefused("kv.replication.min-in-sync asks for more backups than kv.peers lists",
				"kv.replication.min-in-sync=2", "kv.peers=http://b:8080");
		runner.withPropertyValues("kv.replication.min-in-sync=1", "kv.peers=http://b:8080").run(context -> {
			assertThat(context).hasNotFailed();
			assertThat(context.getBean(KvProperties.class).replication().backupRequired()).isTrue();
		});
		runner.run(context -> assertThat(context.getBean(KvProperties.class).replication().backupRequired()).isFalse());
	}

	private void assertRefused(String message, String... settings) {
		runner.withPropertyValues(settings).run(context -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause().hasMessageContaining(message);
		});
	}

}
