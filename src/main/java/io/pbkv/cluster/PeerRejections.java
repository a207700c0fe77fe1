package io.pbkv.cluster;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.pbkv.api.Problems;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

/**
 * Refused peer requests: each becomes a problem+json response and is counted ({@code kv.peer.rejected}, tagged by
 * problem, a fixed set). Logged at DEBUG only, so a flood of bad requests cannot flood the log.
 */
final class PeerRejections {

	private static final Logger log = LoggerFactory.getLogger(PeerController.class);

	private final MeterRegistry registry;

	PeerRejections(MeterRegistry registry) {
		this.registry = registry;
	}

	ResponseEntity<Object> reject(HttpStatus status, String problem, String detail) {
		log.debug("peer request refused with {}: {}", status.value(), detail);
		count(problem);
		return Problems.response(status, problem, detail);
	}

	ResponseEntity<Object> reject(PeerAccess.Refusal refusal) {
		return reject(refusal.status(), refusal.problem(), refusal.detail());
	}

	/** Counts a refusal answered some other way (a closed stream). */
	void count(String problem) {
		Counter.builder("kv.peer.rejected")
			.description("Peer requests refused: bad token, too large, malformed, node unavailable")
			.tag("problem", problem)
			.register(registry)
			.increment();
	}

}
