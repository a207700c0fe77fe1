package io.pbkv.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Sends client API requests to one node at a time; knows nothing of primaries or retries.
 *
 * <p>It uses {@link HttpURLConnection}: a client that lives for one command must start at once, and the JDK's
 * {@code HttpClient} sets up TLS and its selector threads before its first request, even to a plain {@code http}
 * node (a third of a second here). Every write is in fixed-length streaming mode, which stops HttpURLConnection
 * from silently sending it a second time after a broken connection.
 */
final class KvHttpClient {

	/** A node that does not say within this time who is primary is not waited for during discovery. */
	private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);

	private final Duration timeout;

	private final Duration probeTimeout;

	KvHttpClient(Duration timeout) {
		this.timeout = timeout;
		this.probeTimeout = timeout.compareTo(PROBE_TIMEOUT) < 0 ? timeout : PROBE_TIMEOUT;
	}

	/**
	 * Sends the request to the node. Blocks for at most the timeout.
	 * @throws IOException when the node refuses, does not answer in time, or the connection breaks
	 */
	HttpAnswer send(URI node, KvRequest request) throws IOException {
		Map<String, String> headers = new LinkedHashMap<>();
		switch (request.condition()) {
			case Condition.IfVersion v -> headers.put("If-Match", "\"" + v.version() + "\"");
			case Condition.CreateOnly c -> headers.put("If-None-Match", "*");
			case Condition.None n -> {
			}
		}
		if (request.body() != null) {
			headers.put("Content-Type", "application/octet-stream");
		}
		HttpURLConnection connection = open(URI.create(node + request.path()), request.method(), headers, timeout,
				request.body());
		try {
			return new HttpAnswer(node, connection.getResponseCode(), body(connection),
					connection.getHeaderField("X-Kv-Primary"), connection.getHeaderField("ETag"));
		}
		catch (SocketTimeoutException ex) {
			throw new HttpTimeoutException("timed out waiting for " + node);
		}
		finally {
			connection.disconnect();
		}
	}

	/**
	 * Asks the node for its view of the cluster, on a thread of its own; the future always completes normally.
	 * A platform thread: a virtual thread's socket would start the JDK's poller thread, which sits in native code,
	 * and the JVM then waits 300 ms for it at exit.
	 */
	CompletableFuture<Probe> probe(URI node) {
		CompletableFuture<Probe> probe = new CompletableFuture<>();
		Thread.ofPlatform().daemon().name("pbkv-probe").start(() -> probe.complete(askCluster(node)));
		return probe;
	}

	private Probe askCluster(URI node) {
		HttpAnswer answer;
		try {
			HttpURLConnection connection = open(URI.create(node + "/cluster"), "GET", Map.of(), probeTimeout, null);
			try {
				answer = new HttpAnswer(node, connection.getResponseCode(), body(connection), null);
			}
			finally {
				connection.disconnect();
			}
		}
		catch (IOException | RuntimeException ex) {
			return Probe.silent(node,
					Failure.describe(ex instanceof SocketTimeoutException ? new HttpTimeoutException("timed out") : ex));
		}
		if (answer.status() != 200) {
			return Probe.silent(node, "HTTP " + answer.status());
		}
		try {
			return Probe.answered(node, ClusterView.parse(answer.body()));
		}
		catch (RuntimeException notJson) {
			return Probe.silent(node, "not a pbkv node (its /cluster is not JSON)");
		}
	}

	/**
	 * Connects and sends the request; {@code readTimeout} bounds each wait for the answer (zero: none).
	 * @throws HttpConnectTimeoutException when no connection was made in time: nothing was sent
	 */
	/** The client credential, sent as {@code Authorization: Bearer} when set (never printed). */
	static final String TOKEN = System.getenv("PBKV_TOKEN");

	static HttpURLConnection open(URI url, String method, Map<String, String> headers, Duration readTimeout,
			byte[] body) throws IOException {
		HttpURLConnection connection = (HttpURLConnection) url.toURL().openConnection();
		connection.setRequestMethod(method);
		boolean bounded = !readTimeout.isZero() && readTimeout.compareTo(PROBE_TIMEOUT) < 0;
		connection.setConnectTimeout((int) (bounded ? readTimeout : PROBE_TIMEOUT).toMillis());
		connection.setReadTimeout((int) Math.min(readTimeout.toMillis(), Integer.MAX_VALUE));
		connection.setUseCaches(false);
		// A fresh connection per request: a kept-alive one to a node that died since would take a write and then
		// fail it as "outcome unknown", where a new connection is refused and the write safely retried.
		connection.setRequestProperty("Connection", "close");
		if (!method.equals("GET")) {
			// Streaming mode: HttpURLConnection never sends a streamed request twice by itself.
			connection.setDoOutput(true);
			connection.setFixedLengthStreamingMode(body == null ? 0 : body.length);
		}
		headers.forEach(connection::setRequestProperty);
		if (TOKEN != null && !TOKEN.isBlank() && !headers.containsKey("Authorization")) {
			connection.setRequestProperty("Authorization", "Bearer " + TOKEN.strip());
		}
		try {
			connection.connect();
		}
		catch (SocketTimeoutException ex) {
			throw new HttpConnectTimeoutException("connect timed out: " + url);
		}
		if (!method.equals("GET")) {
			try (OutputStream out = connection.getOutputStream()) {
				out.write(body == null ? new byte[0] : body);
			}
		}
		return connection;
	}

	private static byte[] body(HttpURLConnection connection) throws IOException {
		InputStream in = connection.getResponseCode() >= 400 ? connection.getErrorStream() : connection.getInputStream();
		if (in == null) {
			return new byte[0];
		}
		try (in) {
			return in.readAllBytes();
		}
	}

}
