package io.pbkv.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Client authentication over real HTTP against a lone node with a tokens file: every kind of endpoint with no
 * credential, an unknown one, and each role; key prefixes under every spelling of a key; lists and watches wider
 * than the credential; the session cookie; the operator's calls by admin credential; health details for admin only.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "kv.node-id=solo", "kv.cluster.token=cluster-secret" })
class ClientAuthenticationTest {

	static final String READER = "reader-token";

	static final String WRITER = "writer-token";

	static final String APP_WRITER = "app-writer-token";

	static final String ADMIN = "admin-token";

	private static final Path DIR = temp();

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) throws IOException {
		Path tokens = DIR.resolve("tokens");
		Files.write(tokens, List.of("# role prefix sha256", "read * " + TokensFile.sha256(READER),
				"write * " + TokensFile.sha256(WRITER), "write app/ " + TokensFile.sha256(APP_WRITER) + "  # the app",
				"", "admin * " + TokensFile.sha256(ADMIN)));
		registry.add("kv.data-dir", () -> DIR.resolve("data").toString());
		registry.add("kv.security.tokens-file", tokens::toString);
	}

	private static Path temp() {
		try {
			return Files.createTempDirectory("pbkv-auth-test");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	@LocalServerPort
	int port;

	private final HttpClient http = HttpClient.newHttpClient();

	private final ObjectMapper json = new ObjectMapper();

	private HttpResponse<String> send(String method, String path, String token, String body, String... headers)
			throws Exception {
		HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
			.method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofString(body));
		if (token != null) {
			b.header("Authorization", "Bearer " + token);
		}
		for (int i = 0; i < headers.length; i += 2) {
			b.header(headers[i], headers[i + 1]);
		}
		return http.send(b.build(), BodyHandlers.ofString(StandardCharsets.UTF_8));
	}

	private void assertRefused(HttpResponse<String> response, int status) {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
		assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
				ct -> assertThat(ct).startsWith("application/problem+json"));
		JsonNode problem = json.readTree(response.body());
		assertThat(problem.get("status").asInt()).isEqualTo(status);
		assertThat(problem.get("detail").asString()).isNotBlank().doesNotContain(READER, WRITER, ADMIN);
	}

	@Test
	void noOrAnUnknownCredentialIs401AndChangesNothing() throws Exception {
		assertThat(send("PUT", "/kv/n/k", WRITER, "before").statusCode()).isEqualTo(200);
		for (String token : new String[] { null, "not-a-token" }) {
			HttpResponse<String> put = send("PUT", "/kv/n/k", token, "after");
			assertRefused(put, 401);
			assertThat(put.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"pbkv\"");
			assertRefused(send("DELETE", "/kv/n/k", token, null), 401);
			assertRefused(send("GET", "/kv/n/k", token, null), 401);
			assertRefused(send("GET", "/kv?prefix=n/", token, null), 401);
			assertRefused(send("GET", "/cluster", token, null), 401);
			assertRefused(send("GET", "/actuator/prometheus", token, null), 401);
		}
		assertRefused(send("GET", "/kv/n/k", null, null, "Authorization", "Basic " + WRITER), 401);
		assertThat(send("GET", "/kv/n/k", READER, null).body()).isEqualTo("before");
	}

	@Test
	void eachRoleDoesWhatItAllowsAndNoMore() throws Exception {
		assertThat(send("PUT", "/kv/r/k", WRITER, "v").statusCode()).isEqualTo(200);
		// read
		assertThat(send("GET", "/kv/r/k", READER, null).statusCode()).isEqualTo(200);
		assertThat(send("GET", "/kv?prefix=r/", READER, null).statusCode()).isEqualTo(200);
		assertThat(send("GET", "/cluster", READER, null).statusCode()).isEqualTo(200);
		assertThat(send("GET", "/actuator/prometheus", READER, null).statusCode()).isNotIn(401, 403);
		assertRefused(send("PUT", "/kv/r/k", READER, "x"), 403);
		assertRefused(send("DELETE", "/kv/r/k", READER, null), 403);
		assertRefused(send("GET", "/actuator/env", READER, null), 403);
		assertRefused(send("POST", "/cluster/force-primary", READER, null), 403);
		assertRefused(send("GET", "/admin/snapshot", WRITER, null), 403);
		// write
		assertThat(send("PUT", "/kv/r/k", WRITER, "w").statusCode()).isEqualTo(200);
		assertThat(send("DELETE", "/kv/r/k", WRITER, null).statusCode()).isEqualTo(204);
		assertRefused(send("POST", "/cluster/hand-over?to=x", WRITER, null), 403);
		// admin: the operator's calls reach their handlers (a lone node then refuses them for its own reasons)
		assertThat(send("GET", "/admin/snapshot", ADMIN, null).statusCode()).isIn(200, 409, 503);
		assertThat(send("POST", "/cluster/force-primary", ADMIN, null).statusCode()).isNotIn(401, 403);
		assertThat(send("GET", "/actuator/env", ADMIN, null).statusCode()).isNotIn(401, 403);
		// the cluster token still works for the operator's calls
		assertThat(send("GET", "/admin/snapshot", null, null, "X-Kv-Token", "cluster-secret").statusCode())
			.isIn(200, 409, 503);
		assertRefused(send("GET", "/admin/snapshot", null, null, "X-Kv-Token", "wrong"), 403);
	}

	@Test
	void aPrefixHoldsForEverySpellingOfAKeyAndForListsAndWatches() throws Exception {
		assertThat(send("PUT", "/kv/app/a", APP_WRITER, "1").statusCode()).isEqualTo(200);
		assertThat(send("PUT", "/kv/app%2Fb", APP_WRITER, "2").statusCode()).as("app%2Fb is app/b").isEqualTo(200);
		assertThat(send("GET", "/kv/app/b", READER, null).body()).isEqualTo("2");
		for (String path : List.of("/kv/other", "/kv/ap%70x", "/kv/%61pp", "/kv/apq/x", "/kv/app", "/kv;x=1/app/zz",
				"//kv/other", "/kv/other;app/x", "/%6Bv/other")) {
			HttpResponse<String> put = send("PUT", path, APP_WRITER, "no");
			assertThat(put.statusCode()).as("PUT %s: %s", path, put.body()).isIn(400, 403, 404);
		}
		assertThat(send("GET", "/kv/other", READER, null).statusCode()).as("nothing written outside app/")
			.isEqualTo(404);
		assertThat(send("GET", "/kv/apq/x", READER, null).statusCode()).isEqualTo(404);
		assertThat(send("GET", "/kv?prefix=app/", APP_WRITER, null).statusCode()).isEqualTo(200);
		assertThat(send("GET", "/kv?prefix=app/sub", APP_WRITER, null).statusCode()).isEqualTo(200);
		assertRefused(send("GET", "/kv", APP_WRITER, null), 403);
		assertRefused(send("GET", "/kv?prefix=ap", APP_WRITER, null), 403);
		assertRefused(send("GET", "/kv;a=b?prefix=", APP_WRITER, null), 403);
		assertRefused(send("GET", "/kv?watch=true&prefix=", APP_WRITER, null), 403);
		assertRefused(send("GET", "/kv/../cluster", READER, null), 400);
	}

	@Test
	void aSessionCookieAuthenticatesAsItsTokenUntilSignedOut() throws Exception {
		assertRefused(send("POST", "/auth/session", "wrong", null), 401);
		HttpResponse<String> signIn = send("POST", "/auth/session", null, "{\"token\":\"" + WRITER + "\"}",
				"Content-Type", "application/json");
		assertThat(signIn.statusCode()).as(signIn.body()).isEqualTo(200);
		String setCookie = signIn.headers().firstValue("Set-Cookie").orElseThrow();
		assertThat(setCookie).contains("HttpOnly", "Secure", "SameSite=Strict");
		String cookie = setCookie.substring(0, setCookie.indexOf(';'));
		assertThat(send("PUT", "/kv/s/k", null, "by-cookie", "Cookie", cookie).statusCode()).isEqualTo(200);
		assertThat(send("GET", "/kv/s/k", READER, null).body()).isEqualTo("by-cookie");
		assertThat(send("DELETE", "/auth/session", null, null, "Cookie", cookie).statusCode()).isEqualTo(204);
		assertRefused(send("PUT", "/kv/s/k", null, "after", "Cookie", cookie), 401);
	}

	@Test
	void healthShowsDetailsToAdminOnlyAndProbesStayOpen() throws Exception {
		assertThat(send("GET", "/actuator/health/liveness", null, null).statusCode()).isEqualTo(200);
		assertThat(send("GET", "/actuator/health/readiness", null, null).statusCode()).isEqualTo(200);
		HttpResponse<String> anonymous = send("GET", "/actuator/health", null, null);
		assertThat(anonymous.statusCode()).isEqualTo(200);
		assertThat(json.readTree(anonymous.body()).has("components")).as(anonymous.body()).isFalse();
		assertThat(json.readTree(send("GET", "/actuator/health", READER, null).body()).has("components")).isFalse();
		assertThat(json.readTree(send("GET", "/actuator/health", ADMIN, null).body()).has("components")).isTrue();
	}

}
