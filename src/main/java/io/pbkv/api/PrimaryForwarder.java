package io.pbkv.api;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import io.micrometer.core.instrument.MeterRegistry;
import io.pbkv.cluster.PeerTls;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
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

	/** The caller's own credential goes too: the primary authenticates a forwarded request as it would the caller. */
	private static final List<String> REQUEST_HEADERS = List.of(HttpHeaders.IF_MATCH, HttpHeaders.IF_NONE_MATCH,
			HttpHeaders.CONTENT_TYPE, HttpHeaders.ACCEPT, HttpHeaders.AUTHORIZATION);

	private static final List<String> RESPONSE_HEADERS = List.of(HttpHeaders.ETAG, HttpHeaders.CONTENT_TYPE,
			HttpHeaders.RETRY_AFTER, HttpHeaders.ALLOW, "X-Kv-Primary");

	private final HttpClient http;

	private final String nodeId;

	private final Duration timeout;

	private final MeterRegistry registry;

	PrimaryForwarder(String nodeId, Duration timeout, MeterRegistry registry, PeerTls tls) {
		this.http = tls.apply(HttpClient.newBuilder())
			.version(HttpClient.Version.HTTP_1_1)
			.connectTimeout(Duration.ofSeconds(1))
			.build();
		this.nodeId = nodeId;
		this.timeout = timeout;
		this.registry = registry;
	}

	private void count(String outcome) {
		registry.counter("kv.client.forwarded", "outcome", outcome).increment();
	}

	ResponseEntity<Object> forward(HttpServletRequest request, String primaryUrl, byte[] body, boolean write) {
		HttpRequest.Builder builder = relayed(request, primaryUrl).timeout(timeout)
			.method(request.getMethod(), body == null ? HttpRequest.BodyPublishers.noBody()
					: HttpRequest.BodyPublishers.ofByteArray(body));
		try {
			HttpResponse<byte[]> response = http.send(builder.build(), HttpResponse.BodyHandlers.ofByteArray());
			ResponseEntity.BodyBuilder relayed = ResponseEntity.status(HttpStatusCode.valueOf(response.statusCode()));
			copyHeaders(response, relayed);
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

	/**
	 * Relays a watch: the primary's events are copied to the client as they arrive, until either side ends the
	 * stream (the client then resumes from its last event id). Returns null once it has streamed, or the answer
	 * to give when the primary did not open a stream.
	 */
	ResponseEntity<Object> relayStream(HttpServletRequest request, String primaryUrl, HttpServletResponse response) {
		HttpRequest.Builder builder = relayed(request, primaryUrl).GET();
		String lastEventId = request.getHeader(WatchStream.LAST_EVENT_ID);
		if (lastEventId != null) {
			builder.header(WatchStream.LAST_EVENT_ID, lastEventId);
		}
		HttpRequest relay = builder.build();
		HttpResponse<InputStream> answer;
		try {
			answer = http.send(relay, HttpResponse.BodyHandlers.ofInputStream());
		}
		catch (IOException ex) {
			count("unreachable");
			return Problems.response(HttpStatus.SERVICE_UNAVAILABLE, "unavailable",
					"the primary at " + primaryUrl + " does not answer; safe to retry");
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return Problems.response(HttpStatus.SERVICE_UNAVAILABLE, "unavailable", "interrupted");
		}
		count("relayed");
		try (InputStream events = answer.body()) {
			if (answer.statusCode() != HttpStatus.OK.value()) {
				ResponseEntity.BodyBuilder refused = ResponseEntity.status(answer.statusCode());
				copyHeaders(answer, refused);
				return refused.body(events.readAllBytes());
			}
			response.setStatus(HttpStatus.OK.value());
			for (String name : List.of(HttpHeaders.CONTENT_TYPE, HttpHeaders.CACHE_CONTROL, "X-Kv-Primary")) {
				answer.headers().firstValue(name).ifPresent(v -> response.setHeader(name, v));
			}
			OutputStream out = response.getOutputStream();
			out.flush();
			byte[] buffer = new byte[8192];
			for (int n = events.read(buffer); n >= 0; n = events.read(buffer)) {
				out.write(buffer, 0, n);
				out.flush();
			}
		}
		catch (IOException ex) {
			// The client or the primary left: the stream ends, and the client resumes from its last event id.
		}
		return null;
	}

	/** A request to the same path and query on the primary, marked as forwarded, with the client's headers. */
	private HttpRequest.Builder relayed(HttpServletRequest request, String primaryUrl) {
		String target = primaryUrl + request.getRequestURI().substring(request.getContextPath().length())
				+ (request.getQueryString() != null ? "?" + request.getQueryString() : "");
		HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(target)).header(FORWARDED_BY, nodeId);
		for (String name : REQUEST_HEADERS) {
			String value = request.getHeader(name);
			if (value != null) {
				builder.header(name, value);
			}
		}
		return builder;
	}

	private static void copyHeaders(HttpResponse<?> response, ResponseEntity.BodyBuilder relayed) {
		for (String name : RESPONSE_HEADERS) {
			response.headers().allValues(name).forEach(v -> relayed.header(name, v));
		}
	}

}
