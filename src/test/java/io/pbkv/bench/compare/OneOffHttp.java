package io.pbkv.bench.compare;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Single requests outside the load (start-up checks, meters): each on a new connection, bounded by 5 s. */
final class OneOffHttp {

	private static final Duration TIMEOUT = Duration.ofSeconds(5);

	private OneOffHttp() {
	}

	/** The response, or null when the server did not answer. */
	static HttpResponse get(URI base, String path) {
		return send(base, HttpConnection.request("GET", path, base.getHost() + ":" + base.getPort(), null, null));
	}

	/** The response to a JSON POST, or null when the server did not answer. */
	static HttpResponse post(URI base, String path, String json) {
		return send(base, HttpConnection.request("POST", path, base.getHost() + ":" + base.getPort(),
				"application/json", json.getBytes(StandardCharsets.UTF_8)));
	}

	private static HttpResponse send(URI base, byte[] request) {
		try (HttpConnection http = new HttpConnection(base.getHost(), base.getPort(), TIMEOUT)) {
			return http.send(request, true);
		}
		catch (IOException ex) {
			return null;
		}
	}

}
