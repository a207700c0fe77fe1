package io.pbkv.api;

import io.pbkv.core.Outcome;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;

import tools.jackson.databind.json.JsonMapper;

/**
 * The two answers on the client API's hot path, a write's JSON and a value read, written straight to the servlet
 * response. Returned as a {@code ResponseEntity}, each went through Spring MVC's return value handling, which
 * negotiates a converter from the {@code Accept} header on every request: a fifth of a lone node's PUT samples.
 * The controller returns {@code null} after these, which Spring MVC takes as a request already answered.
 */
final class DirectAnswers {

	static final String PRIMARY_HEADER = "X-Kv-Primary";

	private DirectAnswers() {
	}

	/** {@code 200}, the key's new {@code ETag} and {@code {"key","version","epoch"}}, as {@link OutcomeResponses}. */
	static void written(HttpServletResponse response, Outcome.Written w, String primary) throws IOException {
		byte[] body = JsonMapper.shared()
			.writeValueAsBytes(new OutcomeResponses.WriteResult(w.key(), w.version(), w.epoch()));
		send(response, Conditions.etag(w.version()), MediaType.APPLICATION_JSON_VALUE, primary, body);
	}

	/** {@code 200}, the value's {@code ETag} and its raw bytes. */
	static void found(HttpServletResponse response, Outcome.Found found, String primary) throws IOException {
		send(response, Conditions.etag(found.value().version()), MediaType.APPLICATION_OCTET_STREAM_VALUE, primary,
				found.value().value());
	}

	private static void send(HttpServletResponse response, String etag, String contentType, String primary,
			byte[] body) throws IOException {
		response.setStatus(HttpServletResponse.SC_OK);
		response.setHeader(HttpHeaders.ETAG, etag);
		response.setContentType(contentType);
		if (primary != null) {
			response.setHeader(PRIMARY_HEADER, primary);
		}
		response.setContentLength(body.length);
		response.getOutputStream().write(body);
	}

}
