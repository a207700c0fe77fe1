package io.pbkv.bench;

import io.pbkv.process.NodeProcess;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Small helpers around {@link NodeProcess} and the client API shared by the targets and the failover runs. */
final class Nodes {

	private Nodes() {
	}

	/** An HTTP/1.1 client, one connection per request in flight, like the load clients use. */
	static HttpClient newHttpClient() {
		return HttpClient.newBuilder()
			.version(HttpClient.Version.HTTP_1_1)
			.connectTimeout(Duration.ofSeconds(2))
			.build();
	}

	/** SIGKILL (the data is thrown away or kept as it is, so a graceful stop buys nothing); never throws. */
	static void stop(NodeProcess node) {
		if (node == null) {
			return;
		}
		try {
			node.close();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/** {@code PUT /kv/<key>}: the status, or -1 when the node did not answer within {@code timeout}. */
	static int put(HttpClient http, URI base, String key, byte[] value, Duration timeout) {
		return status(http, HttpRequest.newBuilder(base.resolve("/kv/" + key))
			.timeout(timeout)
			.header("Content-Type", "application/octet-stream")
			.PUT(HttpRequest.BodyPublishers.ofByteArray(value))
			.build());
	}

	/** {@code GET /kv/<key>}: the answer, or null when the node did not answer within {@code timeout}. */
	static HttpResponse<byte[]> get(HttpClient http, URI base, String key, Duration timeout) {
		try {
			return http.send(HttpRequest.newBuilder(base.resolve("/kv/" + key)).timeout(timeout).build(),
					HttpResponse.BodyHandlers.ofByteArray());
		}
		catch (IOException ex) {
			return null;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return null;
		}
	}

	/** The body of {@code GET /cluster}, or null when the node did not answer 200. */
	static String cluster(HttpClient http, URI base) {
		return body(http, base, "/cluster", Duration.ofSeconds(2));
	}

	/** The body of {@code GET /actuator/prometheus}, or null when the node did not answer 200 within 5 s. */
	static String prometheus(HttpClient http, URI base) {
		return body(http, base, "/actuator/prometheus", Duration.ofSeconds(5));
	}

	private static String body(HttpClient http, URI base, String path, Duration timeout) {
		try {
			HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve(path)).timeout(timeout).build(),
					HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
			return r.statusCode() == 200 ? r.body() : null;
		}
		catch (IOException ex) {
			return null;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return null;
		}
	}

	private static int status(HttpClient http, HttpRequest request) {
		try {
			return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
		}
		catch (IOException ex) {
			return -1;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return -1;
		}
	}

}
