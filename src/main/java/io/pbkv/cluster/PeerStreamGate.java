package io.pbkv.cluster;

import io.pbkv.api.Problems;
import io.pbkv.config.KvProperties;
import io.pbkv.security.FailedAttempts;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.time.Clock;

import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Checks a request to open a {@link PeerStream} before Tomcat upgrades it: the token and the protocol version, as
 * {@link PeerController} checks a POST. A refusal is a problem+json response, and no stream opens. Requests that
 * are not upgrades pass untouched.
 */
final class PeerStreamGate extends OncePerRequestFilter {

	private final KvProperties.Cluster cluster;

	private final PeerRejections rejections;

	private final FailedAttempts tokenFailures = new FailedAttempts(Clock.systemUTC());

	PeerStreamGate(KvProperties.Cluster cluster, PeerRejections rejections) {
		this.cluster = cluster;
		this.rejections = rejections;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		if (!"websocket".equalsIgnoreCase(request.getHeader("Upgrade"))) {
			chain.doFilter(request, response);
			return;
		}
		PeerAccess.Refusal refusal = PeerAccess.version(request);
		if (refusal == null) {
			refusal = PeerAccess.token(cluster, request, tokenFailures);
		}
		if (refusal == null) {
			chain.doFilter(request, response);
			return;
		}
		rejections.count(refusal.problem());
		Problems.write(response, refusal.status(), refusal.problem(), refusal.detail());
	}

}
