package io.pbkv.process;

import io.pbkv.security.TokensFile;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A pair over TLS with Spring Boot's SSL bundles ({@code server.ssl.bundle}, {@code kv.cluster.ssl-bundle}) and
 * certificates from a throw-away CA ({@link TestCertificates}): clients, replication, forwarding and a kill -9
 * failover all go over HTTPS; a client that does not trust the CA cannot connect, and plain HTTP to the port is
 * refused. Peers need a client certificate the cluster's bundle trusts: a peer request with the right token but
 * no certificate is refused, and a node whose certificate another CA signed never joins.
 */
@Tag("process")
class TlsProcessTest {

	@TempDir
	Path work;

	private NodeProcess a;

	private NodeProcess b;

	@AfterEach
	void stop() throws InterruptedException {
		for (NodeProcess n : new NodeProcess[] { a, b }) {
			if (n != null) {
				n.close();
			}
		}
	}

	@Test
	void aPairReplicatesForwardsAndFailsOverOverHttps() throws Exception {
		TestCertificates certs = new TestCertificates(work.resolve("tls"), "pbkv-test-ca");
		SSLContext trustingTheCa = certs.clientContext();
		int portA = NodeProcess.freePort();
		int portB = NodeProcess.freePort();
		String urlA = "https://127.0.0.1:" + portA;
		String urlB = "https://127.0.0.1:" + portB;
		a = new NodeProcess("a", portA, urlA, work, args(urlB, "primary", certs.nodeArgs("a"))).withTls(trustingTheCa);
		b = new NodeProcess("b", portB, urlB, work, args(urlA, "backup", certs.nodeArgs("b"))).withTls(trustingTheCa);
		a.start();
		b.start();
		a.awaitReady(Duration.ofSeconds(90));
		b.awaitReady(Duration.ofSeconds(90));
		assertThat(a.url()).startsWith("https://");
		HttpClient https = HttpClient.newBuilder().sslContext(trustingTheCa).connectTimeout(Duration.ofSeconds(2)).build();
		Pair.await("b in sync with a, over TLS", Duration.ofSeconds(60),
				() -> send(https, HttpRequest.newBuilder(URI.create(urlA + "/cluster"))).body().contains("\"inSync\":true"));

		Map<String, String> written = new LinkedHashMap<>();
		for (int i = 0; i < 50; i++) {
			NodeProcess via = i % 2 == 0 ? a : b;
			HttpResponse<String> put = send(https, HttpRequest.newBuilder(URI.create(via.url() + "/kv/t/" + i))
				.PUT(HttpRequest.BodyPublishers.ofString("v" + i)));
			assertThat(put.statusCode()).as("PUT via %s: %s", via.nodeId(), put.body()).isEqualTo(200);
			written.put("t/" + i, "v" + i);
		}

		assertThatThrownBy(() -> HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create(urlA + "/kv/t/1")).build(), HttpResponse.BodyHandlers.ofString()))
			.as("a client that does not trust the CA")
			.isInstanceOf(javax.net.ssl.SSLHandshakeException.class);
		HttpResponse<String> plain = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + portA + "/kv/t/1")).build(),
					HttpResponse.BodyHandlers.ofString());
		assertThat(plain.statusCode()).as("plain HTTP to the TLS port").isEqualTo(400);

		HttpResponse<String> noCertificate = send(https, HttpRequest.newBuilder(URI.create(urlA + "/internal/replicate"))
			.header("X-Kv-Token", Pair.TOKEN)
			.header("X-Kv-Peer-Protocol", "1")
			.POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] { 2, 0, 0, 0, 0 })));
		assertThat(noCertificate.statusCode()).as(noCertificate.body()).isEqualTo(403);
		assertThat(noCertificate.body()).contains("peer-certificate-missing");

		// A node with the cluster token and a certificate of another CA (it trusts ours, so it can talk at all).
		TestCertificates otherCa = new TestCertificates(work.resolve("other-tls"), "other-ca");
		int portX = NodeProcess.freePort();
		String urlX = "https://127.0.0.1:" + portX;
		try (NodeProcess x = new NodeProcess("x", portX, urlX, work, Pair.args(urlA, "backup", Duration.ofMillis(300),
				Pair.TIMEOUT, TestCertificates.nodeArgs(otherCa.keyStore("x"), certs.trustStore())
					.toArray(String[]::new)))
			.withTls(otherCa.clientContext())) {
			x.start().awaitLive(Duration.ofSeconds(90));
			Thread.sleep(Pair.TIMEOUT.toMillis());
			HttpClient toX = HttpClient.newBuilder().sslContext(otherCa.clientContext()).build();
			String fromX = send(toX, HttpRequest.newBuilder(URI.create(urlX + "/cluster"))).body();
			assertThat(fromX).as("x, refused by a").contains("\"reachable\":false").doesNotContain("\"primaryId\":\"a\"");
			assertThat(send(https, HttpRequest.newBuilder(URI.create(urlA + "/cluster"))).body()).doesNotContain(urlX);
			assertThat(java.nio.file.Files.readString(x.logFile())).as("x's log says why it cannot reach a")
				.contains("peer " + urlA + " unreachable");
		}

		a.kill9();
		Pair.await("b primary", Duration.ofSeconds(30), () -> send(https,
				HttpRequest.newBuilder(URI.create(urlB + "/cluster"))).body().contains("\"role\":\"PRIMARY\""));
		List<String> missing = new ArrayList<>();
		written.forEach((key, value) -> {
			if (!value.equals(send(https, HttpRequest.newBuilder(URI.create(urlB + "/kv/" + key))).body())) {
				missing.add(key);
			}
		});
		assertThat(missing).as("acknowledged writes missing on b").isEmpty();
		assertThat(send(https, HttpRequest.newBuilder(URI.create(urlB + "/kv/after"))
			.PUT(HttpRequest.BodyPublishers.ofString("x"))).statusCode()).isEqualTo(200);

		a.start().awaitReady(Duration.ofSeconds(90));
		Pair.await("a back in sync with b, over TLS", Duration.ofSeconds(60),
				() -> send(https, HttpRequest.newBuilder(URI.create(urlB + "/cluster"))).body().contains("\"inSync\":true"));
		assertThat(send(https, HttpRequest.newBuilder(URI.create(urlA + "/kv/after?consistency=local"))).body())
			.isEqualTo("x");
	}

	/**
	 * Certificates rotate on a running pair with no restart: first both nodes trust the old and the new CA, then
	 * each node's key store is replaced by one the new CA signed, then the old CA is no longer trusted; each file is
	 * swapped in place and the nodes reload it (reload-on-update). Then b restarts, trusting the new CA only: a's new
	 * connections to it must present a's new certificate (the client side rotated), and b's to a must meet a's new
	 * server certificate (the server side rotated); b catches up and a write through b reaches a.
	 */
	@Test
	void certificatesRotateOnARunningPairWithoutARestart() throws Exception {
		TestCertificates oldCa = new TestCertificates(work.resolve("old"), "old-ca");
		TestCertificates newCa = new TestCertificates(work.resolve("new"), "new-ca");
		Path live = java.nio.file.Files.createDirectories(work.resolve("live"));
		Path trust = live.resolve("trust.p12");
		copy(oldCa.trustStore(), trust);
		copy(oldCa.keyStore("a"), live.resolve("a.p12"));
		copy(oldCa.keyStore("b"), live.resolve("b.p12"));
		int portA = NodeProcess.freePort();
		int portB = NodeProcess.freePort();
		String urlA = "https://127.0.0.1:" + portA;
		String urlB = "https://127.0.0.1:" + portB;
		List<String> reload = List.of("--spring.ssl.bundle.jks.node.reload-on-update=true",
				"--spring.ssl.bundle.watch.file.quiet-period=500ms");
		a = new NodeProcess("a", portA, urlA, work, args(urlB, "primary", concat(
				TestCertificates.nodeArgs(live.resolve("a.p12"), trust), reload))).withTls(oldCa.clientContext());
		b = new NodeProcess("b", portB, urlB, work, args(urlA, "backup", concat(
				TestCertificates.nodeArgs(live.resolve("b.p12"), trust), reload))).withTls(oldCa.clientContext());
		a.start();
		b.start();
		a.awaitReady(Duration.ofSeconds(90));
		b.awaitReady(Duration.ofSeconds(90));
		HttpClient trustingOld = HttpClient.newBuilder().sslContext(oldCa.clientContext()).build();
		Pair.await("b in sync", Duration.ofSeconds(60), () -> send(trustingOld,
				HttpRequest.newBuilder(URI.create(urlA + "/cluster"))).body().contains("\"inSync\":true"));
		assertThat(send(trustingOld, HttpRequest.newBuilder(URI.create(urlB + "/kv/before"))
			.PUT(HttpRequest.BodyPublishers.ofString("1"))).statusCode()).isEqualTo(200);

		copy(oldCa.trustStoreWith(work.resolve("both.p12"), newCa), trust);
		Thread.sleep(3000);
		copy(newCa.keyStore("a"), live.resolve("a.p12"));
		copy(newCa.keyStore("b"), live.resolve("b.p12"));
		Thread.sleep(3000);
		copy(newCa.trustStore(), trust);
		Thread.sleep(3000);

		HttpClient trustingNew = HttpClient.newBuilder().sslContext(newCa.clientContext()).build();
		assertThat(send(trustingNew, HttpRequest.newBuilder(URI.create(urlA + "/kv/before"))).body())
			.as("a serves the new CA's certificate").isEqualTo("1");
		// A new client: the old one's kept-alive connection still holds the session negotiated before.
		HttpClient freshTrustingOld = HttpClient.newBuilder().sslContext(oldCa.clientContext()).build();
		assertThatThrownBy(() -> freshTrustingOld.send(
				HttpRequest.newBuilder(URI.create(urlA + "/kv/before")).build(), HttpResponse.BodyHandlers.ofString()))
			.as("a no longer serves the old certificate")
			.isInstanceOf(javax.net.ssl.SSLHandshakeException.class);
		assertThat(send(trustingNew, HttpRequest.newBuilder(URI.create(urlA + "/kv/during"))
			.PUT(HttpRequest.BodyPublishers.ofString("2"))).statusCode()).as("a write on a").isEqualTo(200);

		b.kill9();
		b.withTls(newCa.clientContext()).start().awaitReady(Duration.ofSeconds(90));
		Pair.await("b, restarted trusting the new CA only, in sync again", Duration.ofSeconds(60),
				() -> send(trustingNew, HttpRequest.newBuilder(URI.create(urlA + "/cluster"))).body()
					.contains("\"inSync\":true"));
		HttpResponse<String> viaB = send(trustingNew, HttpRequest.newBuilder(URI.create(urlB + "/kv/after"))
			.PUT(HttpRequest.BodyPublishers.ofString("3")));
		assertThat(viaB.statusCode()).as("a write through b, forwarded to a: %s", viaB.body()).isEqualTo(200);
		assertThat(send(trustingNew, HttpRequest.newBuilder(URI.create(urlB + "/kv/during?consistency=local"))).body())
			.isEqualTo("2");
	}

	/**
	 * The production setting in full, TLS and client credentials together: the CLI works over HTTPS with
	 * {@code --cacert} and a token (and cannot connect without the CA), and forced recovery runs over HTTPS. While
	 * the peer answers over TLS the survivor refuses it; once the primary is lost for good, an {@code admin}
	 * credential (not a {@code write} one) promotes the survivor, and a replacement node with an empty data dir
	 * joins it over mutual TLS and copies its data.
	 */
	@Test
	void withCredentialsTheCliAndForcedRecoveryWorkOverHttps() throws Exception {
		TestCertificates certs = new TestCertificates(work.resolve("tls"), "pbkv-test-ca");
		SSLContext trustingTheCa = certs.clientContext();
		Path tokens = work.resolve("tokens");
		Files.write(tokens, List.of("admin * " + TokensFile.sha256("operator"), "write * " + TokensFile.sha256("writer")));
		String secured = "--kv.security.tokens-file=" + tokens;
		int portA = NodeProcess.freePort();
		int portB = NodeProcess.freePort();
		String urlA = "https://127.0.0.1:" + portA;
		String urlB = "https://127.0.0.1:" + portB;
		a = new NodeProcess("a", portA, urlA, work, args(urlB, "primary", concat(certs.nodeArgs("a"), List.of(secured))))
			.withTls(trustingTheCa);
		b = new NodeProcess("b", portB, urlB, work, args(urlA, "backup", concat(certs.nodeArgs("b"), List.of(secured))))
			.withTls(trustingTheCa);
		a.start();
		b.start();
		a.awaitReady(Duration.ofSeconds(90));
		b.awaitReady(Duration.ofSeconds(90));
		HttpClient https = HttpClient.newBuilder().sslContext(trustingTheCa).connectTimeout(Duration.ofSeconds(2)).build();
		Pair.await("b in sync with a", Duration.ofSeconds(60), () -> send(https, HttpRequest
			.newBuilder(URI.create(urlA + "/cluster")).header("Authorization", "Bearer operator")).body()
			.contains("\"inSync\":true"));

		String ca = certs.caPem().toString();
		Run set = cli("writer", "--nodes", urlB + "," + urlA, "--cacert", ca, "set", "k", "v");
		assertThat(set.exit()).as(set.err()).isZero();
		Run get = cli("writer", "--nodes", urlB, "get", "k", "--cacert", ca);
		assertThat(get.exit()).as(get.err()).isZero();
		assertThat(get.out()).isEqualTo("v");
		Run untrusting = cli("writer", "--nodes", urlB, "--retries", "0", "get", "k");
		assertThat(untrusting.exit()).as("the CLI without the CA").isNotZero();
		assertThat(untrusting.out()).isEmpty();
		Run anonymous = cli(null, "--nodes", urlB, "--retries", "0", "--cacert", ca, "get", "k");
		assertThat(anonymous.exit()).as("the CLI without a token").isNotZero();
		assertThat(anonymous.err()).contains("401");

		assertThat(forcePrimary(https, urlB, "operator").statusCode()).as("while a answers over TLS").isEqualTo(409);
		b.kill9();
		Pair.await("a to go on alone", Duration.ofSeconds(30), () -> cli("writer", "--nodes", urlA, "--retries", "0",
				"--cacert", ca, "set", "only-on-a", "x").exit() == 0);
		a.kill9(); // lost for good, with a write b never saw
		b.start().awaitLive(Duration.ofSeconds(90));
		Thread.sleep(3 * Pair.TIMEOUT.toMillis());
		assertThat(send(https, HttpRequest.newBuilder(URI.create(urlB + "/cluster"))
			.header("Authorization", "Bearer operator")).body()).doesNotContain("\"role\":\"PRIMARY\"");
		assertThat(forcePrimary(https, urlB, "writer").statusCode()).as("a write credential").isEqualTo(403);
		HttpResponse<String> forced = forcePrimary(https, urlB, "operator");
		assertThat(forced.statusCode()).as(forced.body()).isEqualTo(200);
		assertThat(forced.body()).contains("may be lost");
		Run after = cli("writer", "--nodes", urlB, "--cacert", ca, "set", "after", "y");
		assertThat(after.exit()).as(after.err()).isZero();

		// The replacement: a's address and certificate, an empty data dir, the backup role.
		a = new NodeProcess("a", portA, urlA, work.resolve("replacement"),
				args(urlB, "backup", concat(certs.nodeArgs("a"), List.of(secured)))).withTls(trustingTheCa);
		a.start().awaitReady(Duration.ofSeconds(90));
		Pair.await("the replacement in sync with b", Duration.ofSeconds(60), () -> send(https, HttpRequest
			.newBuilder(URI.create(urlB + "/cluster")).header("Authorization", "Bearer operator")).body()
			.contains("\"inSync\":true"));
		for (String key : List.of("k", "after")) {
			assertThat(send(https, HttpRequest.newBuilder(URI.create(urlA + "/kv/" + key + "?consistency=local"))
				.header("Authorization", "Bearer writer")).statusCode()).as("%s on the replacement", key).isEqualTo(200);
		}
	}

	private static HttpResponse<String> forcePrimary(HttpClient https, String node, String token) {
		return send(https, HttpRequest.newBuilder(URI.create(node + "/cluster/force-primary"))
			.header("Authorization", "Bearer " + token)
			.POST(HttpRequest.BodyPublishers.noBody()));
	}

	private record Run(int exit, String out, String err) {
	}

	/** The command-line client as a process of its own, with {@code PBKV_TOKEN} set to the token unless null. */
	private Run cli(String token, String... args) {
		try {
			return runCli(token, args);
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	private Run runCli(String token, String... args) throws Exception {
		List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java")));
		command.addAll(NodeProcess.TEST_JVM_OPTIONS);
		command.addAll(List.of("-cp", Path.of("target/pbkv-client/lib").toAbsolutePath() + "/*", "io.pbkv.cli.ClientMain"));
		command.addAll(List.of(args));
		ProcessBuilder builder = new ProcessBuilder(command);
		builder.environment().remove("PBKV_TOKEN");
		builder.environment().remove("PBKV_CACERT");
		if (token != null) {
			builder.environment().put("PBKV_TOKEN", token);
		}
		Path out = Files.createTempFile(work, "cli", ".out");
		Path err = Files.createTempFile(work, "cli", ".err");
		Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
		if (!process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
			process.destroyForcibly();
			throw new AssertionError("the client did not finish within 60 s: " + Files.readString(err));
		}
		return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
	}

	private static void copy(Path from, Path to) throws java.io.IOException {
		Path temp = to.resolveSibling(to.getFileName() + ".tmp");
		java.nio.file.Files.copy(from, temp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
		java.nio.file.Files.move(temp, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
				java.nio.file.StandardCopyOption.ATOMIC_MOVE);
	}

	private static List<String> concat(List<String> first, List<String> second) {
		List<String> all = new ArrayList<>(first);
		all.addAll(second);
		return all;
	}

	private static List<String> args(String peer, String role, List<String> tls) {
		return Pair.args(peer, role, Duration.ofMillis(300), Pair.TIMEOUT, tls.toArray(String[]::new));
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
