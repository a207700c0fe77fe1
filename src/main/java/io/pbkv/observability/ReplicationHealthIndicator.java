package io.pbkv.observability;

import io.pbkv.config.KvProperties;
import io.pbkv.core.NodeStatus;
import io.pbkv.runtime.NodeRuntime;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * The {@code replication} health component. Health is local: a lost peer is a detail, not DOWN; only a node
 * whose own loop has stopped (a storage failure) is DOWN.
 */
@Component("replication")
class ReplicationHealthIndicator implements HealthIndicator {

	private final NodeRuntime runtime;

	private final boolean peerApiOpen;

	ReplicationHealthIndicator(NodeRuntime runtime, KvProperties properties) {
		this.runtime = runtime;
		this.peerApiOpen = properties.cluster().open();
	}

	@Override
	public Health health() {
		NodeStatus s = runtime.status();
		Health.Builder builder = runtime.failure() == null ? Health.up()
				: Health.down().withDetail("failure", String.valueOf(runtime.failure()));
		builder.withDetail("nodeId", s.nodeId())
			.withDetail("role", s.role())
			.withDetail("epoch", s.epoch())
			.withDetail("primaryId", String.valueOf(s.primaryId()))
			.withDetail("lastIndex", s.lastIndex())
			.withDetail("commitIndex", s.commitIndex())
			.withDetail("peers", s.peers());
		if (peerApiOpen) {
			builder.withDetail("warning", "kv.cluster.token is unset: the peer API is open to anyone");
		}
		return builder.build();
	}

}
