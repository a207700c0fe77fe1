package io.pbkv.cluster;

import io.pbkv.config.KvProperties;
import io.pbkv.security.FailedAttempts;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.http.HttpStatus;

/**
 * Who may speak the peer protocol to this node: a request (or a stream's upgrade) must carry
 * {@code kv.cluster.token}, when one is set, and name a protocol version this node speaks.
 */
final class PeerAccess {

	/** Why a peer request is refused. */
	record Refusal(HttpStatus status, String problem, String detail) {
	}

	private PeerAccess() {
	}

	/** Null when the request carries the token (or none is needed), else the refusal. */
	static Refusal token(KvProperties.Cluster cluster, HttpServletRequest request, FailedAttempts failures) {
		if (cluster.open()) {
			return null;
		}
		String address = request.getRemoteAddr();
		if (failures.blocked(address)) {
			// Guessing the token costs a minute per twenty guesses. The limit is per address, so a blocked address's
			// guesses are not even compared: a node that shares an address with a guesser waits the minute too.
			return new Refusal(HttpStatus.TOO_MANY_REQUESTS, "peer-token-rate-limited",
					"too many peer requests with a missing or wrong token from " + address + "; wait a minute");
		}
		String given = request.getHeader(PeerSender.TOKEN_HEADER);
		if (given == null || given.isEmpty()) {
			failures.failed(address);
			return new Refusal(HttpStatus.UNAUTHORIZED, "peer-token-missing",
					"this node requires the " + PeerSender.TOKEN_HEADER + " header (kv.cluster.token)");
		}
		if (!cluster.accepts(given)) {
			failures.failed(address);
			return new Refusal(HttpStatus.FORBIDDEN, "peer-token-wrong",
					"the " + PeerSender.TOKEN_HEADER + " header does not match this node's kv.cluster.token");
		}
		return null;
	}

	/** Null when this node speaks the protocol version the request names, else the refusal. */
	static Refusal version(HttpServletRequest request) {
		String version = request.getHeader(PeerProtocol.HEADER);
		if (PeerProtocol.speaks(version)) {
			return null;
		}
		return new Refusal(HttpStatus.BAD_REQUEST, "peer-protocol-unsupported", "this node speaks peer protocol "
				+ PeerProtocol.VERSION + "; the request is in version " + version);
	}

}
