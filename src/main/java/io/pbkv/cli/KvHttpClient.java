package io.pbkv.cli;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import tools.jackson.databind.json.JsonMapper;

/** Sends client API requests to one node at a time; knows nothing of primaries or retries. */
final class KvHttpClient {

	/** A node that does not say within this time who is primary is not waited for during discovery. */
	private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);

	private final HttpClient http;

	private final Duration timeout;

	private final Duration probeTimeout;

	KvHttpClient(Duration timeout) {
		this.timeout = timeout;
		this.probeTimeout = timeout.compareTo(PROBE_TIMEOUT) < 0 ? timeout : PROBE_TIMEOUT;
		this.http = HttpClient.newBuilder()
			.version(HttpClient.Version.HTTP_1_1)
			.connectTimeout(probeTimeout)
			.build();
	}

	/**
	 * Sends the request to the node. Blocks for at most the timeout.
	 * @throws IOException when the node refuses, does not answer in time, or the connection breaks
	 */
	HttpAnswer send(URI node, KvRequest request) throws IOException, InterruptedException {
		HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(node + request.path()))
			.timeout(timeout)
			.method(request.method(), request.body() == null ? HttpRequest.BodyPublishers.noBody()
					: HttpRequest.BodyPublishers.ofByteArray(request.body()));
		if (request.body() != null) {
			builder.header("Content-Type", "application/octet-stream");
		}
		switch (request.condition()) {
			case Condition.IfVersion v -> builder.header("If-Match", "\"" + v.version() + "\"");
			case Condition.CreateOnly c -> builder.header("If-None-Match", "*");
			case Condition.None n -> {
			}
		}
		HttpResponse<byte[]> response = http.send(builder.build(), HttpResponse.BodyHandlers.ofByteArray());
		return new HttpAnswer(node, response.statusCode(), response.body(),
				response.headers().firstValue("X-Kv-Primary").orElse(null));
	}

	/** Asks the node for its view of the cluster; the future always completes normally. */
	CompletableFuture<Probe> probe(URI node) {
		HttpRequest request = HttpRequest.newBuilder(URI.create(node + "/cluster")).timeout(probeTimeout).GET().build();
		return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).handle((response, ex) -> {
			if (ex != null) {
				return Probe.silent(node, Failure.describe(ex));
			}
			if (response.statusCode() != 200) {
				return Probe.silent(node, "HTTP " + response.statusCode());
			}
			try {
				return Probe.answered(node, ClusterView.parse(JsonMapper.shared().readTree(response.body())));
			}
			catch (RuntimeException notJson) {
				return Probe.silent(node, "not a pbkv node (its /cluster is not JSON)");
			}
		});
	}

}
