package io.pbkv.process;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import static org.assertj.core.api.Assertions.assertThat;

/** Every meter the contract and the operations issue list, scraped from a real pair; health as documented. */
@Tag("process")
class ObservabilityProcessTest {

	@TempDir
	Path work;

	private static final List<String> PRIMARY_METERS = List.of("kv_node_role", "kv_node_epoch",
			"kv_replication_lag_entries", "kv_replication_in_sync", "kv_failovers_total", "kv_heartbeats_sent_total",
			"kv_replication_latency_seconds_bucket", "kv_client_operations_seconds_count",
			"kv_storage_fsync_seconds_bucket", "kv_storage_batch_entries_bucket", "kv_log_size_bytes",
			"kv_storage_snapshot_seconds_count", "kv_log_discarded_total", "kv_forced_promotions_total",
			"kv_backups_admitted_total", "kv_peer_requests_total", "kv_peer_protocol", "jvm_memory_used_bytes",
			"http_server_requests_seconds_count");

	private static final List<String> BACKUP_METERS = List.of("kv_heartbeats_missed_total", "kv_node_eligible",
			"kv_client_forwarded_total", "kv_pauses_total");

	@Test
	void everyListedMeterIsScrapedAndHealthShowsReplication() throws Exception {
		try (Pair pair = new Pair(work).start()) {
			assertThat(pair.http.put(pair.b.url(), "via-backup", "x").status()).isEqualTo(200);
			assertThat(pair.http.get(pair.a.url(), "via-backup").status()).isEqualTo(200);

			String primary = scrape(pair, pair.a);
			PRIMARY_METERS.forEach(name -> assertThat(primary).as(name).containsPattern("(?m)^" + name + "[{ ]"));
			assertThat(primary).contains("kv_node_role{application=\"pbkv\",role=\"primary\"} 1.0");
			assertThat(primary).containsPattern("kv_client_operations_seconds_count\\{.*outcome=\"ok\".*type=\"put\"");
			assertThat(primary).doesNotContain("via-backup");
			String backup = scrape(pair, pair.b);
			BACKUP_METERS.forEach(name -> assertThat(backup).as(name).containsPattern("(?m)^" + name + "[{ ]"));

			JsonNode health = new ObjectMapper().readTree(pair.http
				.send(HttpRequest.newBuilder(URI.create(pair.b.url() + "/actuator/health")))
				.body());
			JsonNode replication = health.get("components").get("replication");
			assertThat(replication.get("status").asString()).isEqualTo("UP");
			assertThat(replication.get("details").get("role").asString()).isEqualTo("BACKUP");
			assertThat(replication.get("details").get("primaryId").asString()).isEqualTo("a");
			assertThat(replication.get("details").get("peers").toString()).contains("\"reachable\":true");
			JsonNode info = new ObjectMapper().readTree(pair.http
				.send(HttpRequest.newBuilder(URI.create(pair.a.url() + "/actuator/info")))
				.body());
			assertThat(info.get("build").get("artifact").asString()).as("/actuator/info names the build")
				.isEqualTo("pbkv");
			assertThat(info.get("build").get("version").asString()).isNotBlank();
			assertThat(info.get("java").get("version").asString()).isNotBlank();
			for (String probe : List.of("/actuator/health/liveness", "/actuator/health/readiness")) {
				assertThat(pair.http.send(HttpRequest.newBuilder(URI.create(pair.b.url() + probe))).status())
					.as(probe)
					.isEqualTo(200);
			}
		}
	}

	private static String scrape(Pair pair, NodeProcess node) {
		KvHttp.Result r = pair.http.send(HttpRequest.newBuilder(URI.create(node.url() + "/actuator/prometheus")));
		assertThat(r.status()).isEqualTo(200);
		return r.body();
	}

}
