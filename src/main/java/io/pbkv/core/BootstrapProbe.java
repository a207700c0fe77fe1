package io.pbkv.core;

import java.util.HashMap;
import java.util.Map;

/** How a node with an empty data dir learns whether to found a cluster or wait to join one. */
final class BootstrapProbe {

	private final Node node;

	private final NodeConfig config;

	private final Map<String, Message.ProbeResult> probes = new HashMap<>();

	private long probedAt = Progress.NEVER;

	BootstrapProbe(Node node, NodeConfig config) {
		this.node = node;
		this.config = config;
	}

	/**
	 * Rule 10: a node with an empty data dir founds a cluster only if every peer answers that it is empty too;
	 * if any holds a cluster, it waits as a backup for that cluster's primary to bring it up to date.
	 */
	void probeTick(long now) {
		if (now - probedAt < config.heartbeatInterval()) {
			return;
		}
		probedAt = now;
		for (String url : config.peerUrls()) {
			if (!probes.containsKey(url)) {
				node.send(new Message.Probe(config.nodeId(), config.advertisedUrl(), url, null, 0));
			}
		}
	}

	/** Tells a probing node whether this one is empty, and if not, its cluster, epoch and primary. */
	void answerProbe(Message.Probe p) {
		node.send(new Message.ProbeResult(config.nodeId(), config.advertisedUrl(), p.fromUrl(), node.clusterId(),
				node.epoch(), node.clusterId() == null, node.primaryId()));
	}

	void onProbeResult(Message.ProbeResult r) {
		if (!config.peerUrls().contains(r.fromUrl())) {
			return;
		}
		probes.put(r.fromUrl(), r);
		if (probes.size() == config.peerUrls().size() && config.initialPrimary()
				&& probes.values().stream().allMatch(Message.ProbeResult::empty) && node.clusterId() == null) {
			node.foundCluster();
		}
	}

}
