package io.pbkv.api;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/** Every row and error of the contract's client API table, over real HTTP against a lone node. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "kv.node-id=solo", "kv.limits.max-value-bytes=1KB", "kv.limits.max-key-bytes=32" })
class ClientApiTest {

	private static final Path DATA = TempDataDirs.create("pbkv-api-test");

	@DynamicPropertySource
	static void dataDir(DynamicPropertyRegistry registry) {
		registry.add("kv.data-dir", DATA::toString);
	}

	@LocalServerPort
	int port;

	private final HttpClient http = HttpClient.newHttpClient();

	private final ObjectMapper json = new ObjectMapper();

	private HttpResponse<byte[]> send(String method, String path, byte[] body, String... headers) throws Exception {
		HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
			.method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofByteArray(body));
		for (int i = 0; i < headers.length; i += 2) {
			b.header(headers[i], headers[i + 1]);
		}
		return http.send(b.build(), BodyHandlers.ofByteArray());
	}

	private HttpResponse<byte[]> put(String key, String value, String... headers) throws Exception {
		return send("PUT", "/kv/" + key, value.getBytes(StandardCharsets.UTF_8), headers);
	}

	private HttpResponse<byte[]> get(String path, String... headers) throws Exception {
		return send("GET", path, null, headers);
	}

	private JsonNode body(HttpResponse<byte[]> response) {
		return json.readTree(response.body());
	}

	private void assertProblem(HttpResponse<byte[]> response, int status) {
		assertThat(response.statusCode()).isEqualTo(status);
		assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
				ct -> assertThat(ct).startsWith("application/problem+json"));
		JsonNode problem = body(response);
		assertThat(problem.get("status").asInt()).isEqualTo(status);
		assertThat(problem.get("detail").asString()).isNotBlank();
	}

	@Test
	void putStoresTheRawBodyAndAnswersKeyVersionEpochAndETag() throws Exception {
		HttpResponse<byte[]> response = put("color", "blue", "Content-Type", "application/x-www-form-urlencoded");
		assertThat(response.statusCode()).isEqualTo(200);
		JsonNode written = body(response);
		assertThat(written.get("key").asString()).isEqualTo("color");
		long version = written.get("version").asLong();
		assertThat(version).isPositive();
		assertThat(written.get("epoch").asLong()).isEqualTo(1);
		assertThat(response.headers().firstValue("ETag")).hasValue("\"" + version + "\"");
		assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
		assertThat(response.headers().firstValue("Content-Length")).hasValue(Integer.toString(response.body().length));

		HttpResponse<byte[]> read = get("/kv/color");
		assertThat(read.statusCode()).isEqualTo(200);
		assertThat(read.body()).isEqualTo("blue".getBytes(StandardCharsets.UTF_8));
		assertThat(read.headers().firstValue("ETag")).hasValue("\"" + version + "\"");
		assertThat(read.headers().firstValue("Content-Type")).hasValue("application/octet-stream");
		assertThat(read.headers().firstValue("X-Kv-Primary")).hasValue("solo");
	}

	@Test
	void formLookingBodiesAreStoredByteForByte() throws Exception {
		String form = "a=1&b=%20two+three";
		put("form", form, "Content-Type", "application/x-www-form-urlencoded");
		assertThat(new String(get("/kv/form").body(), StandardCharsets.UTF_8)).isEqualTo(form);
	}

	@Test
	void binaryValuesAndEmptyValuesRoundTrip() throws Exception {
		byte[] binary = new byte[256];
		for (int i = 0; i < binary.length; i++) {
			binary[i] = (byte) i;
		}
		assertThat(send("PUT", "/kv/bin", binary, "Content-Type", "application/octet-stream").statusCode())
			.isEqualTo(200);
		assertThat(get("/kv/bin").body()).isEqualTo(binary);
		assertThat(send("PUT", "/kv/empty", new byte[0]).statusCode()).isEqualTo(200);
		HttpResponse<byte[]> empty = get("/kv/empty");
		assertThat(empty.statusCode()).isEqualTo(200);
		assertThat(empty.body()).isEmpty();
	}

	@Test
	void theKeyIsTheWholePercentDecodedRestOfThePath() throws Exception {
		put("users/42", "alice");
		assertThat(get("/kv/users%2F42").body()).isEqualTo("alice".getBytes());
		put("caf%C3%A9%20au%20lait", "x");
		HttpResponse<byte[]> listing = get("/kv?prefix=caf");
		assertThat(body(listing).get("keys").get(0).asString()).isEqualTo("café au lait");
		put("a+b", "plus");
		assertThat(body(get("/kv?prefix=a%2B")).get("keys").get(0).asString()).isEqualTo("a+b");
	}

	@Test
	void getOfAnAbsentKeyIs404Problem() throws Exception {
		assertProblem(get("/kv/never-written"), 404);
	}

	@Test
	void deleteAnswers204ThenTheKeyIsGoneAndASecondDeleteIs404() throws Exception {
		put("doomed", "x");
		assertThat(send("DELETE", "/kv/doomed", null).statusCode()).isEqualTo(204);
		assertProblem(get("/kv/doomed"), 404);
		assertProblem(send("DELETE", "/kv/doomed", null), 404);
	}

	@Test
	void listingFiltersByPrefixAndShowsValuesWhenAsked() throws Exception {
		put("list/a", "1");
		put("list/b", "2");
		put("other", "3");
		JsonNode keys = body(get("/kv?prefix=list/"));
		assertThat(keys.get("keys").toString()).isEqualTo("[\"list/a\",\"list/b\"]");
		assertThat(keys.has("entries")).isFalse();
		JsonNode values = body(get("/kv?prefix=list/&values=true"));
		assertThat(values.get("entries").get(1).get("key").asString()).isEqualTo("list/b");
		assertThat(values.get("entries").get(1).get("value").asString()).isEqualTo("2");
		assertThat(body(get("/kv")).get("count").asInt()).isGreaterThanOrEqualTo(3);
	}

	/** Paging: at most limit keys after 'after', in key order, with the next page's 'after' while more follow. */
	@Test
	void aListingPagesInKeyOrderAndNamesTheVersionItWasReadAt() throws Exception {
		for (String key : List.of("page/c", "page/a", "page/e", "page/b", "page/d", "pagez")) {
			put(key, "v");
		}
		JsonNode first = body(get("/kv?prefix=page/&limit=2"));
		assertThat(first.get("keys").toString()).isEqualTo("[\"page/a\",\"page/b\"]");
		assertThat(first.get("next").asString()).isEqualTo("page/b");
		assertThat(first.get("version").asLong()).isPositive();
		JsonNode second = body(get("/kv?prefix=page/&limit=2&after=page/b"));
		assertThat(second.get("keys").toString()).isEqualTo("[\"page/c\",\"page/d\"]");
		JsonNode last = body(get("/kv?prefix=page/&limit=2&after=page/d"));
		assertThat(last.get("keys").toString()).isEqualTo("[\"page/e\"]");
		assertThat(last.has("next")).as("no page follows the last").isFalse();
		assertThat(body(get("/kv?prefix=page/&limit=5")).has("next")).as("exactly limit keys, none after").isFalse();
		assertThat(body(get("/kv?prefix=page/&after=a")).get("count").asInt()).as("'after' before the prefix")
			.isEqualTo(5);
	}

	@Test
	void aBadLimitIs400AndNamesTheRange() throws Exception {
		for (String limit : List.of("0", "-1", "10001", "ten", "")) {
			HttpResponse<byte[]> response = get("/kv?limit=" + limit);
			assertProblem(response, 400);
			assertThat(body(response).get("type").asString()).endsWith("bad-limit");
		}
	}

	@Test
	void clusterDescribesThisNode() throws Exception {
		put("c", "1");
		JsonNode cluster = body(get("/cluster"));
		assertThat(cluster.get("nodeId").asString()).isEqualTo("solo");
		assertThat(cluster.get("role").asString()).isEqualTo("PRIMARY");
		assertThat(cluster.get("epoch").asLong()).isEqualTo(1);
		assertThat(cluster.get("primaryId").asString()).isEqualTo("solo");
		assertThat(cluster.get("primaryUrl").asString()).startsWith("http://");
		assertThat(cluster.get("lastIndex").asLong()).isGreaterThanOrEqualTo(cluster.get("commitIndex").asLong());
		assertThat(cluster.get("commitIndex").asLong()).isPositive();
		assertThat(cluster.get("peers").isArray()).isTrue();
	}

	@Test
	void badKeysAre400ProblemsAndChangeNothing() throws Exception {
		long before = body(get("/cluster")).get("lastIndex").asLong();
		assertProblem(put("", "x"), 400);
		assertProblem(put("a%01b", "x"), 400);
		assertProblem(put("bad%FFutf8", "x"), 400);
		assertThat(raw("PUT /kv/bad%zz HTTP/1.1")).startsWith("HTTP/1.1 400").contains("application/problem+json");
		assertThat(raw("PUT /kv/nul%00 HTTP/1.1")).startsWith("HTTP/1.1 400").contains("application/problem+json");
		assertProblem(put("k".repeat(33), "x"), 400);
		assertProblem(get("/kv/"), 400);
		assertThat(body(get("/cluster")).get("lastIndex").asLong()).isEqualTo(before);
	}

	/** Sends a request line no well-behaved client would (so that Tomcat, not Spring, refuses it). */
	private String raw(String requestLine) throws IOException {
		try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
			socket.setSoTimeout(5000);
			socket.getOutputStream()
				.write((requestLine + "\r\nHost: x\r\nContent-Length: 1\r\nConnection: close\r\n\r\nx")
					.getBytes(StandardCharsets.ISO_8859_1));
			return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
		}
	}

	@Test
	void aKeyOfExactlyTheLimitIsAccepted() throws Exception {
		assertThat(put("k".repeat(32), "x").statusCode()).isEqualTo(200);
	}

	@Test
	void oversizedValuesAre413AndChangeNothing() throws Exception {
		assertProblem(put("big", "x".repeat(1025)), 413);
		HttpRequest chunked = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/kv/big"))
			.PUT(BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(new byte[5000])))
			.build();
		assertProblem(http.send(chunked, BodyHandlers.ofByteArray()), 413);
		assertProblem(get("/kv/big"), 404);
		assertThat(put("big", "x".repeat(1024)).statusCode()).isEqualTo(200);
	}

	@Test
	void ifMatchMakesWritesConditional() throws Exception {
		long v1 = body(put("cas", "1")).get("version").asLong();
		assertProblem(put("cas", "2", "If-Match", "\"" + (v1 + 1000) + "\""), 412);
		HttpResponse<byte[]> ok = put("cas", "2", "If-Match", "\"" + v1 + "\"");
		assertThat(ok.statusCode()).isEqualTo(200);
		assertProblem(put("cas", "3", "If-Match", "\"" + v1 + "\""), 412);
		assertProblem(put("cas", "3", "If-Match", "garbage"), 412);
		assertProblem(send("DELETE", "/kv/cas", null, "If-Match", "\"" + v1 + "\""), 412);
		assertThat(get("/kv/cas").body()).isEqualTo("2".getBytes());
		long v2 = body(ok).get("version").asLong();
		assertThat(send("DELETE", "/kv/cas", null, "If-Match", "\"" + v2 + "\"").statusCode()).isEqualTo(204);
		assertProblem(put("cas", "4", "If-Match", "*"), 412);
	}

	@Test
	void ifNoneMatchStarMakesAPutCreateOnly() throws Exception {
		assertThat(put("once", "1", "If-None-Match", "*").statusCode()).isEqualTo(200);
		assertProblem(put("once", "2", "If-None-Match", "*"), 412);
		assertThat(get("/kv/once").body()).isEqualTo("1".getBytes());
	}

	@Test
	void ofConcurrentWritesConditionalOnOneVersionExactlyOneSucceeds() throws Exception {
		long version = body(put("race", "start")).get("version").asLong();
		List<Callable<Integer>> racers = new ArrayList<>();
		for (int i = 0; i < 16; i++) {
			String value = "racer-" + i;
			racers.add(() -> put("race", value, "If-Match", "\"" + version + "\"").statusCode());
		}
		List<Integer> statuses = new ArrayList<>();
		try (ExecutorService pool = Executors.newFixedThreadPool(16)) {
			for (Future<Integer> f : pool.invokeAll(racers)) {
				statuses.add(f.get());
			}
		}
		assertThat(statuses).containsOnly(200, 412);
		assertThat(statuses.stream().filter(s -> s == 200).count()).isEqualTo(1);
	}

	@Test
	void getWithTheCurrentETagIsNotModified() throws Exception {
		String etag = put("etag", "v").headers().firstValue("ETag").orElseThrow();
		assertThat(get("/kv/etag", "If-None-Match", etag).statusCode()).isEqualTo(304);
		assertThat(get("/kv/etag", "If-None-Match", "\"1\"").statusCode()).isEqualTo(200);
	}

	@Test
	void unknownPathsAndWrongMethodsAreProblems() throws Exception {
		assertProblem(get("/nope"), 404);
		assertProblem(send("POST", "/kv/x", "v".getBytes()), 405);
		assertProblem(send("PATCH", "/cluster", "v".getBytes()), 405);
		assertProblem(get("/kv/absent", "Accept", "text/plain"), 404);
	}

	@Test
	void conflictingConditionsAre400() throws Exception {
		assertProblem(put("both", "x", "If-Match", "\"1\"", "If-None-Match", "*"), 400);
		assertProblem(put("both", "x", "If-None-Match", "\"1\""), 400);
	}

	@Test
	void ifMatchListsAtMostAHundredEntityTags() throws Exception {
		long v1 = body(put("tags", "1")).get("version").asLong();
		String tags = String.join(", ", Collections.nCopies(100, "\"" + v1 + "\""));

		assertThat(put("tags", "2", "If-Match", tags).statusCode()).isEqualTo(200);
		assertProblem(put("tags", "3", "If-Match", tags + ", \"1\""), 400);
	}

	@Test
	void servedResponsesNameTheNodeThatServedThem() throws Exception {
		assertThat(put("who", "x").headers().firstValue("X-Kv-Primary")).hasValue("solo");
	}

	/**
	 * The common requests are answered before Spring MVC ({@link KvFastPath}); the same request with a query string
	 * goes on to the controller. Both must answer alike: status, every header but the date and the framing, and
	 * the body.
	 */
	@Test
	void theFastPathAndTheControllerAnswerAlike() throws Exception {
		assertAlike(put("alike/1", "a"), send("PUT", "/kv/alike/2?via=controller", "a".getBytes()), true);
		assertAlike(get("/kv/alike/1"), get("/kv/alike/1?consistency=linearizable"), false);
		assertAlike(get("/kv/alike/none"), get("/kv/alike/none?consistency=linearizable"), false);
		assertAlike(send("DELETE", "/kv/alike/1", null), send("DELETE", "/kv/alike/2?via=controller", null), false);
		assertThat(get("/kv/alike/2").statusCode()).isEqualTo(404);
	}

	@Autowired
	FilterRegistrationBean<KvFastPath> fastPath;

	@Test
	void theFastPathAnswersACommonRequestWithoutSpringMvc() throws Exception {
		put("fast", "path");
		MockHttpServletRequest request = new MockHttpServletRequest("GET", "/kv/fast");
		MockHttpServletResponse response = new MockHttpServletResponse();
		fastPath.getFilter().doFilter(request, response, (req, res) -> {
			throw new AssertionError("a common GET went on to Spring MVC");
		});
		assertThat(response.getStatus()).isEqualTo(200);
		assertThat(response.getContentAsString()).isEqualTo("path");
		MockHttpServletRequest conditional = new MockHttpServletRequest("GET", "/kv/fast");
		conditional.addHeader("If-None-Match", "\"1\"");
		boolean[] passedOn = new boolean[1];
		fastPath.getFilter().doFilter(conditional, new MockHttpServletResponse(), (req, res) -> passedOn[0] = true);
		assertThat(passedOn[0]).as("a conditional GET goes on to the controller").isTrue();
	}

	private void assertAlike(HttpResponse<byte[]> fast, HttpResponse<byte[]> controller, boolean writeResult) {
		assertThat(fast.statusCode()).isEqualTo(controller.statusCode());
		java.util.Map<String, List<String>> fastHeaders = new java.util.TreeMap<>(fast.headers().map());
		java.util.Map<String, List<String>> controllerHeaders = new java.util.TreeMap<>(controller.headers().map());
		for (var headers : List.of(fastHeaders, controllerHeaders)) {
			headers.remove("date");
			// Framing, not content: a problem written at once has a length, Spring MVC's is chunked.
			headers.remove("content-length");
			headers.remove("transfer-encoding");
			if (writeResult) {
				headers.remove("etag"); // each write's own version
			}
		}
		assertThat(fastHeaders).isEqualTo(controllerHeaders);
		if (writeResult) {
			assertThat(body(fast).propertyNames()).containsExactlyElementsOf(body(controller).propertyNames());
		}
		else if (fast.headers().firstValue("Content-Type").orElse("").contains("json")) {
			assertThat(body(fast)).isEqualTo(body(controller));
		}
		else {
			assertThat(fast.body()).isEqualTo(controller.body());
		}
	}

}
