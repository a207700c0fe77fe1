package io.pbkv.process;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** A minimal pbkv client for process tests: each call returns the status, or -1 when the node did not answer. */
public final class KvHttp {

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

	private final Duration timeout;

	public KvHttp(Duration timeout) {
		this.timeout = timeout;
	}

	public record Result(int status, String body) {
	}

	public Result put(String baseUrl, String key, String value) {
		return send(HttpRequest.newBuilder(URI.create(baseUrl + "/kv/" + key))
			.PUT(HttpRequest.BodyPublishers.ofString(value)));
	}

	public Result get(String baseUrl, String key) {
		return send(HttpRequest.newBuilder(URI.create(baseUrl + "/kv/" + key)).GET());
	}

	public Result send(HttpRequest.Builder request) {
		try {
			HttpResponse<byte[]> r = http.send(request.timeout(timeout).build(), HttpResponse.BodyHandlers.ofByteArray());
			return new Result(r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
		}
		catch (IOException ex) {
			return new Result(-1, ex.toString());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return new Result(-1, ex.toString());
		}
	}

}
