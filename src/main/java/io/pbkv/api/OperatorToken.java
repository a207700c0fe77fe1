package io.pbkv.api;

import io.pbkv.config.KvProperties;

import org.springframework.http.HttpStatus;

/**
 * How an operator action is protected until a richer security model comes: it needs {@code kv.cluster.token} to be
 * set on the node ({@code 403} otherwise, so an open node never offers it) and sent in {@value #HEADER}
 * ({@code 401} without it, {@code 403} when wrong). Refusals are problem+json of type {@code forbidden}.
 */
final class OperatorToken {

	static final String HEADER = "X-Kv-Token";

	private OperatorToken() {
	}

	/** Throws the refusal unless {@code given} is the cluster token; {@code action} names what was refused. */
	static void require(KvProperties.Cluster cluster, String given, String action) {
		if (cluster.open()) {
			throw new ApiException(HttpStatus.FORBIDDEN, "forbidden",
					action + " needs kv.cluster.token to be set on this node");
		}
		if (!cluster.accepts(given)) {
			throw new ApiException(given == null ? HttpStatus.UNAUTHORIZED : HttpStatus.FORBIDDEN, "forbidden",
					"send the cluster token in " + HEADER);
		}
	}

}
