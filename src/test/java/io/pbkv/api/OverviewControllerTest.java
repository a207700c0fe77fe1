package io.pbkv.api;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code /cluster/overview} with a peer that accepts connections but never answers (a paused node), and the live
 * page at {@code /}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "kv.node-id=solo")
class OverviewControllerTest {

	private static final Path DATA;

	/** Listens but never accepts: connections complete in the kernel, requests never get an answer. */
	private static final ServerSocket SILENT_PEER;

	static {
		try {
			DATA = Files.createTempDirectory("pbkv-overview-test");
			SILENT_PEER = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
		}
		catch (IOException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		registry.add("kv.data-dir", DATA::toString);
		registry.add("kv.peers", () -> "http://127.0.0.1:" + SILENT_PEER.getLocalPort());
	}

	@AfterAll
	static void closeSilentPeer() throws IOException {
		SILENT_PEER.close();
	}

	@LocalServerPort
	int port;

	private final HttpClient http = HttpClient.newHttpClient();

	private final ObjectMapper json = new ObjectMapper();

	private HttpResponse<String> get(String path) throws Exception {
		return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
				BodyHandlers.ofString());
	}

	@Test
	void aSilentPeerIsReportedUnreachableWithinTheTimeoutAndThisNodeInFull() throws Exception {
		get("/kv/absent"); // one client operation, a 404, for clientOps to count
		long start = System.nanoTime();
		HttpResponse<String> response = get("/cluster/overview");
		Duration took = Duration.ofNanos(System.nanoTime() - start);

		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(took).isLessThan(Duration.ofMillis(2000));
		JsonNode overview = json.readTree(response.body());
		assertThat(overview.get("servedBy").asString()).isEqualTo("solo");
		assertThat(overview.get("nodes")).hasSize(2);

		JsonNode self = overview.get("nodes").get(0);
		assertThat(self.get("nodeId").asString()).isEqualTo("solo");
		assertThat(self.get("self").asBoolean()).isTrue();
		assertThat(self.get("reachable").asBoolean()).isTrue();
		assertThat(self.get("url").asString()).startsWith("http://");
		assertThat(self.get("clientOps").asLong()).isGreaterThanOrEqualTo(1);
		JsonNode cluster = self.get("cluster");
		for (String field : new String[] { "nodeId", "role", "epoch", "primaryId", "lastIndex", "commitIndex",
				"appliedIndex", "keys", "eligible", "peers" }) {
			assertThat(cluster.has(field)).as("cluster.%s", field).isTrue();
		}
		assertThat(cluster.get("peers").get(0).has("inSync")).isTrue();

		JsonNode peer = overview.get("nodes").get(1);
		assertThat(peer.get("url").asString()).isEqualTo("http://127.0.0.1:" + SILENT_PEER.getLocalPort());
		assertThat(peer.get("self").asBoolean()).isFalse();
		assertThat(peer.get("reachable").asBoolean()).isFalse();
		assertThat(peer.has("cluster")).isFalse();
		assertThat(peer.has("clientOps")).isFalse();
		assertThat(peer.get("error").asString()).isNotBlank();
	}

	@Test
	void localAnswersWithThisNodeAloneWithoutAskingPeers() throws Exception {
		HttpResponse<String> response = get("/cluster/overview?local=true");

		assertThat(response.statusCode()).isEqualTo(200);
		JsonNode nodes = json.readTree(response.body()).get("nodes");
		assertThat(nodes).hasSize(1);
		assertThat(nodes.get(0).get("nodeId").asString()).isEqualTo("solo");
		assertThat(nodes.get(0).get("cluster").get("role").asString()).isNotBlank();
	}

	@Test
	void theRootServesTheLivePageWithItsScriptAndStyles() throws Exception {
		HttpResponse<String> page = get("/");

		assertThat(page.statusCode()).isEqualTo(200);
		assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
		assertThat(page.body()).contains("<main id=\"app\">").contains("<noscript>").contains("/cluster");
		assertThat(get("/app.js").statusCode()).isEqualTo(200);
		assertThat(get("/app.css").statusCode()).isEqualTo(200);
	}

}
