package io.pbkv.cluster;

import io.micrometer.core.instrument.MeterRegistry;
import io.pbkv.config.KvProperties;

import java.time.Duration;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The peer transport: one {@link PeerClient}, the node's {@code Transport}. */
@Configuration(proxyBeanMethods = false)
class PeerConfiguration {

	@Bean(destroyMethod = "close")
	PeerClient peerClient(KvProperties properties, MeterRegistry registry) {
		return new PeerClient(properties.peers(), properties.cluster().token(), requestTimeout(properties.heartbeat()),
				registry);
	}

	/**
	 * A third of the heartbeat timeout, at least one interval: a request on a connection the network silently cut
	 * is given up, and its connection with it, well before the silence could cost a failover or a drop.
	 */
	@Bean
	SnapshotFetcher snapshotFetcher(KvProperties properties, MeterRegistry registry) {
		return new SnapshotFetcher(properties.resolvedDataDir(), properties.cluster().token(),
				requestTimeout(properties.heartbeat()), properties.replication().snapshotFetchRate().toBytes(),
				registry);
	}

	static Duration requestTimeout(KvProperties.Heartbeat heartbeat) {
		Duration third = heartbeat.timeout().dividedBy(3);
		return third.compareTo(heartbeat.interval()) > 0 ? third : heartbeat.interval();
	}

}
