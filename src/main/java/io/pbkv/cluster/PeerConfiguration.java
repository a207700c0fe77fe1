package io.pbkv.cluster;

import io.micrometer.core.instrument.MeterRegistry;
import io.pbkv.config.KvProperties;
import io.pbkv.runtime.NodeRuntime;

import java.security.GeneralSecurityException;
import java.time.Duration;


import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.boot.web.servlet.FilterRegistrationBean;

/** The peer transport: one {@link PeerClient}, the node's {@code Transport}. */
@Configuration(proxyBeanMethods = false)
class PeerConfiguration {

	@Bean
	AckWaiters ackWaiters() {
		return new AckWaiters();
	}

	/**
	 * The TLS of this node's requests to other nodes: kv.cluster.ssl-bundle's, else the JVM's defaults. The bundle's
	 * managers are swapped when it is reloaded (reload-on-update), so a certificate rotation needs no restart.
	 */
	@Bean
	PeerTls peerTls(KvProperties properties, ObjectProvider<SslBundles> bundles) throws GeneralSecurityException {
		String name = properties.cluster().sslBundle();
		if (name == null || name.isBlank()) {
			return PeerTls.JVM_DEFAULT;
		}
		SslBundles all = bundles.getObject();
		RotatingManagers managers = new RotatingManagers(all.getBundle(name));
		all.addBundleUpdateHandler(name, bundle -> {
			managers.update(bundle);
			LoggerFactory.getLogger(PeerTls.class).info("SSL bundle {} reloaded: peer requests use its new "
					+ "certificate and trust from their next connection", name);
		});
		return new PeerTls(managers.context(), name, managers);
	}
	/** Results that come back in a response are handed to the node as if they had arrived on their own. */
	@Bean(destroyMethod = "close")
	PeerClient peerClient(KvProperties properties, MeterRegistry registry, AckWaiters ackWaiters,
			ObjectProvider<NodeRuntime> runtime, PeerTls tls) {
		return new PeerClient(properties.peers(), properties.cluster().token(), requestTimeout(properties.heartbeat()),
				registry, ackWaiters, message -> runtime.getObject().deliver(message), tls);
	}

	/** The replication stream's endpoint, offered at the path of the POST endpoint. */
	@Bean
	static PeerStreamRegistration peerStreamRegistration(ObjectProvider<NodeRuntime> runtime,
			ObjectProvider<MeterRegistry> registry, ObjectProvider<KvProperties> properties) {
		return new PeerStreamRegistration(() -> new PeerStreamEndpoint(runtime.getObject(),
				new PeerRejections(registry.getObject()),
				requestTimeout(properties.getObject().heartbeat()).multipliedBy(2)));
	}

	/**
	 * With kv.cluster.ssl-bundle set, a peer request needs a client certificate that bundle trusts: checked before
	 * the token, the protocol version or anything else of the request.
	 */
	@Bean
	@ConditionalOnProperty(prefix = "kv.cluster", name = "ssl-bundle")
	FilterRegistrationBean<PeerCertificateGate> peerCertificateGate(PeerTls tls, MeterRegistry registry) {
		FilterRegistrationBean<PeerCertificateGate> gate = new FilterRegistrationBean<>(
				new PeerCertificateGate(tls.managers()::trust, new PeerRejections(registry)));
		gate.addUrlPatterns("/internal/*");
		gate.setOrder(Ordered.HIGHEST_PRECEDENCE);
		return gate;
	}
	/** Checks the token and protocol version of a stream's upgrade before Tomcat's WebSocket filter takes it. */
	@Bean
	FilterRegistrationBean<PeerStreamGate> peerStreamGate(KvProperties properties, MeterRegistry registry) {
		FilterRegistrationBean<PeerStreamGate> gate = new FilterRegistrationBean<>(
				new PeerStreamGate(properties.cluster(), new PeerRejections(registry)));
		gate.addUrlPatterns(PeerStreamRegistration.PATH);
		gate.setOrder(Ordered.HIGHEST_PRECEDENCE + 1);
		return gate;
	}

	/**
	 * A third of the heartbeat timeout, at least one interval: a request on a connection the network silently cut
	 * is given up, and its connection with it, well before the silence could cost a failover or a drop.
	 */
	@Bean
	SnapshotFetcher snapshotFetcher(KvProperties properties, MeterRegistry registry, PeerTls tls) {
		return new SnapshotFetcher(properties.resolvedDataDir(), properties.cluster().token(),
				requestTimeout(properties.heartbeat()), properties.replication().snapshotFetchRate().toBytes(),
				registry, tls);
	}

	static Duration requestTimeout(KvProperties.Heartbeat heartbeat) {
		Duration third = heartbeat.timeout().dividedBy(3);
		return third.compareTo(heartbeat.interval()) > 0 ? third : heartbeat.interval();
	}

}
