package io.pbkv.observability;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/** Times every client operation by type and outcome ({@code kv.client.operations}), errors included. */
@Configuration(proxyBeanMethods = false)
class ClientOperationMetrics implements WebMvcConfigurer, HandlerInterceptor {

	private static final String START = ClientOperationMetrics.class.getName() + ".start";

	private final MeterRegistry registry;

	private final Map<String, Timer> timers = new ConcurrentHashMap<>();

	ClientOperationMetrics(MeterRegistry registry) {
		this.registry = registry;
	}

	@Override
	public void addInterceptors(InterceptorRegistry interceptors) {
		interceptors.addInterceptor(this).addPathPatterns("/kv", "/kv/**");
	}

	@Override
	public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
		request.setAttribute(START, System.nanoTime());
		return true;
	}

	@Override
	public void afterCompletion(HttpServletRequest request, HttpServletResponse response, Object handler,
			Exception ex) {
		if (!(request.getAttribute(START) instanceof Long start)) {
			return;
		}
		timers.computeIfAbsent(type(request) + " " + outcome(response.getStatus()), this::timer)
			.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
	}

	/** The timer of one "type outcome" pair; kept, as building one to look it up costs more than recording. */
	private Timer timer(String typeAndOutcome) {
		int space = typeAndOutcome.indexOf(' ');
		return Timer.builder("kv.client.operations")
			.description("Client operations by type and outcome")
			.tag("type", typeAndOutcome.substring(0, space))
			.tag("outcome", typeAndOutcome.substring(space + 1))
			.publishPercentileHistogram()
			// The recent p99 (a window of about two minutes) that the live page charts.
			.publishPercentiles(0.99)
			.register(registry);
	}

	private static String type(HttpServletRequest request) {
		boolean collection = request.getRequestURI().equals(request.getContextPath() + "/kv");
		return switch (request.getMethod()) {
			case "PUT" -> "put";
			case "DELETE" -> "delete";
			case "GET" -> !collection ? "get" : "true".equals(request.getParameter("watch")) ? "watch" : "list";
			default -> "other";
		};
	}

	private static String outcome(int status) {
		return switch (status) {
			case 200, 201, 204, 304 -> "ok";
			case 400 -> "bad_request";
			case 404 -> "not_found";
			case 412 -> "precondition_failed";
			case 413 -> "too_large";
			case 503 -> "unavailable";
			case 504 -> "unknown";
			default -> status >= 500 ? "error" : "rejected";
		};
	}

}
