package io.pbkv.api;

import io.pbkv.core.Outcome;
import io.pbkv.core.Query;
import io.pbkv.runtime.NodeRuntime;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;

import tools.jackson.databind.ObjectMapper;

/**
 * One watch: it asks the node for pages of committed changes after the last version it wrote, and writes them as
 * Server-Sent Events, until the client leaves or the node can no longer serve it.
 *
 * <p>It pulls rather than being pushed to: between pages it holds one page at most, so a watcher that cannot keep
 * up never grows the heap. It falls behind instead, and once the log no longer holds its position the node says
 * so and the stream ends with a {@code cancelled} event.
 */
final class WatchStream {

	/** The header an SSE client (a browser's EventSource) resumes with: the id of the last event it saw. */
	static final String LAST_EVENT_ID = "Last-Event-ID";

	/** Changes per page: small enough to write out quickly, large enough that a busy watch is few round trips. */
	static final int PAGE = 256;

	private final NodeRuntime runtime;

	private final Watches watches;

	private final ObjectMapper json;

	private final String prefix;

	private final boolean values;

	private final boolean local;

	private final Duration progressEvery;

	/** The node's status generation before the last page was asked for: a change after it wakes the wait. */
	private long seen;

	WatchStream(NodeRuntime runtime, Watches watches, ObjectMapper json, String prefix, boolean values, boolean local,
			Duration progressEvery) {
		this.runtime = runtime;
		this.watches = watches;
		this.json = json;
		this.prefix = prefix;
		this.values = values;
		this.local = local;
		this.progressEvery = progressEvery;
	}

	/** The changes after {@code after}: {@link Outcome.Changes}, {@link Outcome.Compacted} or why not. */
	Outcome page(long after) {
		seen = runtime.statusGeneration();
		try {
			return runtime.read(new Query.Changes(prefix, after, PAGE), local).get();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return new Outcome.Unavailable("interrupted");
		}
		catch (ExecutionException ex) {
			throw new IllegalStateException(ex.getCause());
		}
	}

	/** Streams {@code first} and every page after it; returns when the stream ends, for whatever reason. */
	void stream(HttpServletResponse response, Outcome.Changes first, String primary) {
		response.setStatus(HttpServletResponse.SC_OK);
		response.setContentType(MediaType.TEXT_EVENT_STREAM_VALUE);
		response.setCharacterEncoding(StandardCharsets.UTF_8);
		response.setHeader(HttpHeaders.CACHE_CONTROL, "no-cache");
		if (primary != null) {
			response.setHeader("X-Kv-Primary", primary);
		}
		watches.opened();
		try {
			follow(response.getOutputStream(), first);
		}
		catch (IOException ex) {
			// The client left: nothing to tell anyone.
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		finally {
			watches.closed();
		}
	}

	private void follow(OutputStream out, Outcome.Changes first) throws IOException, InterruptedException {
		Outcome.Changes page = first;
		long lastWrite = System.nanoTime();
		out.flush(); // the client sees the 200 and the headers at once, before any change
		while (true) {
			for (Outcome.Changes.Change change : page.items()) {
				write(out, change.deleted() ? "delete" : "put", change.version(), data(change));
			}
			long through = page.through();
			if (!page.items().isEmpty()) {
				out.flush();
				lastWrite = System.nanoTime();
			}
			if (!watches.accepting()) {
				cancel(out, "shutting-down", "the node is shutting down; resume on another node from the last id", null);
				return;
			}
			Duration quiet = Duration.ofNanos(System.nanoTime() - lastWrite);
			boolean caughtUp = page.items().size() < PAGE && through >= runtime.status().appliedIndex();
			boolean changed = caughtUp && quiet.compareTo(progressEvery) < 0
					&& runtime.awaitStatusChange(seen, progressEvery.minus(quiet));
			if (caughtUp && !changed || Duration.ofNanos(System.nanoTime() - lastWrite).compareTo(progressEvery) >= 0) {
				write(out, "progress", through, Map.of("version", through));
				out.flush();
				lastWrite = System.nanoTime();
			}
			Outcome next = page(through);
			switch (next) {
				case Outcome.Changes changes -> page = changes;
				case Outcome.Compacted compacted -> {
					cancel(out, "compacted", "this watch fell behind what the node keeps; list the keys again and watch "
							+ "from the listing's version", compacted.oldest());
					return;
				}
				case Outcome.Unavailable unavailable -> {
					cancel(out, "unavailable", unavailable.reason() + "; resume from the last id", null);
					return;
				}
				default -> throw new IllegalStateException("a watch's page came back as " + next);
			}
		}
	}

	private Map<String, Object> data(Outcome.Changes.Change change) {
		Map<String, Object> data = new LinkedHashMap<>();
		data.put("key", change.key());
		data.put("version", change.version());
		if (values && !change.deleted()) {
			OutcomeResponses.putValue(data, change.value());
		}
		return data;
	}

	/** The last event of a stream the node ends: why, and what the client does next. */
	private void cancel(OutputStream out, String reason, String detail, Long oldest) throws IOException {
		Map<String, Object> data = new LinkedHashMap<>();
		data.put("reason", reason);
		data.put("detail", detail);
		if (oldest != null) {
			data.put("oldestVersion", oldest);
		}
		write(out, "cancelled", null, data);
		out.flush();
	}

	private void write(OutputStream out, String event, Long id, Map<String, Object> data) throws IOException {
		// JSON escapes line breaks inside strings, so the data is one line, as an SSE data field must be.
		String text = "event: " + event + "\n" + (id != null ? "id: " + id + "\n" : "") + "data: "
				+ json.writeValueAsString(data) + "\n\n";
		out.write(text.getBytes(StandardCharsets.UTF_8));
	}

}
