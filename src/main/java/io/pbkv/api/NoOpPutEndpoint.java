package io.pbkv.api;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/**
 * {@code PUT /bench/no-op/{key}}: reads the body and answers 204 without touching the log, the state or a peer.
 *
 * <p>It exists only for {@code bin/pbkv-bench compare}, which measures it as the HTTP ceiling: what the same
 * server stack can serve with no storage or replication at all, so that a PUT's cost can be split into the HTTP
 * stack's and pbkv's own. "The same stack" is the one a PUT takes, {@link KvFastPath}'s: Tomcat and the filters
 * before it, at the same place in the chain. It is created only when {@code kv.bench.no-op-endpoint=true}; off
 * by default, a node never serves it.
 */
final class NoOpPutEndpoint implements Filter {

	@Override
	public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
			throws IOException, ServletException {
		HttpServletRequest request = (HttpServletRequest) req;
		if (!request.getMethod().equals("PUT")) {
			chain.doFilter(req, res);
			return;
		}
		try (InputStream body = request.getInputStream()) {
			body.transferTo(OutputStream.nullOutputStream());
		}
		((HttpServletResponse) res).setStatus(HttpServletResponse.SC_NO_CONTENT);
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnProperty(name = "kv.bench.no-op-endpoint", havingValue = "true")
	static class Registration {

		@Bean
		FilterRegistrationBean<NoOpPutEndpoint> noOpPutEndpoint() {
			FilterRegistrationBean<NoOpPutEndpoint> registration = new FilterRegistrationBean<>(new NoOpPutEndpoint());
			registration.addUrlPatterns("/bench/no-op/*");
			registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 11);
			return registration;
		}

	}

}
