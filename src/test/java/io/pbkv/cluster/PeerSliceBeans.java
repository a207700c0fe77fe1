package io.pbkv.cluster;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pbkv.config.KvProperties;

import java.time.Duration;
import java.util.List;

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

	@Bean
	AckWaiters ackWaiters() {
		return new AckWaiters();
	}

	/** No peers: a result the controller gives up on is dropped here, as one for an unknown peer is. */
	@Bean(destroyMethod = "close")
	PeerClient peerClient(MeterRegistry registry, AckWaiters ackWaiters) {
		return new PeerClient(List.of(), null, Duration.ofSeconds(1), registry, ackWaiters, message -> {
		});
	}

}
