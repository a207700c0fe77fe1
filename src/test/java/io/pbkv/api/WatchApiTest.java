package io.pbkv.api;

import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.pbkv.cli.SseStream;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** The watch row of the client API: the event stream's format, resuming, progress, 400 and 410, over real HTTP. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "kv.node-id=solo", "kv.limits.watch-progress=300ms", "kv.storage.snapshot-every=100",
				"kv.storage.retain-entries=0" })
class WatchApiTest {

	private static final Duration LIMIT = Duration.ofSeconds(20);

	private static final Path DATA = TempDataDirs.create("pbkv-watch-test");

	@DynamicPropertySource
	static void dataDir(DynamicPropertyRegistry registry) {
		registry.add("kv.data-dir", DATA::toString);
	}

	@LocalServerPort
	int port;

	private final HttpClient http = HttpClient.newHttpClient();

	private final ObjectMapper json = new ObjectMapper();

	private HttpResponse<byte[]> send(String method, String path, byte[] body) throws Exception {
		return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
			.method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofByteArray(body))
			.build(), BodyHandlers.ofByteArray());
	}

	private long put(String key, String value) throws Exception {
		return put(key, value.getBytes(StandardCharsets.UTF_8));
	}

	private long put(String key, byte[] value) throws Exception {
		HttpResponse<byte[]> response = send("PUT", "/kv/" + key, value);
		assertThat(response.statusCode()).isEqualTo(200);
		return json.readTree(response.body()).get("version").asLong();
	}

	private HttpResponse<InputStream> watch(String query, String... headers) throws Exception {
		HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/kv?watch=true" + query));
		for (int i = 0; i < headers.length; i += 2) {
			b.header(headers[i], headers[i + 1]);
		}
		return http.send(b.build(), BodyHandlers.ofInputStream());
	}

	private List<SseStream.Event> read(SseStream events, int n, String... skipped) {
		return assertTimeoutPreemptively(LIMIT, () -> {
			List<SseStream.Event> seen = new ArrayList<>();
			while (seen.size() < n) {
				SseStream.Event e = events.next();
				assertThat(e).as("the stream ended after " + seen).isNotNull();
				if (!List.of(skipped).contains(e.name())) {
					seen.add(e);
				}
			}
			return seen;
		});
	}

	private JsonNode data(SseStream.Event event) {
		return json.readTree(event.data());
	}

	@Test
	void aWatchStreamsEveryCommittedPutAndDeleteUnderItsPrefixInOrderWithTheVersionAsId() throws Exception {
		long start = put("w1/seed", "x");
		HttpResponse<InputStream> response = watch("&prefix=w1/a&since=" + start);
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
				t -> assertThat(t).startsWith("text/event-stream"));
		long a = put("w1/a1", "blue");
		put("w1/b", "not watched");
		long bin = put("w1/a2", new byte[] { (byte) 0xff, 0, 1 });
		long del = send("DELETE", "/kv/w1/a1", null).statusCode() == 204 ? bin + 1 : -1;
		try (SseStream events = new SseStream(response.body())) {
			List<SseStream.Event> seen = read(events, 3, "progress");
			assertThat(seen).extracting(SseStream.Event::name).containsExactly("put", "put", "delete");
			assertThat(seen).extracting(SseStream.Event::id)
				.containsExactly(String.valueOf(a), String.valueOf(bin), String.valueOf(del));
			assertThat(data(seen.get(0)).toString())
				.isEqualTo("{\"key\":\"w1/a1\",\"version\":" + a + ",\"value\":\"blue\"}");
			assertThat(data(seen.get(1)).get("valueBase64").asString()).isEqualTo("/wAB");
			assertThat(data(seen.get(2)).toString()).isEqualTo("{\"key\":\"w1/a1\",\"version\":" + del + "}");
		}
	}

	@Test
	void anIdleWatchGetsProgressEventsWithTheVersionItHasSeenUpTo() throws Exception {
		put("w2/other", "x");
		HttpResponse<InputStream> response = watch("&prefix=w2/none/");
		long last = put("w2/other", "y");
		try (SseStream events = new SseStream(response.body())) {
			SseStream.Event progress;
			do {
				progress = read(events, 1).get(0);
				assertThat(progress.name()).isEqualTo("progress");
			}
			while (Long.parseLong(progress.id()) < last);
			assertThat(data(progress).get("version").asLong()).isEqualTo(Long.parseLong(progress.id()));
		}
	}

	@Test
	void aClientResumesWithLastEventIdAndSeesOnlyWhatCameAfter() throws Exception {
		long first = put("w3/k", "1");
		long second = put("w3/k", "2");
		HttpResponse<InputStream> response = watch("&prefix=w3/&values=false", "Last-Event-ID", String.valueOf(first));
		try (SseStream events = new SseStream(response.body())) {
			SseStream.Event next = read(events, 1, "progress").get(0);
			assertThat(next.id()).isEqualTo(String.valueOf(second));
			assertThat(data(next).has("value")).as("values=false leaves the value out").isFalse();
		}
	}

	@Test
	void aWatcherThatCannotKeepUpIsCutOffWithALastEventSayingSoNotBufferedWithoutBound() throws Exception {
		long start = put("w6/start", "x");
		try (Socket socket = new Socket("127.0.0.1", port)) {
			socket.getOutputStream().write(("GET /kv?watch=true&prefix=w6/&since=" + start + " HTTP/1.0\r\n\r\n")
				.getBytes(StandardCharsets.US_ASCII));
			// The watcher reads nothing while 24 MB are written: more than the socket buffers hold, so the node's
			// writer blocks, and the log is compacted past the watcher's position meanwhile.
			byte[] value = new byte[60_000];
			for (int i = 0; i < 400; i++) {
				put("w6/k" + i, value);
			}
			// HTTP/1.0: no chunked encoding, so the body is the event stream itself, up to the close.
			SseStream events = new SseStream(socket.getInputStream());
			List<SseStream.Event> seen = new ArrayList<>();
			SseStream.Event last = assertTimeoutPreemptively(LIMIT, () -> {
				for (SseStream.Event e = events.next(); e != null; e = events.next()) {
					if (e.name().equals("cancelled")) {
						return e;
					}
					if (e.name().equals("put")) {
						seen.add(e);
					}
				}
				return null;
			});
			assertThat(last).as("the stream ends with an event that says why").isNotNull();
			assertThat(data(last).get("reason").asString()).isEqualTo("compacted");
			assertThat(seen).as("it got what fitted in the buffers, then was cut off").isNotEmpty().hasSizeLessThan(400);
			for (int i = 0; i < seen.size(); i++) {
				assertThat(seen.get(i).id()).as("in order, with no gap").isEqualTo(String.valueOf(start + 1 + i));
			}
			assertThat(events.next()).as("and the stream is closed").isNull();
		}
	}

	@Test
	void aVersionThatIsNotANumberIsABadRequest() throws Exception {
		HttpResponse<InputStream> response = watch("&since=yesterday");
		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
		assertThat(new String(response.body().readAllBytes())).contains("bad-version");
	}

	@Test
	void aVersionTheNodeNoLongerHoldsIsGoneAndTheAnswerNamesTheOldestItCanServe() throws Exception {
		for (int i = 0; i < 120; i++) {
			put("w5/k" + i, "v");
		}
		long oldest = assertTimeoutPreemptively(LIMIT, () -> {
			while (true) {
				HttpResponse<InputStream> response = watch("&since=0");
				if (response.statusCode() == 410) {
					JsonNode problem = json.readTree(response.body().readAllBytes());
					assertThat(problem.get("type").asString()).isEqualTo("urn:pbkv:problem:compacted");
					return problem.get("oldestVersion").asLong();
				}
				response.body().close();
				Thread.sleep(50); // the snapshot is written off the loop; compaction follows it
			}
		});
		assertThat(oldest).isPositive();
		HttpResponse<InputStream> fromOldest = watch("&since=" + oldest);
		assertThat(fromOldest.statusCode()).isEqualTo(200);
		fromOldest.body().close();
	}

}
