package io.pbkv.api;

import io.pbkv.api.OverviewController.NodeOverview;
import io.pbkv.cluster.PeerTls;
import io.pbkv.config.KvProperties;
import io.pbkv.core.NodeStatus;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import org.springframework.stereotype.Component;

/**
 * Fetches every configured peer's {@code /cluster/overview?local=true}, all at once on virtual threads. A peer
 * gets {@link #CONNECT_TIMEOUT} to accept and {@link #REQUEST_TIMEOUT} to answer, so one overview takes about a
 * second at worst however many peers are silent; a silent peer is reported unreachable, never an error.
 */
@Component
class PeerOverviews implements AutoCloseable {

	static final Duration CONNECT_TIMEOUT = Duration.ofMillis(300);

	static final Duration REQUEST_TIMEOUT = Duration.ofMillis(800);

	private final List<String> peers;

	private final ObjectMapper json;

	/** Each peer's node id as it last gave it, so that a peer that fell silent keeps its name. */
	private final Map<String, String> lastSeenIds = new ConcurrentHashMap<>();

	private final HttpClient http;

	PeerOverviews(KvProperties properties, ObjectMapper json, PeerTls tls) {
		this.http = tls.apply(HttpClient.newBuilder())
			.version(HttpClient.Version.HTTP_1_1)
			.connectTimeout(CONNECT_TIMEOUT)
			.build();
		this.peers = properties.peers().stream().map(PeerOverviews::withoutTrailingSlash).toList();
		this.json = json;
	}

	/**
	 * One entry per configured peer, in configuration order; {@code known} is this node's view of its peers,
	 * which names a silent peer if this node has heard from it; {@code authorization} is the caller's credential
	 * header, if any.
	 */
	List<NodeOverview> fetch(List<NodeStatus.PeerStatus> known, String authorization) {
		try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
			List<Future<NodeOverview>> answers = peers.stream()
				.map(url -> pool.submit(() -> fetch(url, knownId(known, url), authorization)))
				.toList();
			return answers.stream().map(PeerOverviews::join).toList();
		}
	}

	private NodeOverview fetch(String url, String knownId, String authorization) {
		HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url + "/cluster/overview?local=true"))
			.timeout(REQUEST_TIMEOUT)
			.header("Accept", "application/json")
			.GET();
		if (authorization != null) {
			// With client authentication on, each node asks the others with the caller's own credential.
			builder.header("Authorization", authorization);
		}
		HttpRequest request = builder.build();
		try {
			HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
			if (response.statusCode() != 200) {
				return unreachable(url, knownId, "HTTP " + response.statusCode());
			}
			JsonNode entry = json.readTree(response.body()).path("nodes").path(0);
			String nodeId = entry.path("nodeId").asString(knownId);
			if (nodeId != null) {
				lastSeenIds.put(url, nodeId);
			}
			JsonNode p99 = entry.path("clientP99Millis");
			return new NodeOverview(nodeId, url, false, true, entry.path("clientOps").asLong(),
					p99.isNumber() ? p99.asDouble() : null, entry.path("cluster"), null);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return unreachable(url, knownId, "interrupted");
		}
		catch (Exception ex) {
			return unreachable(url, knownId, ex.getClass().getSimpleName()
					+ (ex.getMessage() == null ? "" : ": " + ex.getMessage()));
		}
	}

	private NodeOverview unreachable(String url, String knownId, String why) {
		String nodeId = knownId != null ? knownId : lastSeenIds.get(url);
		return new NodeOverview(nodeId, url, false, false, null, null, null, why);
	}

	private static String knownId(List<NodeStatus.PeerStatus> known, String url) {
		return known.stream()
			.filter(p -> p.nodeId() != null && url.equals(withoutTrailingSlash(p.url())))
			.map(NodeStatus.PeerStatus::nodeId)
			.findFirst()
			.orElse(null);
	}

	private static NodeOverview join(Future<NodeOverview> answer) {
		try {
			return answer.get();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("interrupted while fetching peer overviews", ex);
		}
		catch (ExecutionException ex) {
			throw new IllegalStateException(ex.getCause());
		}
	}

	static String withoutTrailingSlash(Object url) {
		String s = String.valueOf(url);
		return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
	}

	@Override
	public void close() {
		http.close();
	}

}
