package io.pbkv.cli;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A node's answer to a request.
 *
 * @param node the node that answered
 * @param status the HTTP status
 * @param body the body bytes
 * @param servedBy the {@code X-Kv-Primary} header: the primary that served the request, when known
 * @param etag the {@code ETag} header (a key's version, quoted), when the answer had one
 */
record HttpAnswer(URI node, int status, byte[] body, String servedBy, String etag) {

	HttpAnswer(URI node, int status, byte[] body, String servedBy) {
		this(node, status, body, servedBy, null);
	}

	/** The version the {@code ETag} names, or null. */
	Long version() {
		if (etag == null || !etag.matches("\"\\d+\"")) {
			return null;
		}
		return Long.valueOf(etag.substring(1, etag.length() - 1));
	}

	private static final JsonMapper JSON = JsonMapper.shared();

	JsonNode json() {
		return JSON.readTree(body);
	}

	/** The {@code detail} of a problem+json body, else the body as text, else the status. */
	String problem() {
		try {
			JsonNode problem = json();
			Optional<String> detail = problem.path("detail").asStringOpt();
			if (detail.isPresent() && !detail.get().isBlank()) {
				return detail.get();
			}
			Optional<String> title = problem.path("title").asStringOpt();
			if (title.isPresent()) {
				return title.get();
			}
		}
		catch (RuntimeException notJson) {
			// fall through to the text
		}
		String text = new String(body, StandardCharsets.UTF_8).strip();
		return text.isEmpty() ? "HTTP " + status : text;
	}

}
