package io.pbkv.cli;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import tools.jackson.databind.JsonNode;

/** How results and failures read: pure functions from what happened to text. */
final class OutputFormat {

	static final String NOT_FOUND = "(not found)";

	private OutputFormat() {
	}

	/** A successful set: {@code OK (version 7, epoch 2)}. */
	static String written(JsonNode result) {
		return "OK (version " + result.path("version").asLong() + ", epoch " + result.path("epoch").asLong() + ")";
	}

	/** {@code get -o json}: the key, its version and its value, as the listing encodes values. */
	static Map<String, Object> valueJson(String key, Long version, byte[] value) {
		Map<String, Object> json = new LinkedHashMap<>();
		json.put("key", key);
		json.put("version", version);
		utf8(value).ifPresentOrElse(text -> json.put("value", text),
				() -> json.put("valueBase64", Base64.getEncoder().encodeToString(value)));
		return json;
	}

	/** {@code cluster -o json}: each node asked, with its view or why it did not answer, then the primary. */
	static Map<String, Object> clusterJson(List<Probe> probes) {
		List<Map<String, Object>> nodes = new ArrayList<>();
		String primary = null;
		for (Probe probe : probes) {
			Map<String, Object> node = new LinkedHashMap<>();
			node.put("url", probe.node().toString());
			node.put("answered", probe.answered());
			ClusterView v = probe.view();
			if (v == null) {
				node.put("error", probe.error());
			}
			else {
				node.put("nodeId", v.nodeId());
				node.put("role", v.role());
				node.put("epoch", v.epoch());
				node.put("lastIndex", v.lastIndex());
				node.put("commitIndex", v.commitIndex());
				if (v.isPrimary()) {
					primary = probe.node().toString();
				}
			}
			nodes.add(node);
		}
		Map<String, Object> json = new LinkedHashMap<>();
		json.put("nodes", nodes);
		json.put("primary", primary);
		return json;
	}

	static String deleted() {
		return "OK (deleted)";
	}

	/** A value shown as text: itself when it is UTF-8, else its size and base64. */
	static String valueText(byte[] value) {
		return utf8(value).orElseGet(
				() -> "(binary, " + value.length + " bytes) base64:" + Base64.getEncoder().encodeToString(value));
	}

	/**
	 * The listing of {@code GET /kv?values=true} as a KEY / VERSION / VALUE table and a count, with the version it
	 * was read at when the node said.
	 */
	static String dump(JsonNode listing) {
		JsonNode version = listing.path("version");
		return dump(listing.path("entries").values(), version.isNumber() ? version.asLong() : null);
	}

	/**
	 * The entries of one or more pages of {@code GET /kv?values=true}, as {@link #dump(JsonNode)} shows them;
	 * {@code version} is the first page's (a watch from it misses no change made while the pages were read).
	 */
	static String dump(Iterable<JsonNode> entries, Long version) {
		String at = version == null ? "" : ", at version " + version;
		List<List<String>> rows = new ArrayList<>();
		for (JsonNode entry : entries) {
			JsonNode text = entry.path("value");
			String value = text.isString() ? escape(text.asString())
					: "base64:" + entry.path("valueBase64").asString("");
			rows.add(List.of(escape(entry.path("key").asString("")), Long.toString(entry.path("version").asLong()),
					value));
		}
		if (rows.isEmpty()) {
			return "(no keys" + at + ")\n";
		}
		return TextTable.render(List.of("KEY", "VERSION", "VALUE"), rows)
				+ "(" + rows.size() + (rows.size() == 1 ? " key" : " keys") + at + ")\n";
	}

	/** Each node's role, epoch, log indexes and reachability, then who is primary. */
	static String cluster(List<Probe> probes) {
		List<List<String>> rows = new ArrayList<>();
		for (Probe probe : probes) {
			ClusterView v = probe.view();
			rows.add(List.of(nodeId(probe, probes), probe.node().toString(), v == null ? "-" : v.role(),
					v == null ? "-" : Long.toString(v.epoch()), v == null ? "-" : Long.toString(v.lastIndex()),
					v == null ? "-" : Long.toString(v.commitIndex()), v == null ? "no (" + probe.error() + ")" : "yes",
					peersSay(probe, probes)));
		}
		String table = TextTable.render(
				List.of("NODE", "URL", "ROLE", "EPOCH", "LAST", "COMMIT", "REACHABLE", "PEERS SAY"), rows);
		Optional<Probe> primary = probes.stream()
			.filter(p -> p.answered() && p.view().isPrimary())
			.max(Comparator.comparingLong(p -> p.view().epoch()));
		return table + primary.map(p -> "primary: " + p.view().nodeId() + " at " + p.node() + ", epoch "
				+ p.view().epoch())
			.orElse("no node answers as primary") + "\n";
	}

	private static String nodeId(Probe probe, List<Probe> probes) {
		if (probe.answered()) {
			return probe.view().nodeId();
		}
		return probes.stream()
			.filter(Probe::answered)
			.flatMap(p -> p.view().peers().stream())
			.filter(peer -> peer.url() != null && PrimaryLocator.same(URI.create(peer.url()), probe.node()))
			.map(ClusterView.Peer::nodeId)
			.filter(Objects::nonNull)
			.findFirst()
			.orElse("?");
	}

	/** What the other nodes report about this one: reachable, in sync. */
	private static String peersSay(Probe probe, List<Probe> probes) {
		String id = probe.answered() ? probe.view().nodeId() : null;
		List<String> says = new ArrayList<>();
		for (Probe other : probes) {
			if (other == probe || !other.answered()) {
				continue;
			}
			for (ClusterView.Peer peer : other.view().peers()) {
				boolean same = (id != null && id.equals(peer.nodeId()))
						|| (peer.url() != null && PrimaryLocator.same(URI.create(peer.url()), probe.node()));
				if (same) {
					says.add(other.view().nodeId() + ": " + (peer.reachable() ? "reachable" : "unreachable")
							+ (other.view().isPrimary() && peer.inSync() ? ", in sync" : ""));
				}
			}
		}
		return says.isEmpty() ? "-" : String.join("; ", says);
	}

	/** What went wrong in one attempt, such as {@code primary http://localhost:8081 not answering (...)}. */
	static String failure(AttemptFailure failure) {
		Target t = failure.target();
		return switch (failure.failure()) {
			case NO_NODE -> "no node answers (" + failure.detail() + ")";
			case REFUSED, NO_ANSWER -> (t.believedPrimary() ? "primary " : "node ") + t.url() + " not answering ("
					+ failure.detail() + ")";
			case CONNECTION_LOST -> "connection to " + (t.believedPrimary() ? "primary " : "node ") + t.url()
					+ " lost before its answer (" + failure.detail() + ")";
			case UNAVAILABLE -> (t.silentPrimary() != null ? "primary " + t.silentPrimary() + " not answering; " : "")
					+ t.url() + " answered 503 (" + failure.detail() + ")";
			case OUTCOME_UNKNOWN -> t.url() + " answered 504 (" + failure.detail() + ")";
		};
	}

	/** {@code ...; retrying via http://localhost:8082 in 400 ms (attempt 2/8)}. */
	static String retryNotice(AttemptFailure failure, URI via, long delayMillis, int attempt, int attempts) {
		return failure(failure) + "; retrying" + (via == null ? "" : " via " + via) + " in " + delayMillis
				+ " ms (attempt " + attempt + "/" + attempts + ")";
	}

	static String foundPrimary(Target primary) {
		return "found primary " + primary.url() + " (node " + primary.view().nodeId() + ", epoch "
				+ primary.view().epoch() + ")";
	}

	/** Why a request ended without an answer, and what the user can do about it. */
	static String gaveUp(Delivery.GaveUp gaveUp, KvRequest request, boolean retryUnknown) {
		String last = failure(gaveUp.last());
		int attempts = gaveUp.failures().size();
		boolean write = request.operation() != Operation.READ;
		if (gaveUp.exitCode() == ExitCode.UNAVAILABLE) {
			return "unavailable: gave up on " + request.description() + " after " + attempts
					+ (attempts == 1 ? " attempt" : " attempts") + "; last: " + last + (write ? "; nothing was written" : "");
		}
		String advice = request.operation() == Operation.CONDITIONAL_WRITE
				? "read the key before deciding what to do (a conditional write is never repeated automatically)"
				: retryUnknown ? "read the key before trying again"
						: "read the key before trying again, or pass --retry-unknown to let pbkv repeat it";
		return "outcome unknown: " + last + "; " + request.description() + " may or may not have happened: " + advice;
	}

	/** Control characters as escapes, so that a value cannot break the table or the terminal. */
	static String escape(String text) {
		StringBuilder out = new StringBuilder(text.length());
		text.codePoints().forEach(c -> {
			switch (c) {
				case '\n' -> out.append("\\n");
				case '\r' -> out.append("\\r");
				case '\t' -> out.append("\\t");
				default -> {
					if (Character.isISOControl(c)) {
						out.append(String.format("\\u%04x", c));
					}
					else {
						out.appendCodePoint(c);
					}
				}
			}
		});
		return out.toString();
	}

	private static Optional<String> utf8(byte[] value) {
		try {
			return Optional.of(StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(value)).toString());
		}
		catch (CharacterCodingException ex) {
			return Optional.empty();
		}
	}

}
