package io.pbkv.observability;

import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Times every client operation that Spring MVC handles ({@code kv.client.operations}), errors included; the
 * common requests that the client API's fast path answers before Spring MVC are timed there.
 */
@Configuration(proxyBeanMethods = false)
class ClientOperationMetrics implements WebMvcConfigurer, HandlerInterceptor {

	private static final String START = ClientOperationMetrics.class.getName() + ".start";

	private final ClientOperationTimers timers;

	ClientOperationMetrics(MeterRegistry registry) {
		this.timers = new ClientOperationTimers(registry);
	}

	/** The same timers for the fast path; made here so that a Spring MVC slice test gets them too. */
	@Bean
	ClientOperationTimers clientOperationTimers() {
		return timers;
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
		if (request.getAttribute(START) instanceof Long start) {
			timers.record(type(request), response.getStatus(), System.nanoTime() - start);
		}
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

}
