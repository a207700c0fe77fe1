package io.pbkv.api;

import io.pbkv.core.NodeStatus;
import io.pbkv.runtime.NodeRuntime;

import java.util.List;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /cluster}: this node's view of the cluster. */
@RestController
class ClusterController {

	private final NodeRuntime runtime;

	ClusterController(NodeRuntime runtime) {
		this.runtime = runtime;
	}

	record ClusterView(String nodeId, String clusterId, String role, long epoch, String primaryId, String primaryUrl,
			long lastIndex, long commitIndex, long appliedIndex, long snapshotIndex, int keys,
			List<NodeStatus.PeerStatus> peers) {
	}

	@GetMapping("/cluster")
	ClusterView cluster() {
		NodeStatus s = runtime.status();
		String role = runtime.failure() != null ? "FAILED" : s.role().name();
		return new ClusterView(s.nodeId(), s.clusterId(), role, s.epoch(), s.primaryId(), s.primaryUrl(),
				s.lastIndex(), s.commitIndex(), s.appliedIndex(), s.snapshotIndex(), s.keys(), s.peers());
	}

}
