package io.pbkv.observability;

import io.pbkv.config.KvProperties;
import io.pbkv.core.NodeStatus;
import io.pbkv.runtime.NodeRuntime;

import java.util.LinkedHashMap;
import java.util.Map;

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
			.withDetail("eligible", s.eligible())
			.withDetail("lastIndex", s.lastIndex())
			.withDetail("commitIndex", s.commitIndex())
			.withDetail("peers", peers(s));
		if (peerApiOpen) {
			builder.withDetail("warning", "kv.cluster.token is unset: the peer API is open to anyone");
		}
		s.peers().stream().filter(NodeStatus.PeerStatus::stalled).findFirst().ifPresent(p -> builder.withDetail(
				"replicationWarning", "peer " + p.url() + " answers but takes no replication: its copy is not "
						+ "catching up (see the peer's log and kv_peer_requests_total)"));
		return builder.build();
	}

	/** Per peer: reachable, last contact, and (on the primary) in-sync and lag in entries. */
	private static Map<String, Map<String, Object>> peers(NodeStatus s) {
		Map<String, Map<String, Object>> peers = new LinkedHashMap<>();
		for (NodeStatus.PeerStatus p : s.peers()) {
			Map<String, Object> peer = new LinkedHashMap<>();
			peer.put("nodeId", String.valueOf(p.nodeId()));
			peer.put("reachable", p.reachable());
			peer.put("lastContactMillis", p.lastContactMillis());
			if (p.matchIndex() >= 0) {
				peer.put("inSync", p.inSync());
				peer.put("lagEntries", s.lastIndex() - p.matchIndex());
				peer.put("stalled", p.stalled());
			}
			peers.put(p.url(), peer);
		}
		return peers;
	}

}
