package io.pbkv.core;

import java.util.List;
import java.util.Objects;

/**
 * What the core needs to know about its node and cluster. {@code newClusterId} is used only if this node founds
 * a cluster (the runtime makes it random; the core makes nothing random). {@code snapshotEvery} is how many
 * applied entries trigger a snapshot.
 */
public record NodeConfig(String nodeId, String advertisedUrl, List<String> peerUrls, String newClusterId,
		long snapshotEvery) {

	public NodeConfig {
		Objects.requireNonNull(nodeId, "nodeId");
		Objects.requireNonNull(advertisedUrl, "advertisedUrl");
		peerUrls = List.copyOf(peerUrls);
		Objects.requireNonNull(newClusterId, "newClusterId");
		if (snapshotEvery < 1) {
			throw new IllegalArgumentException("snapshotEvery must be >= 1");
		}
	}

}
