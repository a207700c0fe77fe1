package io.pbkv.api;

import io.micrometer.core.instrument.MeterRegistry;
import io.pbkv.cluster.PeerTls;
import io.pbkv.config.KvProperties;
import io.pbkv.core.Command;
import io.pbkv.core.NodeStatus;
import io.pbkv.core.Outcome;
import io.pbkv.core.Query;
import io.pbkv.core.Role;
import io.pbkv.runtime.NodeRuntime;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import tools.jackson.databind.ObjectMapper;

/** The client API: {@code /kv/{key}} and {@code /kv}. */
@RestController
class KvController {

	private final NodeRuntime runtime;

	private final KvProperties.Limits limits;

	private final String nodeId;

	private final PrimaryForwarder forwarder;

	private final Watches watches;

	private final ObjectMapper json;

	KvController(NodeRuntime runtime, KvProperties properties, MeterRegistry registry, Watches watches,
			ObjectMapper json, PeerTls tls) {
		this.runtime = runtime;
		this.limits = properties.limits();
		this.nodeId = properties.resolvedNodeId();
		this.forwarder = new PrimaryForwarder(nodeId, limits.requestTimeout(), registry, tls);
		this.watches = watches;
		this.json = json;
	}

	@PutMapping("/kv/**")
	ResponseEntity<Object> put(HttpServletRequest request, HttpServletResponse response,
			@RequestHeader(name = HttpHeaders.IF_MATCH, required = false) String ifMatch,
			@RequestHeader(name = HttpHeaders.IF_NONE_MATCH, required = false) String ifNoneMatch) throws IOException {
		String key = KeyPath.keyOf(request, limits.maxKeyBytes());
		var precondition = Conditions.forWrite(ifMatch, ifNoneMatch);
		byte[] value = readValue(request);
		return write(request, response, value, new Command.Put(key, value, precondition));
	}

	@DeleteMapping("/kv/**")
	ResponseEntity<Object> delete(HttpServletRequest request, HttpServletResponse response,
			@RequestHeader(name = HttpHeaders.IF_MATCH, required = false) String ifMatch) throws IOException {
		String key = KeyPath.keyOf(request, limits.maxKeyBytes());
		return write(request, response, null, new Command.Delete(key, Conditions.forWrite(ifMatch, null)));
	}

	@GetMapping("/kv/**")
	ResponseEntity<Object> get(HttpServletRequest request, HttpServletResponse response,
			@RequestHeader(name = HttpHeaders.IF_NONE_MATCH, required = false) String ifNoneMatch,
			@RequestParam(defaultValue = "linearizable") String consistency) throws IOException {
		String key = KeyPath.keyOf(request, limits.maxKeyBytes());
		boolean local = local(consistency);
		if (!local && !servesHere(request)) {
			return route(request, null, false);
		}
		Outcome outcome = Replies.await(runtime.read(new Query.Get(key), local), false);
		if (outcome instanceof Outcome.Found found && Conditions.notModified(ifNoneMatch, found.value().version())) {
			return served(ResponseEntity.status(HttpStatus.NOT_MODIFIED)
				.eTag(Conditions.etag(found.value().version()))
				.build());
		}
		if (outcome instanceof Outcome.Found found) {
			DirectAnswers.found(response, found, runtime.status().role() == Role.PRIMARY ? nodeId : null);
			return null;
		}
		return served(OutcomeResponses.toResponse(outcome));
	}

	/** Keys per page of {@code GET /kv} when the request names no limit, and the most it may name. */
	static final int DEFAULT_LIMIT = 1000;

	static final int MAX_LIMIT = 10_000;

	@GetMapping("/kv")
	ResponseEntity<Object> list(HttpServletRequest request, @RequestParam(defaultValue = "") String prefix,
			@RequestParam(defaultValue = "false") boolean values, @RequestParam(defaultValue = "") String after,
			@RequestParam(required = false) String limit,
			@RequestParam(defaultValue = "linearizable") String consistency) {
		int pageSize = pageSize(limit);
		boolean local = local(consistency);
		if (!local && !servesHere(request)) {
			return route(request, null, false);
		}
		Query query = new Query.List(prefix, values, after, pageSize);
		return served(OutcomeResponses.toResponse(Replies.await(runtime.read(query, local), false)));
	}

	/**
	 * Streams the committed changes under {@code prefix} after {@code since} (or the client's {@code Last-Event-ID};
	 * without either, after the current commit index) as Server-Sent Events; see {@link WatchStream}.
	 */
	@GetMapping(path = "/kv", params = "watch=true")
	ResponseEntity<Object> watch(HttpServletRequest request, HttpServletResponse response,
			@RequestParam(defaultValue = "") String prefix, @RequestParam(required = false) String since,
			@RequestHeader(name = WatchStream.LAST_EVENT_ID, required = false) String lastEventId,
			@RequestParam(defaultValue = "true") boolean values,
			@RequestParam(defaultValue = "linearizable") String consistency) {
		boolean local = local(consistency);
		Long after = since != null ? version("since", since)
				: lastEventId != null ? version(WatchStream.LAST_EVENT_ID, lastEventId) : null;
		if (!local && !servesHere(request)) {
			NodeStatus status = runtime.status();
			return status.primaryUrl() == null ? route(request, null, false)
					: forwarder.relayStream(request, status.primaryUrl(), response);
		}
		NodeStatus status = runtime.status();
		long from = after != null ? after : local ? status.appliedIndex() : status.commitIndex();
		var watch = new WatchStream(runtime, watches, json, prefix, values, local, limits.watchProgress());
		Outcome first = watch.page(from);
		if (!(first instanceof Outcome.Changes changes)) {
			return served(OutcomeResponses.toResponse(first));
		}
		watch.stream(response, changes, runtime.status().role() == Role.PRIMARY ? nodeId : null);
		return null;
	}

	private static Long version(String name, String text) {
		try {
			long version = Long.parseLong(text.strip());
			if (version >= 0) {
				return Long.valueOf(version);
			}
		}
		catch (NumberFormatException ex) {
			// refused below
		}
		throw new ApiException(HttpStatus.BAD_REQUEST, "bad-version",
				name + " must be a version: a whole number from 0, not '" + text + "'");
	}

	private static int pageSize(String limit) {
		if (limit == null) {
			return DEFAULT_LIMIT;
		}
		try {
			int n = Integer.parseInt(limit.strip());
			if (n >= 1 && n <= MAX_LIMIT) {
				return n;
			}
		}
		catch (NumberFormatException ex) {
			// refused below
		}
		throw new ApiException(HttpStatus.BAD_REQUEST, "bad-limit",
				"limit must be a whole number from 1 to " + MAX_LIMIT + ", not '" + limit + "'");
	}

	private ResponseEntity<Object> write(HttpServletRequest request, HttpServletResponse response, byte[] body,
			Command command) throws IOException {
		if (!servesHere(request)) {
			return route(request, body, true);
		}
		Outcome outcome = Replies.await(runtime.write(command), true);
		if (outcome instanceof Outcome.Written w) {
			DirectAnswers.written(response, w, nodeId);
			return null;
		}
		return served(OutcomeResponses.toResponse(outcome));
	}

	private static boolean local(String consistency) {
		return switch (consistency) {
			case "local" -> true;
			case "linearizable" -> false;
			default -> throw new ApiException(HttpStatus.BAD_REQUEST, "bad-consistency",
					"consistency must be 'linearizable' (the default) or 'local'");
		};
	}

	/**
	 * Whether this node answers the request itself: when it is primary, and when the request was forwarded
	 * here (a forwarded request is never forwarded again: a node that is not primary answers 503).
	 */
	private boolean servesHere(HttpServletRequest request) {
		return runtime.status().role() == Role.PRIMARY || request.getHeader(PrimaryForwarder.FORWARDED_BY) != null;
	}

	private ResponseEntity<Object> route(HttpServletRequest request, byte[] body, boolean write) {
		NodeStatus status = runtime.status();
		if (status.primaryUrl() == null) {
			return Problems.response(HttpStatus.SERVICE_UNAVAILABLE, "unavailable",
					"node " + nodeId + " knows no primary right now (epoch " + status.epoch()
							+ "); not done, safe to retry");
		}
		return forwarder.forward(request, status.primaryUrl(), body, write);
	}

	/** Names this node in {@code X-Kv-Primary} when it answered as primary. */
	private ResponseEntity<Object> served(ResponseEntity<Object> response) {
		if (runtime.status().role() != Role.PRIMARY) {
			return response;
		}
		return ResponseEntity.status(response.getStatusCode())
			.headers(response.getHeaders())
			.header(DirectAnswers.PRIMARY_HEADER, nodeId)
			.body(response.getBody());
	}

	/** Reads the body as raw bytes, whatever the Content-Type, refusing more than the limit. */
	private byte[] readValue(HttpServletRequest request) throws IOException {
		long max = limits.maxValueBytes().toBytes();
		byte[] value = RequestBodies.readAtMost(request, max);
		if (value == null) {
			throw tooLarge(request.getContentLengthLong(), max);
		}
		return value;
	}

	private static ApiException tooLarge(long size, long max) {
		return new ApiException(HttpStatus.CONTENT_TOO_LARGE, "value-too-large",
				"the value is " + (size > max + 1 ? size + " bytes" : "over " + max + " bytes") + "; the limit is " + max
						+ " bytes (kv.limits.max-value-bytes)");
	}

}
