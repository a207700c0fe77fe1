package io.pbkv.api;

import io.pbkv.config.KvProperties;
import io.pbkv.core.Command;
import io.pbkv.core.Outcome;
import io.pbkv.core.Precondition;
import io.pbkv.core.Query;
import io.pbkv.core.Role;
import io.pbkv.observability.ClientOperationTimers;
import io.pbkv.runtime.NodeRuntime;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;

/**
 * The client API's common requests, answered by the primary before Spring MVC: {@code PUT}, {@code GET} and
 * {@code DELETE} of {@code /kv/{key}} with no query string and no condition, a {@code PUT} with a
 * {@code Content-Length} within the limit. Spring MVC's dispatch (handler lookup, argument resolution, its
 * interceptors and request attributes) was a quarter of a lone node's CPU samples under PUT load, and the
 * virtual thread that waits for the node's answer parks with a shorter stack. Everything else, and every request
 * on a node that is not primary, goes on to {@link KvController}, which answers the same requests the same way
 * (the client API tests run through both). It runs after the client credentials' check.
 */
final class KvFastPath implements Filter {

	private final ObjectProvider<NodeRuntime> runtimes;

	private final ObjectProvider<ClientOperationTimers> allTimers;

	private final String nodeId;

	private final int maxKeyBytes;

	private final long maxValueBytes;

	// Written timers first, read runtime first: a thread that sees the runtime sees the timers.
	private volatile NodeRuntime runtime;

	private volatile ClientOperationTimers timers;

	/** The node and its meters are looked up at the first request: filters are made before other beans. */
	KvFastPath(ObjectProvider<NodeRuntime> runtime, KvProperties properties, ObjectProvider<ClientOperationTimers> timers) {
		this.runtimes = runtime;
		this.allTimers = timers;
		this.nodeId = properties.resolvedNodeId();
		this.maxKeyBytes = properties.limits().maxKeyBytes();
		this.maxValueBytes = properties.limits().maxValueBytes().toBytes();
	}

	@Override
	public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
			throws IOException, ServletException {
		HttpServletRequest request = (HttpServletRequest) req;
		HttpServletResponse response = (HttpServletResponse) res;
		if (runtime == null) {
			// A benign race: every thread finds the same singletons.
			timers = allTimers.getObject();
			runtime = runtimes.getObject();
		}
		String type = common(request);
		String key = type == null ? null : key(request);
		if (key == null) {
			chain.doFilter(request, response);
			return;
		}
		long start = System.nanoTime();
		Outcome outcome = switch (type) {
			case "put" -> Replies.await(runtime.write(new Command.Put(key,
					RequestBodies.readAtMost(request, maxValueBytes), Precondition.NONE)), true);
			case "delete" -> Replies.await(runtime.write(new Command.Delete(key, Precondition.NONE)), true);
			default -> Replies.await(runtime.read(new Query.Get(key), false), false);
		};
		// Named when it answered as primary, as the controller does; a write's answer always names it.
		String primary = runtime.status().role() == Role.PRIMARY ? nodeId : null;
		if (primary != null) {
			response.setHeader(DirectAnswers.PRIMARY_HEADER, primary);
		}
		switch (outcome) {
			case Outcome.Written w -> DirectAnswers.written(response, w, nodeId);
			case Outcome.Found found -> DirectAnswers.found(response, found, primary);
			case Outcome.Deleted d -> response.setStatus(HttpServletResponse.SC_NO_CONTENT);
			default -> Problems.write(response, OutcomeResponses.toResponse(outcome), request.getRequestURI());
		}
		timers.record(type, response.getStatus(), System.nanoTime() - start);
	}

	/** put, get or delete when the request is one this path answers, else null. */
	private String common(HttpServletRequest request) {
		if (request.getDispatcherType() != DispatcherType.REQUEST || request.getQueryString() != null
				|| request.getHeader(HttpHeaders.IF_MATCH) != null || request.getHeader(HttpHeaders.IF_NONE_MATCH) != null
				|| runtime.status().role() != Role.PRIMARY) {
			return null;
		}
		return switch (request.getMethod()) {
			case "PUT" -> {
				long length = request.getContentLengthLong();
				yield length >= 0 && length <= maxValueBytes ? "put" : null;
			}
			case "GET" -> "get";
			case "DELETE" -> "delete";
			default -> null;
		};
	}

	/** The key, or null when the path names none that is valid: the controller then says why. */
	private String key(HttpServletRequest request) {
		try {
			return KeyPath.keyOf(request, maxKeyBytes);
		}
		catch (ApiException badKey) {
			return null;
		}
	}

	@Configuration(proxyBeanMethods = false)
	static class Registration {

		@Bean
		FilterRegistrationBean<KvFastPath> kvFastPath(ObjectProvider<NodeRuntime> runtime, KvProperties properties,
				ObjectProvider<ClientOperationTimers> timers) {
			FilterRegistrationBean<KvFastPath> registration = new FilterRegistrationBean<>(
					new KvFastPath(runtime, properties, timers));
			registration.addUrlPatterns("/kv/*");
			// Right after the client credentials' check (HIGHEST_PRECEDENCE + 10), before Spring's own filters.
			registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 11);
			return registration;
		}

	}

}
