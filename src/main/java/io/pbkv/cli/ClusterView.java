package io.pbkv.cli;

import java.util.ArrayList;
import java.util.List;

import tools.jackson.databind.JsonNode;

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

	static ClusterView parse(JsonNode json) {
		List<Peer> peers = new ArrayList<>();
		for (JsonNode p : json.path("peers").values()) {
			peers.add(new Peer(text(p, "nodeId"), text(p, "url"), p.path("reachable").asBoolean(false),
					p.path("matchIndex").asLong(0), p.path("inSync").asBoolean(false)));
		}
		return new ClusterView(text(json, "nodeId"), text(json, "role"), json.path("epoch").asLong(0),
				text(json, "primaryId"), text(json, "primaryUrl"), json.path("lastIndex").asLong(0),
				json.path("commitIndex").asLong(0), peers);
	}

	/** A string field, or {@code null} when it is absent, null or empty. */
	private static String text(JsonNode json, String field) {
		JsonNode node = json.path(field);
		if (node.isMissingNode() || node.isNull()) {
			return null;
		}
		String text = node.asString("");
		return text.isEmpty() ? null : text;
	}

}
