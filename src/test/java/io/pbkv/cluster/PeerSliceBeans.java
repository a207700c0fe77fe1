package io.pbkv.cluster;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pbkv.config.KvProperties;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/** What {@link PeerController} needs in a {@code @WebMvcTest} slice, which loads no configuration of ours. */
@TestConfiguration(proxyBeanMethods = false)
@EnableConfigurationProperties(KvProperties.class)
class PeerSliceBeans {

	@Bean
	MeterRegistry meterRegistry() {
		return new SimpleMeterRegistry();
	}

}
