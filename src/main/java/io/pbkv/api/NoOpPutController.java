package io.pbkv.api;

import jakarta.servlet.http.HttpServletRequest;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code PUT /bench/no-op/{key}}: reads the body and answers 204 without touching the log, the state or a peer.
 *
 * <p>It exists only for {@code bin/pbkv-bench compare}, which measures it as the HTTP ceiling: what the same
 * server stack (Tomcat, Spring MVC, the JVM, the same request shape) can serve with no storage or replication at
 * all, so that a PUT's cost can be split into the HTTP stack's and pbkv's own. It is created only when
 * {@code kv.bench.no-op-endpoint=true}; off by default, a node never serves it.
 */
@RestController
@ConditionalOnProperty(name = "kv.bench.no-op-endpoint", havingValue = "true")
class NoOpPutController {

	@PutMapping("/bench/no-op/{key}")
	ResponseEntity<Void> put(HttpServletRequest request) throws IOException {
		try (InputStream body = request.getInputStream()) {
			body.transferTo(OutputStream.nullOutputStream());
		}
		return ResponseEntity.noContent().build();
	}

}
