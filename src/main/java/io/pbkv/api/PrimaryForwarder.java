package io.pbkv.api;

import jakarta.servlet.http.HttpServletRequest;

import io.micrometer.core.instrument.MeterRegistry;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ResponseEntity;

/**
 * Relays a client request from a backup to the primary and the primary's answer back. A forwarded request
 * carries {@link #FORWARDED_BY}, and a node that receives one and is not primary answers 503 instead of
 * forwarding again, so a request never loops between two nodes that disagree on who leads.
 */
final class PrimaryForwarder {

	static final String FORWARDED_BY = "X-Kv-Forwarded-By";

	private static final List<String> REQUEST_HEADERS = List.of(HttpHeaders.IF_MATCH, HttpHeaders.IF_NONE_MATCH,
			HttpHeaders.CONTENT_TYPE, HttpHeaders.ACCEPT);

	private static final List<String> RESPONSE_HEADERS = List.of(HttpHeaders.ETAG, HttpHeaders.CONTENT_TYPE,
			HttpHeaders.RETRY_AFTER, HttpHeaders.ALLOW, "X-Kv-Primary");

	private final HttpClient http = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.connectTimeout(Duration.ofSeconds(1))
		.build();

	private final String nodeId;

	private final Duration timeout;

	private final MeterRegistry registry;

	PrimaryForwarder(String nodeId, Duration timeout, MeterRegistry registry) {
		this.nodeId = nodeId;
		this.timeout = timeout;
		this.registry = registry;
	}

	private void count(String outcome) {
		registry.counter("kv.client.forwarded", "outcome", outcome).increment();
	}

	ResponseEntity<Object> forward(HttpServletRequest request, String primaryUrl, byte[] body, boolean write) {
		String target = primaryUrl + request.getRequestURI().substring(request.getContextPath().length())
				+ (request.getQueryString() != null ? "?" + request.getQueryString() : "");
		HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(target))
			.timeout(timeout)
			.header(FORWARDED_BY, nodeId)
			.method(request.getMethod(), body == null ? HttpRequest.BodyPublishers.noBody()
					: HttpRequest.BodyPublishers.ofByteArray(body));
		for (String name : REQUEST_HEADERS) {
			String value = request.getHeader(name);
			if (value != null) {
				builder.header(name, value);
			}
		}
		try {
			HttpResponse<byte[]> response = http.send(builder.build(), HttpResponse.BodyHandlers.ofByteArray());
			ResponseEntity.BodyBuilder relayed = ResponseEntity.status(HttpStatusCode.valueOf(response.statusCode()));
			for (String name : RESPONSE_HEADERS) {
				response.headers().allValues(name).forEach(v -> relayed.header(name, v));
			}
			count("relayed");
			return relayed.body(response.body());
		}
		catch (ConnectException | HttpConnectTimeoutException ex) {
			count("unreachable");
			return Problems.response(HttpStatus.SERVICE_UNAVAILABLE, "unavailable",
					"the primary at " + primaryUrl + " does not answer; not done, safe to retry");
		}
		catch (IOException ex) {
			count("lost");
			return write ? Problems.response(HttpStatus.GATEWAY_TIMEOUT, "outcome-unknown", "forwarded to the primary at "
					+ primaryUrl + " but its answer was lost (" + ex.getClass().getSimpleName()
					+ "); the write may or may not have happened")
					: Problems.response(HttpStatus.SERVICE_UNAVAILABLE, "unavailable",
							"the primary at " + primaryUrl + " did not answer; safe to retry");
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return Problems.response(HttpStatus.SERVICE_UNAVAILABLE, "unavailable", "interrupted");
		}
	}

}
