package io.pbkv.api;

import io.pbkv.config.KvProperties;
import io.pbkv.core.NodeStatus;
import io.pbkv.core.Outcome;
import io.pbkv.core.Role;
import io.pbkv.runtime.NodeRuntime;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /cluster}: this node's view of the cluster; {@code POST /cluster/hand-over}: the operator's move of
 * the primary role to a backup; {@code POST /cluster/force-primary}: the operator's forced promotion;
 * {@code POST /cluster/members} and {@code DELETE /cluster/members/{id}}: the operator's change of the voters.
 */
@RestController
class ClusterController {

	private static final Logger log = LoggerFactory.getLogger(ClusterController.class);

	private final NodeRuntime runtime;

	private final KvProperties.Cluster cluster;

	private final String advertisedUrl;

	ClusterController(NodeRuntime runtime, KvProperties properties) {
		this.runtime = runtime;
		this.cluster = properties.cluster();
		this.advertisedUrl = properties.advertisedUrl().toString();
	}

	/**
	 * With three or more voters (absent in a pair): {@code configVersion} ({@code epoch.n}) of the configuration the
	 * node holds, its {@code members} (the voters) and {@code inSync} (the data nodes that hold every committed
	 * write).
	 */
	record ClusterView(String nodeId, String clusterId, String role, long epoch, String primaryId, String primaryUrl,
			long lastIndex, long commitIndex, long appliedIndex, long snapshotIndex, int keys, boolean eligible,
			List<NodeStatus.PeerStatus> peers, @JsonInclude(JsonInclude.Include.NON_NULL) String configVersion,
			@JsonInclude(JsonInclude.Include.NON_EMPTY) List<NodeStatus.Member> members,
			@JsonInclude(JsonInclude.Include.NON_NULL) InSyncView inSync) {
	}

	record InSyncView(String version, List<String> members) {
	}

	@GetMapping("/cluster")
	ClusterView cluster() {
		NodeStatus s = runtime.status();
		String role = runtime.failure() != null ? "FAILED" : s.role().name();
		return new ClusterView(s.nodeId(), s.clusterId(), role, s.epoch(), s.primaryId(), s.primaryUrl(),
				s.lastIndex(), s.commitIndex(), s.appliedIndex(), s.snapshotIndex(), s.keys(), s.eligible(), s.peers(),
				s.config() == null ? null : s.config().versionText(), s.members(advertisedUrl),
				s.config() == null ? null
						: new InSyncView(s.config().versionText(), s.config().members().stream().sorted().toList()));
	}

	/** What {@code POST /cluster/members} takes. */
	record NewMember(String nodeId, String url, String role) {
	}

	/**
	 * Adds a voter, a data node or a witness, to a cluster of three or more voters: one change at a time, answered
	 * once a majority holds it. Start the new node first, with {@code kv.peers} naming any member; a data node
	 * catches up by itself and joins the in-sync set once it has. Takes the cluster token.
	 */
	@PostMapping("/cluster/members")
	ResponseEntity<Object> addMember(@RequestHeader(name = OperatorToken.HEADER, required = false) String given,
			@RequestBody(required = false) NewMember member) throws Exception {
		OperatorToken.require(cluster, given, "membership change");
		if (member == null || member.url() == null || !member.url().matches("https?://[^\\s/]+(/[^\\s]*)?")) {
			return Problems.response(HttpStatus.BAD_REQUEST, "bad-member",
					"send JSON {\"nodeId\":\"d\",\"url\":\"http://host:port\",\"role\":\"data\"} with the URL the new node "
							+ "advertises (its kv.advertised-url)");
		}
		if (member.role() != null && !member.role().equals("data") && !member.role().equals("witness")) {
			return Problems.response(HttpStatus.BAD_REQUEST, "bad-member", "role must be data or witness");
		}
		String url = member.url().endsWith("/") ? member.url().substring(0, member.url().length() - 1) : member.url();
		log.info("adding voter {} at {} ({}) requested by an operator", member.nodeId(), url, member.role());
		return membershipAnswer(runtime.changeVoters(url, true).get(30, TimeUnit.SECONDS));
	}

	/** Removes the voter {@code id} (a node id or URL); the primary itself hands over first. Takes the token. */
	@DeleteMapping("/cluster/members/{id}")
	ResponseEntity<Object> removeMember(@RequestHeader(name = OperatorToken.HEADER, required = false) String given,
			@PathVariable String id) throws Exception {
		OperatorToken.require(cluster, given, "membership change");
		log.info("removing voter {} requested by an operator", id);
		return membershipAnswer(runtime.changeVoters(id, false).get(30, TimeUnit.SECONDS));
	}

	/** A change refused by the primary is 409; a node that is not primary answers 503 naming the primary. */
	private ResponseEntity<Object> membershipAnswer(Outcome outcome) {
		NodeStatus s = runtime.status();
		if (outcome instanceof Outcome.Unavailable refused && s.role() == Role.PRIMARY) {
			return Problems.response(HttpStatus.CONFLICT, "refused", refused.reason(), Map.of("nodeId", s.nodeId()));
		}
		if (outcome instanceof Outcome.Unavailable && s.primaryUrl() != null) {
			return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
				.header(DirectAnswers.PRIMARY_HEADER, s.primaryId())
				.body(Problems.detail(HttpStatus.SERVICE_UNAVAILABLE, "not-primary", "node " + s.nodeId()
						+ " is not primary; send membership changes to the primary, " + s.primaryId() + " at "
						+ s.primaryUrl()));
		}
		return OutcomeResponses.toResponse(outcome);
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
