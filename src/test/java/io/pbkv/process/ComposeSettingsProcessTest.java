package io.pbkv.process;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Compose file's production setting, run for real without Docker (which CI does not have): {@code
 * bin/compose-secrets} makes the tokens and the openssl CA and certificates, and two nodes start with exactly the
 * environment and secrets {@code docker-compose.yml} gives {@code pbkv-a} and {@code pbkv-b}, with {@code
 * /run/secrets/*} pointed at the files Compose would mount and the Compose host names at loopback ports. The pair
 * must replicate over mutual TLS, take the admin token, refuse an anonymous client and a peer without a certificate,
 * let Prometheus's scrape token read the meters, and pass the file's own health check command.
 */
@Tag("process")
class ComposeSettingsProcessTest {

	@TempDir
	Path work;

	private final List<NodeProcess> nodes = new ArrayList<>();

	@AfterEach
	void stop() throws InterruptedException {
		for (NodeProcess node : nodes) {
			node.close();
		}
	}

	@Test
	void theComposePairRunsWithItsSecretsOverMutualTls() throws Exception {
		Path secrets = work.resolve("secrets");
		String printed = run(Map.of("PBKV_SECRETS_DIR", secrets.toString()), "bin/compose-secrets");
		List<String> lines = printed.lines().toList();
		String adminToken = lines.get(lines.indexOf(lines.stream().filter(l -> l.startsWith("the admin token")).findFirst()
			.orElseThrow()) + 1).strip();
		Map<String, Object> compose = new Yaml().load(Files.readString(Path.of("docker-compose.yml")));
		Map<String, Object> services = map(compose.get("services"));
		Map<String, Object> secretFiles = map(compose.get("secrets"));

		Map<String, Integer> ports = Map.of("pbkv-a", NodeProcess.freePort(), "pbkv-b", NodeProcess.freePort());
		for (String service : List.of("pbkv-a", "pbkv-b")) {
			Map<String, Object> definition = map(services.get(service));
			Map<String, String> mounts = new HashMap<>();
			for (Object entry : (List<?>) definition.get("secrets")) {
				String source = entry instanceof Map<?, ?> m ? (String) m.get("source") : (String) entry;
				String target = entry instanceof Map<?, ?> m && m.get("target") != null ? (String) m.get("target") : source;
				String file = (String) map(secretFiles.get(source)).get("file");
				mounts.put("/run/secrets/" + target, secrets.resolve(Path.of(file).getFileName()).toString());
			}
			Map<String, String> env = new LinkedHashMap<>();
			map(definition.get("environment")).forEach((name, value) -> env.put(name, container(String.valueOf(value),
					mounts, ports)));
			env.put("KV_CLUSTER_TOKEN", "compose-test-cluster-token");
			String nodeId = env.remove("KV_NODE_ID");
			String advertised = env.remove("KV_ADVERTISED_URL");
			NodeProcess node = new NodeProcess(nodeId, ports.get(service), advertised, work, List.of())
				.withEnvironment(env)
				.withTls(TestCertificates.trusting(secrets.resolve("ca.pem")));
			nodes.add(node);
			assertThat(advertised).startsWith("https://localhost:");
			node.start();
		}
		NodeProcess a = nodes.get(0);
		NodeProcess b = nodes.get(1);
		a.awaitReady(Duration.ofSeconds(90));
		b.awaitReady(Duration.ofSeconds(90));

		HttpClient https = HttpClient.newBuilder().sslContext(TestCertificates.trusting(secrets.resolve("ca.pem"))).build();
		Pair.await("b in sync with a", Duration.ofSeconds(60), () -> send(https, HttpRequest
			.newBuilder(URI.create(a.url() + "/cluster")).header("Authorization", "Bearer " + adminToken)).body()
			.contains("\"inSync\":true"));
		HttpResponse<String> put = send(https, HttpRequest.newBuilder(URI.create(b.url() + "/kv/greeting"))
			.header("Authorization", "Bearer " + adminToken)
			.PUT(HttpRequest.BodyPublishers.ofString("hello")));
		assertThat(put.statusCode()).as("a write through the backup, forwarded: %s", put.body()).isEqualTo(200);
		Pair.await("the write applied on b", Duration.ofSeconds(10), () -> send(https, HttpRequest
			.newBuilder(URI.create(b.url() + "/kv/greeting?consistency=local"))
			.header("Authorization", "Bearer " + adminToken)).body().equals("hello"));
		assertThat(send(https, HttpRequest.newBuilder(URI.create(a.url() + "/kv/greeting"))).statusCode())
			.as("no credential").isEqualTo(401);
		String scrapeToken = Files.readString(secrets.resolve("scrape-token")).strip();
		HttpResponse<String> scrape = send(https, HttpRequest.newBuilder(URI.create(a.url() + "/actuator/prometheus"))
			.header("Authorization", "Bearer " + scrapeToken));
		assertThat(scrape.statusCode()).isEqualTo(200);
		assertThat(scrape.body()).contains("kv_node_epoch");
		HttpResponse<String> noCertificate = send(https, HttpRequest.newBuilder(URI.create(a.url() + "/internal/replicate"))
			.header("X-Kv-Token", "compose-test-cluster-token")
			.header("X-Kv-Peer-Protocol", "1")
			.POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] { 2, 0, 0, 0, 0 })));
		assertThat(noCertificate.statusCode()).as("a peer request with the token and no certificate").isEqualTo(403);

		// The file's health check, as Docker would run it in a's container.
		Map<String, String> mountsOfA = Map.of("/run/secrets/pbkv-ca", secrets.resolve("ca.pem").toString());
		List<String> check = new ArrayList<>();
		for (Object word : (List<?>) map(map(compose.get("x-pbkv-node")).get("healthcheck")).get("test")) {
			check.add(container(String.valueOf(word), mountsOfA, Map.of("localhost:8080", ports.get("pbkv-a"))));
		}
		assertThat(check.get(0)).isEqualTo("CMD");
		run(Map.of(), check.subList(1, check.size()).toArray(String[]::new));
	}

	/**
	 * A value as the container would see it, on this machine: mounted secrets at their files, the Compose host
	 * names (and the container's own localhost:8080) at the loopback ports the test gave each node.
	 */
	private static String container(String value, Map<String, String> mounts, Map<String, Integer> ports) {
		String result = value;
		for (Map.Entry<String, String> mount : mounts.entrySet()) {
			result = result.replace(mount.getKey(), mount.getValue());
		}
		for (Map.Entry<String, Integer> port : ports.entrySet()) {
			String from = port.getKey().contains(":") ? port.getKey() : port.getKey() + ":8080";
			result = result.replace(from, "localhost:" + port.getValue());
		}
		return result;
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> map(Object yaml) {
		return (Map<String, Object>) yaml;
	}

	/** Runs a command to its end; fails unless it exits 0. Returns what it printed. */
	private static String run(Map<String, String> env, String... command) throws Exception {
		ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
		builder.environment().putAll(env);
		Process process = builder.start();
		String output = new String(process.getInputStream().readAllBytes());
		assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
		assertThat(process.exitValue()).as("%s: %s", String.join(" ", command), output).isZero();
		return output;
	}

	private static HttpResponse<String> send(HttpClient http, HttpRequest.Builder request) {
		try {
			return http.send(request.timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

}
