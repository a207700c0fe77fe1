package io.pbkv.process;

import io.pbkv.cli.SseStream;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import static org.assertj.core.api.Assertions.assertThat;

/** A watch through a kill -9 failover, with writes flowing: it resumes by version and sees the committed history. */
@Tag("process")
class WatchProcessTest {

	@TempDir
	Path work;

	private final ObjectMapper json = new ObjectMapper();

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

	/** Put events seen, as version -> key; a repeat or a step back fails at once. */
	private final Map<Long, String> seen = new TreeMap<>();

	/**
	 * Follows {@code prefix} as a client would: on any node, from its last id, and after an ended stream on the other
	 * node, until {@code stop} and the watch has reached {@code until} (read at the end).
	 */
	private void follow(Pair pair, String prefix, AtomicBoolean stop, long[] until) throws Exception {
		long last = 0;
		int reconnects = 0;
		NodeProcess via = pair.b; // through the backup first: a forwarded watch
		while (!(stop.get() && last >= until[0])) {
			HttpRequest request = HttpRequest.newBuilder(URI.create(via.url() + "/kv?watch=true&prefix=" + prefix))
				.header("Last-Event-ID", String.valueOf(last))
				.build();
			try {
				HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
				if (response.statusCode() == 200) {
					try (SseStream events = new SseStream(response.body())) {
						for (SseStream.Event e = events.next(); e != null; e = events.next()) {
							if (e.id() != null) {
								long version = Long.parseLong(e.id());
								assertThat(version).as("ids only grow (%s)", e).isGreaterThanOrEqualTo(last);
								if (e.name().equals("put")) {
									assertThat(version).as("no event twice (%s)", e).isGreaterThan(last);
									JsonNode data = json.readTree(e.data());
									seen.put(version, data.get("key").asString());
								}
								last = version;
							}
							if (stop.get() && last >= until[0]) {
								return;
							}
						}
					}
				}
				else {
					response.body().close();
				}
			}
			catch (IOException ex) {
				// the node died under us, or is not up: try the other one
			}
			reconnects++;
			assertThat(reconnects).as("reconnects").isLessThan(2_000);
			via = via == pair.a ? pair.b : pair.a;
			Thread.sleep(50);
		}
	}

	@Test
	void aWatchFollowedThroughAKillNineFailoverSeesEveryCommittedWriteOnceAndInOrder() throws Exception {
		try (Pair pair = new Pair(work, "--kv.limits.watch-progress=200ms").start()) {
			Map<String, Long> acked = new ConcurrentHashMap<>();
			AtomicBoolean stopWriting = new AtomicBoolean();
			AtomicBoolean stopWatching = new AtomicBoolean();
			long[] until = { Long.MAX_VALUE };
			try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
				Future<?> watcher = pool.submit(() -> {
					follow(pair, "w/", stopWatching, until);
					return null;
				});
				for (int w = 0; w < 3; w++) {
					int writer = w;
					pool.submit(() -> {
						for (int i = 0; i < 100_000 && !stopWriting.get(); i++) {
							String key = "w/" + writer + "/" + i;
							NodeProcess via = i % 2 == 0 ? pair.a : pair.b;
							KvHttp.Result r = pair.http.put(via.url(), key, "v");
							if (r.status() == 200) {
								acked.put(key, json.readTree(r.body()).get("version").asLong());
							}
						}
					});
				}
				Pair.await("some acknowledged writes", Duration.ofSeconds(30), () -> acked.size() >= 150);
				pair.a.kill9();
				pair.awaitPrimary(pair.b, Duration.ofSeconds(30));
				int before = acked.size();
				Pair.await("writes on the new primary", Duration.ofSeconds(30), () -> acked.size() >= before + 150);
				stopWriting.set(true);
				Thread.sleep(500); // the writers' last requests end
				JsonNode cluster = pair.cluster(pair.b);
				until[0] = cluster.get("commitIndex").asLong();
				stopWatching.set(true);
				watcher.get();
			}
			// The committed history under w/, as the new primary holds it: every key was written once, so each
			// key's version is the version of its one put.
			JsonNode listing = json.readTree(pair.http.send(HttpRequest.newBuilder(
					URI.create(pair.b.url() + "/kv?prefix=w/&values=true&limit=10000")).GET()).body());
			assertThat(listing.has("next")).as("one page holds it all").isFalse();
			Map<Long, String> committed = new TreeMap<>();
			for (JsonNode entry : listing.get("entries")) {
				committed.put(entry.get("version").asLong(), entry.get("key").asString());
			}
			assertThat(committed).as("every acknowledged write is committed").containsKeys(acked.values().toArray(Long[]::new));
			assertThat(seen).as("the watch saw exactly the committed puts: no gap, nothing that was not committed")
				.isEqualTo(committed);
		}
	}

}
