package io.pbkv.cluster;

import io.micrometer.core.instrument.MeterRegistry;
import io.pbkv.config.KvProperties;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The peer transport: one {@link PeerClient}, the node's {@code Transport}. */
@Configuration(proxyBeanMethods = false)
class PeerConfiguration {

	@Bean(destroyMethod = "close")
	PeerClient peerClient(KvProperties properties, MeterRegistry registry) {
		return new PeerClient(properties.peers(), properties.cluster().token(), properties.heartbeat().timeout(),
				registry);
	}

}
