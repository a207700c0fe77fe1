package io.pbkv.security;

import io.micrometer.core.instrument.MeterRegistry;
import io.pbkv.config.KvProperties;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.time.Clock;
import java.util.Set;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.actuate.endpoint.Show;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.health.autoconfigure.actuate.endpoint.HealthEndpointProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/** Client authentication, only when {@code kv.security.tokens-file} is set: the local pair stays open. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(prefix = "kv.security", name = "tokens-file")
class SecurityConfiguration {

	/**
	 * Health details (peer URLs, roles, failure text) for {@code admin} credentials only, whatever
	 * {@code management.endpoint.health.show-details} says: that setting's {@code always} is for an open node.
	 */
	@Bean
	static BeanPostProcessor healthDetailsForAdminsOnly() {
		return new BeanPostProcessor() {

			@Override
			public Object postProcessBeforeInitialization(Object bean, String beanName) {
				if (bean instanceof HealthEndpointProperties health) {
					health.setShowDetails(Show.WHEN_AUTHORIZED);
					health.setShowComponents(Show.WHEN_AUTHORIZED);
					health.setRoles(Set.of("admin"));
				}
				return bean;
			}

		};
	}

	@Bean
	Credentials credentials(KvProperties properties) throws IOException {
		try {
			return new Credentials(properties.security().tokensFile(), Clock.systemUTC());
		}
		catch (NoSuchFileException ex) {
			throw new IllegalStateException("kv.security.tokens-file " + properties.security().tokensFile()
					+ " does not exist: make it with a line per credential (bin/pbkv token new ROLE PREFIX prints one)",
					ex);
		}
	}

	@Bean
	Sessions sessions() {
		return new Sessions(Clock.systemUTC());
	}

	@Bean
	FailedAttempts failedAttempts() {
		return new FailedAttempts(Clock.systemUTC());
	}

	@Bean
	FilterRegistrationBean<ClientAuthFilter> clientAuthFilter(Credentials credentials, Sessions sessions,
			FailedAttempts failures, KvProperties properties, MeterRegistry registry) {
		FilterRegistrationBean<ClientAuthFilter> registration = new FilterRegistrationBean<>(new ClientAuthFilter(
				credentials, sessions, properties.limits().maxKeyBytes(), failures, registry));
		registration.addUrlPatterns("/*");
		// Before everything else that reads the request, the witness's gate included.
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 10);
		return registration;
	}

}
