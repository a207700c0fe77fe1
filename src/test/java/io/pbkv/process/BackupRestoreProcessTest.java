package io.pbkv.process;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Backup and restore with the real jar: a snapshot downloaded from a running node ({@code GET /admin/snapshot})
 * and restored with {@code pbkv.jar restore} starts a new cluster, lone or a pair whose backup copies it, that
 * serves every key of the snapshot; and a data dir of a newer format stops start-up with a clear message.
 */
@Tag("process")
class BackupRestoreProcessTest {

	private static final String TOKEN = "backup-token";

	private static final int KEYS = 300;

	@TempDir
	Path work;

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	private final KvHttp kv = new KvHttp(Duration.ofSeconds(10));

	private final ObjectMapper json = new ObjectMapper();

	private static String key(int i) {
		return "key-%03d".formatted(i);
	}

	private static String value(int i) {
		return "value of " + key(i);
	}

	private HttpResponse<String> get(NodeProcess node, String path, String token) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(node.url() + path)).timeout(Duration.ofSeconds(30));
		if (token != null) {
			request.header("X-Kv-Token", token);
		}
		return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	private JsonNode cluster(NodeProcess node) throws Exception {
		return json.readTree(get(node, "/cluster", null).body());
	}

	@Test
	void aDownloadedSnapshotStartsANewLoneNodeAndANewPairWithEveryKeyOfIt() throws Exception {
		// 1. A running lone node with snapshots every 100 entries and some writes.
		Path snapshot = work.resolve("downloads");
		Files.createDirectories(snapshot);
		long index;
		long epoch;
		String sourceCluster;
		try (NodeProcess source = new NodeProcess("source", NodeProcess.freePort(), work,
				List.of("--kv.storage.snapshot-every=100", "--kv.cluster.token=" + TOKEN)).start()) {
			source.awaitReady(Duration.ofSeconds(90));
			for (int i = 0; i < KEYS; i++) {
				assertThat(kv.put(source.url(), key(i), value(i)).status()).as("put %s", key(i)).isEqualTo(200);
			}
			sourceCluster = cluster(source).get("clusterId").asString();

			// 2. Only an operator with the token may download it; the refusals are problem+json.
			HttpResponse<String> anonymous = get(source, "/admin/snapshot", null);
			assertThat(anonymous.statusCode()).isEqualTo(401);
			assertThat(anonymous.headers().firstValue("Content-Type")).hasValueSatisfying(
					type -> assertThat(type).startsWith("application/problem+json"));
			assertThat(anonymous.body()).contains("urn:pbkv:problem:forbidden").contains("X-Kv-Token");
			assertThat(get(source, "/admin/snapshot", "wrong").statusCode()).isEqualTo(403);
			HttpResponse<String> force = http.send(HttpRequest.newBuilder(URI.create(source.url() + "/cluster/force-primary"))
				.POST(HttpRequest.BodyPublishers.noBody())
				.build(), HttpResponse.BodyHandlers.ofString());
			assertThat(force.statusCode()).as("force-primary shares the check").isEqualTo(401);

			// 3. The download: the state at one index, at least every write acknowledged before it was asked for.
			long applied = cluster(source).get("appliedIndex").asLong();
			HttpResponse<Path> download = http.send(
					HttpRequest.newBuilder(URI.create(source.url() + "/admin/snapshot"))
						.header("X-Kv-Token", TOKEN)
						.timeout(Duration.ofSeconds(60))
						.build(),
					HttpResponse.BodyHandlers.ofFile(snapshot.resolve("download.snap")));
			assertThat(download.statusCode()).isEqualTo(200);
			index = Long.parseLong(download.headers().firstValue("X-Kv-Snapshot-Index").orElseThrow());
			epoch = Long.parseLong(download.headers().firstValue("X-Kv-Snapshot-Epoch").orElseThrow());
			assertThat(index).as("a fresh snapshot, of the applied index").isGreaterThanOrEqualTo(applied)
				.isGreaterThan(KEYS);
			assertThat(download.headers().firstValue("Content-Type")).hasValue("application/octet-stream");
			assertThat(download.headers().firstValue("Content-Disposition"))
				.hasValue("attachment; filename=\"pbkv-source-" + index + ".snap\"");
			assertThat(download.headers().firstValueAsLong("Content-Length"))
				.hasValue(Files.size(download.body()));
			snapshot = Files.move(download.body(), snapshot.resolve("pbkv-source-" + index + ".snap"));

			// Written after the snapshot: not in it.
			assertThat(kv.put(source.url(), "after", "not in the snapshot").status()).isEqualTo(200);
		}

		// 4. A new lone node on the restored snapshot serves every key, and writes.
		String restored = restore(snapshot, work.resolve("lone/data"));
		assertThat(restored).contains("restored the snapshot at index " + index + " (epoch " + epoch + ", " + KEYS
				+ " keys");
		try (NodeProcess lone = new NodeProcess("lone", NodeProcess.freePort(), work,
				List.of("--kv.initial-role=primary", "--kv.cluster.token=" + TOKEN)).start()) {
			lone.awaitReady(Duration.ofSeconds(90));
			assertEveryKey(lone, "");
			assertThat(kv.get(lone.url(), "after").status()).isEqualTo(404);
			JsonNode status = cluster(lone);
			assertThat(status.get("clusterId").asString()).as("a new cluster").isNotEqualTo(sourceCluster);
			assertThat(status.get("epoch").asLong()).isGreaterThan(epoch);
			assertThat(status.get("snapshotIndex").asLong()).isEqualTo(index);
			KvHttp.Result write = kv.put(lone.url(), "new", "written to the restored node");
			assertThat(write.status()).isEqualTo(200);
			assertThat(json.readTree(write.body()).get("version").asLong()).isGreaterThan(index);
		}

		// 5. A new pair: the restored node founds the cluster, the empty backup copies the snapshot from it.
		restore(snapshot, work.resolve("a/data"));
		int portA = NodeProcess.freePort();
		int portB = NodeProcess.freePort();
		NodeProcess a = new NodeProcess("a", portA, work,
				Pair.args("http://127.0.0.1:" + portB, "primary", Duration.ofMillis(300), Pair.TIMEOUT));
		NodeProcess b = new NodeProcess("b", portB, work,
				Pair.args("http://127.0.0.1:" + portA, "backup", Duration.ofMillis(300), Pair.TIMEOUT));
		try (Pair pair = new Pair(a, b)) {
			a.start();
			b.start();
			a.awaitReady(Duration.ofSeconds(90));
			b.awaitReady(Duration.ofSeconds(90));
			pair.awaitInSync(a, b);
			assertThat(pair.isPrimary(a)).isTrue();
			assertThat(cluster(b).get("snapshotIndex").asLong()).as("b installed a snapshot").isGreaterThanOrEqualTo(index);
			assertThat(Files.readString(b.logFile())).contains("fetched snapshot " + index);
			assertEveryKey(a, "");
			assertEveryKey(b, "?consistency=local");
			assertThat(kv.put(b.url(), "new", "written through the backup").status()).isEqualTo(200);
			Pair.await("the write on b's own copy", Duration.ofSeconds(10),
					() -> kv.get(b.url(), "new?consistency=local").status() == 200);
		}
	}

	@Test
	void aDataDirOfANewerFormatStopsStartUpAndSaysWhy() throws Exception {
		NodeProcess node = new NodeProcess("future", NodeProcess.freePort(), work, List.of());
		Files.createDirectories(node.dataDir());
		Files.writeString(node.dataDir().resolve("meta.properties"),
				"format=2\nclusterId=from-the-future\nepoch=9\nchecksum=sha256\\:0\n");
		try (node) {
			node.start();
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
			while (node.isAlive() && System.nanoTime() < deadline) {
				Thread.sleep(100);
			}
			assertThat(node.isAlive()).as("the node refuses to start").isFalse();
			assertThat(Files.readString(node.logFile())).contains("APPLICATION FAILED TO START")
				.contains("is in data dir format version 2, which this pbkv does not know (it reads format 1)")
				.contains("written by a newer pbkv")
				.contains("Run the pbkv version that wrote this data dir");
		}
		assertThat(Files.readString(node.dataDir().resolve("meta.properties"))).startsWith("format=2");
		assertThat(node.dataDir().resolve("log")).doesNotExist();
	}

	private void assertEveryKey(NodeProcess node, String query) {
		List<String> wrong = new ArrayList<>();
		for (int i = 0; i < KEYS; i++) {
			KvHttp.Result read = kv.get(node.url(), key(i) + query);
			if (read.status() != 200 || !read.body().equals(value(i))) {
				wrong.add(key(i) + " -> " + read.status() + " " + read.body());
			}
		}
		assertThat(wrong).as("keys %s reads wrongly", node.nodeId()).isEmpty();
	}

	/** Runs {@code java -jar target/pbkv.jar restore file dataDir}; returns its output. */
	private static String restore(Path file, Path dataDir) throws Exception {
		String java = ProcessHandle.current().info().command().orElse("java");
		Process process = new ProcessBuilder(java, "-jar", Path.of("target/pbkv.jar").toAbsolutePath().toString(),
				"restore", file.toString(), dataDir.toString())
			.redirectErrorStream(true)
			.start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
		assertThat(process.exitValue()).as("pbkv restore: %s", output).isZero();
		return output;
	}

}
