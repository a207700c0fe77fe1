package io.pbkv.cluster;

import io.pbkv.config.KvProperties;
import io.pbkv.security.FailedAttempts;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.json.JsonMapper;

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
		Map<String, Object> problem = new LinkedHashMap<>();
		problem.put("type", "urn:pbkv:problem:" + refusal.problem());
		problem.put("title", refusal.status().getReasonPhrase());
		problem.put("status", refusal.status().value());
		problem.put("detail", refusal.detail());
		response.setStatus(refusal.status().value());
		response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
		response.getOutputStream().write(JsonMapper.shared().writeValueAsBytes(problem));
	}

}
