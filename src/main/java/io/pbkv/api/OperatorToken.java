package io.pbkv.api;

import io.pbkv.config.KvProperties;
import io.pbkv.security.AccessRole;
import io.pbkv.security.ClientAuthFilter;
import io.pbkv.security.Credential;

import org.springframework.http.HttpStatus;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * How an operator action is protected: by an {@code admin} client credential when client authentication is on
 * ({@code kv.security.tokens-file}), or by the cluster token: that needs {@code kv.cluster.token} to be set on the
 * node ({@code 403} otherwise, so an open node never offers it) and sent in {@value #HEADER} ({@code 401} without it,
 * {@code 403} when wrong). Refusals are problem+json of type {@code forbidden}.
 */
final class OperatorToken {

	static final String HEADER = "X-Kv-Token";

	private OperatorToken() {
	}

	/** Throws the refusal unless {@code given} is the cluster token; {@code action} names what was refused. */
	static void require(KvProperties.Cluster cluster, String given, String action) {
		if (RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes attributes
				&& attributes.getRequest().getAttribute(ClientAuthFilter.CREDENTIAL) instanceof Credential credential
				&& credential.role().includes(AccessRole.ADMIN)) {
			return;
		}
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
