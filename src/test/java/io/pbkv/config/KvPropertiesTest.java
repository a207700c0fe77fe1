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
		assertRefused("kv.limits.max-key-bytes=65537", "kv.limits.max-key-bytes must be between 1 and 65536");
		assertRefused("kv.limits.max-value-bytes=65MB", "kv.limits.max-value-bytes must be between 0 and 64MB");
	}

	private void assertRefused(String setting, String message) {
		runner.withPropertyValues(setting).run(context -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause().hasMessageContaining(message);
		});
	}

}
