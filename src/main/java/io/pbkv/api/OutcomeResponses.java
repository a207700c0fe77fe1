package io.pbkv.api;

import io.pbkv.core.Outcome;

import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

import tools.jackson.databind.json.JsonMapper;

/** The one mapping from what the core decided to what the client sees. */
final class OutcomeResponses {

	private OutcomeResponses() {
	}

	static ResponseEntity<Object> toResponse(Outcome outcome) {
		return switch (outcome) {
			case Outcome.Written w -> written(w);
			case Outcome.Deleted d -> ResponseEntity.noContent().build();
			case Outcome.Found f -> ResponseEntity.ok()
				.eTag(Conditions.etag(f.value().version()))
				.contentType(MediaType.APPLICATION_OCTET_STREAM)
				.body(f.value().value());
			case Outcome.Listing l -> ResponseEntity.ok().body(listing(l));
			case Outcome.NotFound n -> Problems.response(HttpStatus.NOT_FOUND, "not-found",
					"no key " + quoted(n.key()), Map.of("key", n.key()));
			case Outcome.PreconditionFailed p -> Problems.response(HttpStatus.PRECONDITION_FAILED,
					"precondition-failed",
					p.currentVersion() == 0 ? "key " + quoted(p.key()) + " does not exist"
							: "key " + quoted(p.key()) + " is at version " + p.currentVersion(),
					Map.of("key", p.key(), "currentVersion", p.currentVersion()));
			case Outcome.Unavailable u -> Problems.response(HttpStatus.SERVICE_UNAVAILABLE, "unavailable",
					u.reason() + "; not done, safe to retry");
			case Outcome.Indeterminate i -> Problems.response(HttpStatus.GATEWAY_TIMEOUT, "outcome-unknown",
					i.reason() + "; the write may or may not have happened");
			case Outcome.HandedOver h -> ResponseEntity.ok()
				.body(Map.of("from", h.from(), "to", h.to(), "epoch", h.epoch(), "lastIndex", h.lastIndex()));
			case Outcome.Forced f -> ResponseEntity.ok()
				.body(Map.of("epoch", f.epoch(), "lastIndex", f.lastIndex(), "warning", f.warning()));
			case Outcome.Compacted c -> Problems.response(HttpStatus.GONE, "compacted",
					"versions up to " + c.oldest() + " are compacted away on this node; watch with since >= " + c.oldest()
							+ ", after listing the keys again",
					Map.of("oldestVersion", c.oldest()));
			case Outcome.Changes c -> throw new IllegalStateException("a watch streams its pages itself");
			case Outcome.Reconfigured r -> ResponseEntity.ok()
				.body(Map.of("configVersion", r.version(), "voters", r.voters()));
			case Outcome.Applied a -> throw new IllegalStateException("no client waits for " + a);
		};
	}

	/** A successful PUT: {@code ETag} and the JSON of {@link WriteResult} (the controller writes it directly). */
	static ResponseEntity<Object> written(Outcome.Written w) {
		return ResponseEntity.ok()
			.eTag(Conditions.etag(w.version()))
			.contentType(MediaType.APPLICATION_JSON)
			.body(JsonMapper.shared().writeValueAsBytes(new WriteResult(w.key(), w.version(), w.epoch())));
	}

	/** The JSON of a successful PUT. */
	record WriteResult(String key, long version, long epoch) {
	}

	/**
	 * {@code count}, {@code keys}, {@code entries} when values were asked for, {@code version} (the applied index
	 * the listing was read at) and, when more keys follow, {@code next}: the {@code after} of the next page.
	 */
	private static Map<String, Object> listing(Outcome.Listing listing) {
		List<Outcome.Listing.Item> items = listing.items();
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("count", items.size());
		body.put("keys", items.stream().map(Outcome.Listing.Item::key).toList());
		if (!items.isEmpty() && items.get(0).value() != null) {
			body.put("entries", items.stream().map(OutcomeResponses::entry).toList());
		}
		body.put("version", listing.version());
		if (listing.next() != null) {
			body.put("next", listing.next());
		}
		return body;
	}

	/** One item of a listing with values. */
	private static Map<String, Object> entry(Outcome.Listing.Item item) {
		Map<String, Object> entry = new LinkedHashMap<>();
		entry.put("key", item.key());
		entry.put("version", item.version());
		putValue(entry, item.value());
		return entry;
	}

	/** Values that are text go in as {@code value}; anything else as {@code valueBase64}. */
	static void putValue(Map<String, Object> entry, byte[] value) {
		Utf8.decode(value)
			.ifPresentOrElse(text -> entry.put("value", text),
					() -> entry.put("valueBase64", Base64.getEncoder().encodeToString(value)));
	}

	private static String quoted(String key) {
		return "'" + key + "'";
	}


}
