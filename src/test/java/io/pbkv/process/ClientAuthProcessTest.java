package io.pbkv.process;

import io.pbkv.security.TokensFile;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real pair with client authentication on: a request sent to the backup is forwarded to the primary with the
 * caller's own credential, which the primary checks again; the backup refuses what the credential does not allow
 * without forwarding it; a kill -9 failover keeps it all.
 */
@Tag("process")
class ClientAuthProcessTest {

	@TempDir
	Path work;

	private Pair pair;

	private NodeProcess a;

	private NodeProcess b;

	private final KvHttp http = new KvHttp(Duration.ofSeconds(10));

	@AfterEach
	void stop() throws InterruptedException {
		if (pair != null) {
			pair.close();
		}
	}

	private KvHttp.Result send(NodeProcess node, String method, String key, String value, String token) {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(node.url() + "/kv/" + key))
			.method(method, value == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(value));
		if (token != null) {
			request.header("Authorization", "Bearer " + token);
		}
		return http.send(request);
	}

	@Test
	void theBackupForwardsTheCallersOwnCredentialAndAFailoverKeepsItAll() throws Exception {
		Path tokens = work.resolve("tokens");
		Files.write(tokens, List.of("write app/ " + TokensFile.sha256("app-writer"), "read * " + TokensFile.sha256("reader")));
		int portA = NodeProcess.freePort();
		int portB = NodeProcess.freePort();
		String secured = "--kv.security.tokens-file=" + tokens;
		a = new NodeProcess("a", portA, work, Pair.args("http://127.0.0.1:" + portB, "primary", Duration.ofMillis(300),
				Pair.TIMEOUT, secured));
		b = new NodeProcess("b", portB, work, Pair.args("http://127.0.0.1:" + portA, "backup", Duration.ofMillis(300),
				Pair.TIMEOUT, secured));
		pair = new Pair(a, b);
		a.start();
		b.start();
		a.awaitReady(Duration.ofSeconds(90));
		b.awaitReady(Duration.ofSeconds(90));
		assertThat(http.send(HttpRequest.newBuilder(URI.create(a.url() + "/cluster"))).status())
			.as("GET /cluster without a credential").isEqualTo(401);
		Pair.await("b in sync, as a says to a reader", Duration.ofSeconds(60), () -> {
			KvHttp.Result view = http.send(HttpRequest.newBuilder(URI.create(a.url() + "/cluster"))
				.header("Authorization", "Bearer reader"));
			return view.status() == 200 && view.body().contains("\"role\":\"PRIMARY\"")
					&& view.body().contains("\"inSync\":true");
		});

		assertThat(send(b, "PUT", "app/x", "1", null).status()).as("no credential, on the backup").isEqualTo(401);
		assertThat(send(b, "PUT", "app/x", "1", "app-writer").status()).as("forwarded with the credential")
			.isEqualTo(200);
		assertThat(send(b, "PUT", "other/x", "1", "app-writer").status()).as("outside the prefix").isEqualTo(403);
		assertThat(send(b, "PUT", "app/y", "1", "reader").status()).as("read only").isEqualTo(403);
		assertThat(send(a, "GET", "app/x", null, "reader").body()).isEqualTo("1");
		assertThat(send(a, "GET", "other/x", null, "reader").status()).as("nothing written outside the prefix")
			.isEqualTo(404);

		a.kill9();
		Pair.await("b primary", Duration.ofSeconds(30), () -> http.send(HttpRequest.newBuilder(URI.create(b.url()
				+ "/cluster")).header("Authorization", "Bearer reader")).body().contains("\"role\":\"PRIMARY\""));
		assertThat(send(b, "GET", "app/x", null, "reader").body()).isEqualTo("1");
		Pair.await("a write on the new primary", Duration.ofSeconds(10),
				() -> send(b, "PUT", "app/z", "2", "app-writer").status() == 200);
		assertThat(send(b, "PUT", "app/z", "3", null).status()).isEqualTo(401);
	}

}
