package io.pbkv.api;

import io.pbkv.config.KvProperties;
import io.pbkv.core.NodeStatus;
import io.pbkv.core.Outcome;
import io.pbkv.runtime.NodeRuntime;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /cluster}: this node's view of the cluster; {@code POST /cluster/hand-over}: the operator's move of
 * the primary role to a backup; {@code POST /cluster/force-primary}: the operator's forced promotion.
 */
@RestController
class ClusterController {

	private static final Logger log = LoggerFactory.getLogger(ClusterController.class);

	private final NodeRuntime runtime;

	private final KvProperties.Cluster cluster;

	ClusterController(NodeRuntime runtime, KvProperties properties) {
		this.runtime = runtime;
		this.cluster = properties.cluster();
	}

	/**
	 * {@code inSync} is the in-sync configuration the node holds when the cluster has three or more voters (absent
	 * in a pair): its version ({@code epoch.n}) and members.
	 */
	record ClusterView(String nodeId, String clusterId, String role, long epoch, String primaryId, String primaryUrl,
			long lastIndex, long commitIndex, long appliedIndex, long snapshotIndex, int keys, boolean eligible,
			List<NodeStatus.PeerStatus> peers, @JsonInclude(JsonInclude.Include.NON_NULL) InSyncView inSync) {
	}

	record InSyncView(String version, List<String> members) {
	}

	@GetMapping("/cluster")
	ClusterView cluster() {
		NodeStatus s = runtime.status();
		String role = runtime.failure() != null ? "FAILED" : s.role().name();
		return new ClusterView(s.nodeId(), s.clusterId(), role, s.epoch(), s.primaryId(), s.primaryUrl(),
				s.lastIndex(), s.commitIndex(), s.appliedIndex(), s.snapshotIndex(), s.keys(), s.eligible(), s.peers(),
				s.config() == null ? null
						: new InSyncView(s.config().versionText(), s.config().members().stream().sorted().toList()));
	}

	/**
	 * Moves the primary role from this node to the in-sync backup {@code to}, for maintenance: no write is lost
	 * and clients see a few round trips of {@code 503} rather than a failover's silence. Takes the cluster token.
	 */
	@PostMapping("/cluster/hand-over")
	ResponseEntity<Object> handOver(@RequestHeader(name = OperatorToken.HEADER, required = false) String given,
			@RequestParam String to) throws Exception {
		OperatorToken.require(cluster, given, "hand-over");
		log.info("hand-over to {} requested by an operator", to);
		Outcome outcome = runtime.handOver(to).get();
		if (outcome instanceof Outcome.Unavailable refused) {
			return Problems.response(HttpStatus.CONFLICT, "refused", refused.reason(),
					Map.of("nodeId", runtime.status().nodeId()));
		}
		return OutcomeResponses.toResponse(outcome);
	}

	/**
	 * Makes this node primary when the other node is lost for good. Writes that only the lost node acknowledged
	 * may be gone, so it takes the cluster token, is refused while any peer answers, and is logged and counted.
	 */
	@PostMapping("/cluster/force-primary")
	ResponseEntity<Object> forcePrimary(@RequestHeader(name = OperatorToken.HEADER, required = false) String given)
			throws Exception {
		OperatorToken.require(cluster, given, "forced promotion");
		log.warn("forced promotion requested by an operator");
		Outcome outcome = runtime.forcePromote().get(10, TimeUnit.SECONDS);
		if (outcome instanceof Outcome.Unavailable refused) {
			return Problems.response(HttpStatus.CONFLICT, "refused", refused.reason(),
					Map.of("nodeId", runtime.status().nodeId()));
		}
		return OutcomeResponses.toResponse(outcome);
	}

}
