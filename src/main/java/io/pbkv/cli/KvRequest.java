package io.pbkv.cli;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * One client API request, independent of the node it is sent to.
 *
 * @param method the HTTP method
 * @param path the path and query, already percent-encoded
 * @param body the bytes to send, or {@code null}
 * @param condition the precondition headers to send
 * @param operation what the request does, for the retry decision
 * @param description what a notice calls it, such as {@code get 'color'}
 */
record KvRequest(String method, String path, byte[] body, Condition condition, Operation operation,
		String description) {

	static KvRequest put(String key, byte[] value, Condition condition) {
		return new KvRequest("PUT", keyPath(key), value, condition, operation(condition), "set '" + key + "'");
	}

	static KvRequest get(String key) {
		return new KvRequest("GET", keyPath(key), null, Condition.NONE, Operation.READ, "get '" + key + "'");
	}

	static KvRequest delete(String key, Condition condition) {
		return new KvRequest("DELETE", keyPath(key), null, condition, operation(condition), "del '" + key + "'");
	}

	static KvRequest list(String prefix) {
		return list(prefix, "");
	}

	/** One page of the listing: the keys under {@code prefix} after {@code after} ("" for the first page). */
	static KvRequest list(String prefix, String after) {
		String query = (prefix.isEmpty() ? "" : "&prefix=" + URLEncoder.encode(prefix, StandardCharsets.UTF_8))
				+ (after.isEmpty() ? "" : "&after=" + URLEncoder.encode(after, StandardCharsets.UTF_8));
		return new KvRequest("GET", "/kv?values=true" + query, null, Condition.NONE, Operation.READ,
				prefix.isEmpty() ? "dump" : "dump '" + prefix + "'");
	}

	private static Operation operation(Condition condition) {
		return condition.conditional() ? Operation.CONDITIONAL_WRITE : Operation.WRITE;
	}

	/**
	 * {@code /kv/} and the key, each UTF-8 byte percent-encoded except unreserved characters and {@code /}: the
	 * server takes the whole rest of the path, percent-decoded, as the key.
	 */
	static String keyPath(String key) {
		StringBuilder path = new StringBuilder("/kv/");
		for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
			char c = (char) (b & 0xff);
			if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~/".indexOf(c) >= 0) {
				path.append(c);
			}
			else {
				path.append('%').append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xf, 16)))
					.append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
			}
		}
		return path.toString();
	}

}
