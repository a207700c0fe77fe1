package io.pbkv.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

/** What one node's {@code GET /cluster} says: its own state and how it sees its peers. */
record ClusterView(String nodeId, String role, long epoch, String primaryId, String primaryUrl, long lastIndex,
		long commitIndex, List<Peer> peers) {

	record Peer(String nodeId, String url, boolean reachable, long matchIndex, boolean inSync) {
	}

	ClusterView {
		peers = List.copyOf(peers);
	}

	boolean isPrimary() {
		return "PRIMARY".equals(role);
	}

	/**
	 * Reads a {@code GET /cluster} answer with Jackson's streaming parser: every command asks the nodes first, and
	 * the tree model's first use costs a one-command client more start-up than the rest of the answer's handling.
	 * Fields it does not know are skipped.
	 * @throws tools.jackson.core.JacksonException when the body is not such a JSON object
	 */
	static ClusterView parse(byte[] json) {
		try (JsonParser parser = FACTORY.createParser(ObjectReadContext.empty(), json)) {
			expect(parser, JsonToken.START_OBJECT);
			Map<String, Object> fields = new HashMap<>();
			List<Peer> peers = new ArrayList<>();
			for (String name = parser.nextName(); name != null; name = parser.nextName()) {
				if (name.equals("peers") && parser.nextToken() == JsonToken.START_ARRAY) {
					while (parser.nextToken() == JsonToken.START_OBJECT) {
						Map<String, Object> peer = fields(parser);
						peers.add(new Peer(text(peer, "nodeId"), text(peer, "url"), peer.get("reachable") == Boolean.TRUE,
								number(peer, "matchIndex"), peer.get("inSync") == Boolean.TRUE));
					}
				}
				else {
					fields.put(name, value(parser));
				}
			}
			return new ClusterView(text(fields, "nodeId"), text(fields, "role"), number(fields, "epoch"),
					text(fields, "primaryId"), text(fields, "primaryUrl"), number(fields, "lastIndex"),
					number(fields, "commitIndex"), peers);
		}
	}

	private static final JsonFactory FACTORY = new JsonFactory();

	/** The scalar fields of the object the parser is at the start of; nested values are skipped. */
	private static Map<String, Object> fields(JsonParser parser) {
		Map<String, Object> fields = new HashMap<>();
		for (String name = parser.nextName(); name != null; name = parser.nextName()) {
			fields.put(name, value(parser));
		}
		return fields;
	}

	/** The next value: a string, a number, a boolean, or null for null and for objects and arrays (skipped). */
	private static Object value(JsonParser parser) {
		JsonToken token = parser.nextToken();
		return switch (token) {
			case VALUE_STRING -> parser.getString();
			case VALUE_NUMBER_INT -> parser.getLongValue();
			case VALUE_TRUE -> Boolean.TRUE;
			case VALUE_FALSE -> Boolean.FALSE;
			case START_OBJECT, START_ARRAY -> {
				parser.skipChildren();
				yield null;
			}
			default -> null;
		};
	}

	private static void expect(JsonParser parser, JsonToken expected) {
		JsonToken token = parser.nextToken();
		if (token != expected) {
			throw new IllegalArgumentException("expected " + expected + ", found " + token);
		}
	}

	/** A string field, or {@code null} when it is absent, null or empty. */
	private static String text(Map<String, Object> fields, String field) {
		return fields.get(field) instanceof String text && !text.isEmpty() ? text : null;
	}

	private static long number(Map<String, Object> fields, String field) {
		return fields.get(field) instanceof Long n ? n : 0;
	}

}
