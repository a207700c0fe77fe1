package io.pbkv.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code pbkv watch}: prints the committed changes under a prefix as they come, one line each, and follows them
 * across failovers. When a stream ends (its node died, or stopped being primary) it asks the next node with the
 * last version it printed ({@code Last-Event-ID}), so it misses nothing and prints nothing twice.
 */
final class ChangeFollower {

	private static final Duration MAX_PAUSE = Duration.ofSeconds(2);

	private static final Duration SILENCE = Duration.ofSeconds(30);

	private final List<URI> nodes;

	private final Streams io;

	private final Notices notices;

	private final boolean json;

	/** A stream silent for this long is taken as dead (a node sends progress events every few seconds). */
	private final Duration silence;

	ChangeFollower(ClientOptions options, Streams io) {
		this.nodes = options.nodes();
		this.io = io;
		this.notices = new Notices(io.err(), options.quiet());
		this.json = options.json();
		this.silence = options.timeout().compareTo(SILENCE) > 0 ? options.timeout() : SILENCE;
	}

	/** Runs until interrupted, or until the cluster cannot serve the watch from where it is. */
	ExitCode follow(String prefix, Long since) throws InterruptedException {
		Long last = since;
		int failures = 0;
		for (int attempt = 0;; attempt++) {
			URI node = nodes.get(attempt % nodes.size());
			URI url = URI.create(node + "/kv?watch=true&prefix=" + URLEncoder.encode(prefix, StandardCharsets.UTF_8));
			Map<String, String> headers = new LinkedHashMap<>();
			headers.put("Accept", "text/event-stream");
			if (last != null) {
				headers.put("Last-Event-ID", String.valueOf(last));
			}
			String why;
			try {
				HttpURLConnection connection = KvHttpClient.open(url, "GET", headers, silence, null);
				try {
					int status = connection.getResponseCode();
					if (status == 200) {
						Stream stream = print(connection.getInputStream(), last);
						if (stream.last() != null && !stream.last().equals(last)) {
							failures = 0;
						}
						last = stream.last();
						if (stream.end() == ExitCode.COMPACTED) {
							return error(ExitCode.COMPACTED, stream.why());
						}
						why = stream.why();
					}
					else {
						InputStream error = connection.getErrorStream();
						HttpAnswer answer = new HttpAnswer(node, status, error == null ? new byte[0] : error.readAllBytes(), null);
						ExitCode code = status == 410 ? ExitCode.COMPACTED : ExitCode.ofStatus(status);
						if (code != ExitCode.UNAVAILABLE) {
							return error(code, "watch refused by " + node + ": HTTP " + status + " (" + answer.problem() + ")");
						}
						why = answer.problem();
					}
				}
				finally {
					connection.disconnect();
				}
			}
			catch (IOException ex) {
				why = Failure.describe(ex);
			}
			failures++;
			long pause = Math.min(MAX_PAUSE.toMillis(), 50L << Math.min(failures, 6));
			notices.watchResumes("the watch on " + node + " ended (" + why + "); resuming "
					+ (last != null ? "after version " + last : "from now") + " in " + pause + " ms");
			Thread.sleep(pause);
		}
	}

	/** How a stream ended: the last version seen, and why it ended. */
	private record Stream(Long last, ExitCode end, String why) {
	}

	private Stream print(InputStream body, Long last) throws IOException {
		try (SseStream events = new SseStream(body)) {
			for (SseStream.Event e = events.next(); e != null; e = events.next()) {
				JsonNode data = JsonMapper.shared().readTree(e.data());
				switch (e.name()) {
					case "put", "delete" -> io.out().println(json ? line(e.name(), data)
							: e.id() + (e.name().equals("put") ? " put " + data.path("key").asString() + " " + value(data)
									: " del " + data.path("key").asString()));
					case "cancelled" -> {
						String reason = data.path("reason").asString();
						return new Stream(last, reason.equals("compacted") ? ExitCode.COMPACTED : ExitCode.OK,
								reason + ": " + data.path("detail").asString());
					}
					default -> {
					}
				}
				io.out().flush();
				if (e.id() != null) {
					last = Long.parseLong(e.id());
				}
			}
			return new Stream(last, ExitCode.OK, "the stream ended");
		}
		catch (IOException ex) {
			return new Stream(last, ExitCode.OK, Failure.describe(ex));
		}
	}

	/** {@code -o json}: one JSON object per change and line, the event's name first, then its data. */
	private static String line(String event, JsonNode data) {
		Map<String, Object> line = new LinkedHashMap<>();
		line.put("event", event);
		line.putAll(JsonMapper.shared().convertValue(data, Map.class));
		return JsonMapper.shared().writeValueAsString(line);
	}

	private static String value(JsonNode data) {
		JsonNode text = data.get("value");
		return text != null ? text.asString() : "base64:" + data.path("valueBase64").asString();
	}

	private ExitCode error(ExitCode code, String message) {
		io.out().flush();
		io.err().println("pbkv: " + message);
		return code;
	}

}
