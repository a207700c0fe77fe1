package io.pbkv.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A scripted pbkv node on 127.0.0.1: {@code /cluster} answers with the role it is given, {@code /kv} with
 * queued replies (the last one repeats), and every {@code /kv} request is recorded.
 */
final class FakeNode implements AutoCloseable {

	record Reply(int status, String contentType, byte[] body) {

		static Reply json(int status, String json) {
			return new Reply(status, status >= 400 ? "application/problem+json" : "application/json",
					json.getBytes(StandardCharsets.UTF_8));
		}

		static Reply problem(int status, String detail) {
			return json(status, "{\"status\":" + status + ",\"detail\":\"" + detail + "\"}");
		}

		static Reply bytes(byte[] body) {
			return new Reply(200, "application/octet-stream", body);
		}

	}

	record Request(String method, String path, Map<String, List<String>> headers, byte[] body) {

		String header(String name) {
			return headers.entrySet()
				.stream()
				.filter(e -> e.getKey().equalsIgnoreCase(name))
				.map(e -> e.getValue().get(0))
				.findFirst()
				.orElse(null);
		}

	}

	private final HttpServer server;

	private final String id;

	private volatile Function<FakeNode, String> cluster;

	private final BlockingQueue<Reply> replies = new ArrayBlockingQueue<>(100);

	private volatile Reply last = Reply.problem(500, "nothing scripted");

	final List<Request> requests = new CopyOnWriteArrayList<>();

	private FakeNode(String id) throws IOException {
		this.id = id;
		this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
		server.createContext("/cluster", this::cluster);
		server.createContext("/kv", this::kv);
		server.start();
		backup(1, null);
	}

	static FakeNode start(String id) throws IOException {
		return new FakeNode(id);
	}

	/** A URL where nothing listens: connections are refused. */
	static URI refusing() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return URI.create("http://127.0.0.1:" + socket.getLocalPort());
		}
	}

	URI url() {
		return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
	}

	FakeNode primary(long epoch) {
		cluster = node -> view("PRIMARY", epoch, node.url().toString());
		return this;
	}

	FakeNode backup(long epoch, URI primary) {
		cluster = node -> view("BACKUP", epoch, primary == null ? null : primary.toString());
		return this;
	}

	/** Queues replies for the next {@code /kv} requests; the last one answers every request after them. */
	FakeNode reply(Reply... next) {
		for (Reply r : next) {
			replies.add(r);
		}
		return this;
	}

	long count(String method) {
		return requests.stream().filter(r -> r.method().equals(method)).count();
	}

	private String view(String role, long epoch, String primaryUrl) {
		return """
				{"nodeId":"%s","role":"%s","epoch":%d,"primaryId":null,"primaryUrl":%s,"lastIndex":7,"commitIndex":7,
				 "peers":[]}""".formatted(id, role, epoch, primaryUrl == null ? "null" : "\"" + primaryUrl + "\"");
	}

	private void cluster(HttpExchange exchange) throws IOException {
		send(exchange, Reply.json(200, cluster.apply(this)));
	}

	private void kv(HttpExchange exchange) throws IOException {
		URI uri = exchange.getRequestURI();
		requests.add(new Request(exchange.getRequestMethod(), uri.getRawPath() + (uri.getRawQuery() == null ? ""
				: "?" + uri.getRawQuery()), Map.copyOf(exchange.getRequestHeaders()),
				exchange.getRequestBody().readAllBytes()));
		Reply next = replies.poll();
		if (next != null) {
			last = next;
		}
		send(exchange, last);
	}

	private static void send(HttpExchange exchange, Reply reply) throws IOException {
		exchange.getResponseHeaders().add("Content-Type", reply.contentType());
		if ("close".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Connection"))) {
			// As Tomcat does: the JDK's server closes the connection but does not say so, and a client may then
			// send its next request on a connection that is about to close.
			exchange.getResponseHeaders().add("Connection", "close");
		}
		if (reply.status() == 503 || reply.status() == 504) {
			exchange.getResponseHeaders().add("Retry-After", "1");
		}
		boolean empty = reply.body().length == 0 || reply.status() == 204;
		exchange.sendResponseHeaders(reply.status(), empty ? -1 : reply.body().length);
		if (!empty) {
			exchange.getResponseBody().write(reply.body());
		}
		exchange.close();
	}

	@Override
	public void close() {
		server.stop(0);
	}

}
