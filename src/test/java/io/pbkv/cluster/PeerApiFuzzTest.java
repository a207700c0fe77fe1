package io.pbkv.cluster;

import io.pbkv.core.Message;
import io.pbkv.fuzz.Mutations;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Mutated peer batches, with the right token, sent over real HTTP to a running node's {@code /internal/replicate}:
 * every answer is a clean {@code 204} or a {@code 4xx} problem (never a {@code 5xx}), and the node is unchanged: same
 * role, epoch and log, every key still there ({@code -Dpbkv.fuzz.inputs=N} scales the count with the codec's).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "kv.node-id=solo", "kv.cluster.token=fuzz-token" })
class PeerApiFuzzTest {

	private static final Path DATA = temp();

	@DynamicPropertySource
	static void dataDir(DynamicPropertyRegistry registry) {
		registry.add("kv.data-dir", DATA::toString);
	}

	private static Path temp() {
		try {
			return Files.createTempDirectory("pbkv-peer-fuzz");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	@LocalServerPort
	int port;

	private final HttpClient http = HttpClient.newHttpClient();

	private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
		return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	private String base() {
		return "http://127.0.0.1:" + port;
	}

	@Test
	void mutatedBatchesGetA204OrA4xxAndChangeNothing() throws Exception {
		for (int i = 0; i < 10; i++) {
			assertThat(send(HttpRequest.newBuilder(URI.create(base() + "/kv/k" + i))
				.PUT(HttpRequest.BodyPublishers.ofString("v" + i))).statusCode()).isEqualTo(200);
		}
		String before = state();
		List<Message> every = TestMessages.everyKind();
		byte[] valid = MessageCodec.encode(every);
		Mutations mutations = new Mutations(42);
		int inputs = Math.max(200, Mutations.inputs(300_000) / 1500);
		int refused = 0;
		for (int i = 0; i < inputs; i++) {
			byte[] input = mutations.mutate(valid);
			HttpResponse<String> answer = send(HttpRequest.newBuilder(URI.create(base() + "/internal/replicate"))
				.header(PeerProtocol.HEADER, Integer.toString(PeerProtocol.VERSION))
				.header(PeerSender.TOKEN_HEADER, "fuzz-token")
				.POST(HttpRequest.BodyPublishers.ofByteArray(input)));
			int status = answer.statusCode();
			assertThat(status).as("answer to input %d: %s; %s", i, answer.body(), Mutations.show(input))
				.satisfiesAnyOf(s -> assertThat(s).isEqualTo(204), s -> assertThat(s).isBetween(400, 499));
			if (status >= 400) {
				refused++;
				assertThat(answer.headers().firstValue("Content-Type")).hasValueSatisfying(
						ct -> assertThat(ct).startsWith("application/problem+json"));
			}
		}
		assertThat(refused).as("inputs refused of " + inputs).isPositive();
		assertThat(state()).as("the node after the fuzzing").isEqualTo(before);
		for (int i = 0; i < 10; i++) {
			assertThat(send(HttpRequest.newBuilder(URI.create(base() + "/kv/k" + i))).body()).isEqualTo("v" + i);
		}
	}

	/** Role, epoch and log indexes from /cluster: what a peer batch could change. */
	private String state() throws Exception {
		String body = send(HttpRequest.newBuilder(URI.create(base() + "/cluster"))).body();
		return List.of("role", "epoch", "lastIndex", "commitIndex")
			.stream()
			.map(field -> field + "=" + body.replaceAll(".*\"" + field + "\":(\"?[^,\"]*\"?).*", "$1"))
			.toList()
			.toString();
	}

}
