package io.pbkv.api;

import io.pbkv.core.NodeStatus;
import io.pbkv.runtime.NodeRuntime;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.util.Map;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * A witness (kv.role=witness) holds no values: every {@code /kv} request gets {@code 503} with
 * {@code X-Kv-Primary} naming the primary it follows, so a client goes there instead. It does not forward, so
 * that a witness never carries client traffic. Registered only on a witness: data nodes pay nothing for it.
 */
final class WitnessGate extends OncePerRequestFilter {

	private final ObjectProvider<NodeRuntime> runtime;

	WitnessGate(ObjectProvider<NodeRuntime> runtime) {
		this.runtime = runtime;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		NodeStatus status = runtime.getObject().status();
		String primary = status.primaryId();
		if (primary != null) {
			response.setHeader(DirectAnswers.PRIMARY_HEADER, primary);
		}
		Problems.write(response, HttpStatus.SERVICE_UNAVAILABLE, "witness", "node " + status.nodeId()
				+ " is a witness: it votes and holds no values; "
				+ (primary != null ? "ask the primary, " + primary + " at " + status.primaryUrl()
						: "no primary is known right now"),
				null, status.primaryUrl() != null ? Map.of("primaryUrl", status.primaryUrl()) : Map.of());
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnProperty(name = "kv.role", havingValue = "witness")
	static class Registration {

		@Bean
		FilterRegistrationBean<WitnessGate> witnessGate(ObjectProvider<NodeRuntime> runtime) {
			FilterRegistrationBean<WitnessGate> gate = new FilterRegistrationBean<>(new WitnessGate(runtime));
			gate.addUrlPatterns("/kv", "/kv/*");
			return gate;
		}

	}

}
