package io.pbkv.api;

import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import tools.jackson.databind.json.JsonMapper;

/** Builds RFC 9457 problem responses: one type URI per kind of problem, 503 and 504 with Retry-After. */
public final class Problems {

	private Problems() {
	}

	/**
	 * Writes the problem straight to {@code response}, for a servlet filter that refuses a request before any
	 * handler (and Spring MVC's converters) would see it.
	 */
	public static void write(HttpServletResponse response, HttpStatus status, String problem, String detail)
			throws IOException {
		write(response, status, problem, detail, null, Map.of());
	}

	/**
	 * The same with {@code instance} (the request's path, as Spring MVC fills it in; null leaves it out) and more
	 * members; 503 and 504 get {@code Retry-After}, as {@link #response} gives them.
	 */
	static void write(HttpServletResponse response, HttpStatusCode status, String problem, String detail,
			String instance, Map<String, Object> properties) throws IOException {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("type", "urn:pbkv:problem:" + problem);
		body.put("title", HttpStatus.valueOf(status.value()).getReasonPhrase());
		body.put("status", status.value());
		body.put("detail", detail);
		if (instance != null) {
			body.put("instance", instance);
		}
		body.putAll(properties);
		response.setStatus(status.value());
		if (status.value() == 503 || status.value() == 504) {
			response.setHeader(HttpHeaders.RETRY_AFTER, "1");
		}
		response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
		response.getOutputStream().write(JsonMapper.shared().writeValueAsBytes(body));
	}

	/** Writes a problem that {@link #response} built, straight to {@code response}. */
	static void write(HttpServletResponse response, ResponseEntity<Object> problem, String instance)
			throws IOException {
		if (!(problem.getBody() instanceof ProblemDetail detail) || detail.getType() == null) {
			throw new IllegalArgumentException("not a problem: " + problem);
		}
		String type = detail.getType().toString();
		write(response, problem.getStatusCode(), type.substring(type.lastIndexOf(':') + 1), detail.getDetail(),
				instance, detail.getProperties() == null ? Map.of() : detail.getProperties());
	}

	static ProblemDetail detail(HttpStatusCode status, String problem, String detail) {
		ProblemDetail body = ProblemDetail.forStatusAndDetail(status, detail);
		body.setType(URI.create("urn:pbkv:problem:" + problem));
		return body;
	}

	public static ResponseEntity<Object> response(HttpStatusCode status, String problem, String detail) {
		return response(status, problem, detail, Map.of());
	}

	static ResponseEntity<Object> response(HttpStatusCode status, String problem, String detail,
			Map<String, Object> properties) {
		ProblemDetail body = detail(status, problem, detail);
		properties.forEach(body::setProperty);
		ResponseEntity.BodyBuilder builder = ResponseEntity.status(status)
			.contentType(MediaType.APPLICATION_PROBLEM_JSON);
		if (status.value() == 503 || status.value() == 504) {
			builder.header(HttpHeaders.RETRY_AFTER, "1");
		}
		return builder.body(body);
	}

}
