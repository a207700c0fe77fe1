package io.pbkv.cluster;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pbkv.core.Message;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.LongStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The HTTP transport against a real (JDK) HTTP server standing in for a peer of an older release, which offers no
 * replication stream: so these are the POST requests every lane falls back to. The stream itself meets Tomcat in
 * {@link PeerRoundTripTest}.
 */
@Timeout(30)
class PeerClientTest {

	/** What the fake peer received in one request. */
	record Received(String token, String contentType, String protocol, List<Message> messages) {

		List<Long> epochs() {
			return messages.stream().map(Message::epoch).toList();
		}

	}

	private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

	private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();

	private volatile CountDownLatch hold = new CountDownLatch(0);

	private volatile int status = 204;

	private final AtomicInteger upgradesRefused = new AtomicInteger();

	private HttpServer server;

	private PeerClient client;

	@AfterEach
	void stop() {
		hold.countDown();
		if (client != null) {
			client.close();
		}
		if (server != null) {
			server.stop(0);
		}
	}

	@Test
	void messagesQueuedWhileARequestIsUnderWayLeaveAsOneBatchInOrder() throws Exception {
		String url = startPeer(0);
		hold = new CountDownLatch(1);
		client = new PeerClient(List.of(URI.create(url)), null, Duration.ofSeconds(10), registry);

		client.send(List.of(probe(url, 0)));
		assertThat(next().epochs()).containsExactly(0L);
		for (long i = 1; i <= 50; i++) {
			client.send(List.of(probe(url, i)));
		}
		hold.countDown();

		assertThat(next().epochs()).containsExactlyElementsOf(LongStream.rangeClosed(1, 50).boxed().toList());
		await(() -> registry.get("kv.peer.requests").tag("outcome", "ok").counter().count() == 2);
		assertThat(received).isEmpty();
		// Each lane (control and data) asked once for a stream, was refused, and sends requests from then on.
		assertThat(upgradesRefused.get()).isEqualTo(2);
	}

	@Test
	void theTokenAndContentTypeTravelWithEveryRequest() throws Exception {
		String url = startPeer(0);
		client = new PeerClient(List.of(URI.create(url + "/")), "s3cret", Duration.ofSeconds(5), registry);

		client.send(List.of(probe(url, 1)));

		Received request = next();
		assertThat(request.token()).isEqualTo("s3cret");
		assertThat(request.contentType()).isEqualTo("application/x-pbkv-messages");
		assertThat(request.protocol()).as("the peer protocol version").isEqualTo(Integer.toString(PeerProtocol.VERSION));
	}

	@Test
	void noTokenHeaderWhenNoTokenIsConfigured() throws Exception {
		String url = startPeer(0);
		client = new PeerClient(List.of(URI.create(url)), " ", Duration.ofSeconds(5), registry);

		client.send(List.of(probe(url, 1)));

		assertThat(next().token()).isNull();
	}

	@Test
	void everyKindOfMessageArrivesIntact() throws Exception {
		String url = startPeer(0);
		client = new PeerClient(List.of(URI.create(url)), null, Duration.ofSeconds(5), registry);

		List<Message> messages = TestMessages.everyKind(url, url).stream().filter(m -> m.to() != null).toList();

		client.send(messages);

		List<Message> all = new ArrayList<>();
		while (all.size() < messages.size()) {
			all.addAll(next().messages());
		}
		// Two lanes: entries and snapshots on one connection, the rest on another; each lane keeps its order.
		assertThat(all).containsExactlyInAnyOrderElementsOf(messages);
	}

	@Test
	void aStuckDataRequestDoesNotHoldBackHeartbeats() throws Exception {
		String url = startPeer(0);
		hold = new CountDownLatch(1);
		client = new PeerClient(List.of(URI.create(url)), null, Duration.ofSeconds(20), registry);
		Message.Append withEntries = new Message.Append("a", "http://a", url, "c", 1, 0, 0, TestMessages.entries(), 0,
				1, 0, 0);
		client.send(List.of(withEntries));
		assertThat(next().messages()).containsExactly(withEntries);

		Message.Append heartbeat = new Message.Append("a", "http://a", url, "c", 1, 8, 2, List.of(), 0, 2, 0, 0);
		client.send(List.of(heartbeat));

		assertThat(next().messages()).as("the heartbeat, while the data request still waits")
			.containsExactly(heartbeat);
	}

	@Test
	void aRequestThatGetsNoAnswerIsGivenUpWithinItsTimeoutAndLaterOnesGoThrough() throws Exception {
		String url = startPeer(0);
		hold = new CountDownLatch(1);
		client = new PeerClient(List.of(URI.create(url)), null, Duration.ofMillis(300), registry);
		client.send(List.of(probe(url, 1)));
		next();
		await(() -> registry.get("kv.peer.requests").tag("outcome", "error").counter().count() == 1);
		assertThat(client.peers().get(0).reachable()).isFalse();

		hold.countDown();

		awaitWhileSending(url, () -> client.peers().get(0).reachable());
	}

	@Test
	void anUnreachablePeerIsMarkedSoAndRecoversWhenItComesBack() throws Exception {
		String url = startPeer(0);
		int port = server.getAddress().getPort();
		client = new PeerClient(List.of(URI.create(url)), null, Duration.ofSeconds(2), registry);
		client.send(List.of(probe(url, 1)));
		await(() -> client.peers().get(0).reachable());
		long firstSuccess = client.peers().get(0).lastSuccessMillis();
		assertThat(firstSuccess).isPositive();

		server.stop(0);
		awaitWhileSending(url, () -> !client.peers().get(0).reachable());
		assertThat(registry.get("kv.peer.requests").tag("outcome", "error").counter().count()).isPositive();
		assertThat(registry.get("kv.peer.dropped").tag("reason", "failed").counter().count()).isPositive();
		assertThat(client.peers().get(0).lastSuccessMillis()).isEqualTo(firstSuccess);

		startPeer(port);
		awaitWhileSending(url, () -> client.peers().get(0).reachable());
		assertThat(client.peers().get(0).lastSuccessMillis()).isGreaterThanOrEqualTo(firstSuccess);
	}

	@Test
	void whatIsSentToAPeerNobodyAnswersIsDroppedNotHoarded() throws Exception {
		// A port nothing listens on: no stream opens, and no request could be sent either.
		String url = startPeer(0);
		server.stop(0);
		client = new PeerClient(List.of(URI.create(url)), null, Duration.ofSeconds(1), registry);
		for (long i = 0; i < 500; i++) {
			client.send(List.of(probe(url, i)));
		}

		await(() -> registry.get("kv.peer.dropped").tag("reason", "failed").counter().count() == 500);
		assertThat(registry.get("kv.peer.queued").tag("lane", "control").gauge().value()).isZero();
		assertThat(client.peers().get(0).reachable()).isFalse();
	}

	@Test
	void aPeerThatRefusesTheRequestCountsAsUnreachable() throws Exception {
		String url = startPeer(0);
		status = 403;
		client = new PeerClient(List.of(URI.create(url)), "wrong", Duration.ofSeconds(5), registry);

		client.send(List.of(probe(url, 1)));

		next();
		await(() -> registry.get("kv.peer.requests").tag("outcome", "error").counter().count() == 1);
		assertThat(client.peers().get(0).reachable()).isFalse();
	}

	@Test
	void whenAPeersQueueIsFullTheOldestMessagesAreDroppedAndCounted() throws Exception {
		String url = startPeer(0);
		hold = new CountDownLatch(1);
		client = new PeerClient(List.of(URI.create(url)), null, Duration.ofSeconds(20), registry);
		client.send(List.of(probe(url, 0)));
		next();

		int sent = PeerSender.QUEUE_CAPACITY + 5;
		List<Message> burst = new ArrayList<>();
		for (long i = 1; i <= sent; i++) {
			burst.add(probe(url, i));
		}
		client.send(burst);
		hold.countDown();

		List<Long> epochs = new ArrayList<>();
		while (epochs.size() < PeerSender.QUEUE_CAPACITY) {
			epochs.addAll(next().epochs());
		}
		assertThat(epochs).containsExactlyElementsOf(LongStream.rangeClosed(6, sent).boxed().toList());
		assertThat(registry.get("kv.peer.dropped").tag("reason", "overflow").counter().count()).isEqualTo(5);
	}

	@Test
	void messagesWithoutAPeerUrlAreDroppedAndCounted() {
		client = new PeerClient(List.of(), null, Duration.ofSeconds(1), registry);

		client.send(List.of(probe("not a url", 1), probe("ftp://elsewhere/", 2),
				new Message.Probe("a", null, null, null, 1)));

		assertThat(registry.get("kv.peer.dropped").tag("reason", "unknown-peer").counter().count()).isEqualTo(3);
		assertThat(client.peers()).isEmpty();
	}

	/** A voter added at runtime is in no node's kv.peers: the first message for it opens its lanes. */
	@Test
	void aMessageForAPeerNotInKvPeersOpensItsLanes() throws Exception {
		String url = startPeer(0);
		client = new PeerClient(List.of(), null, Duration.ofSeconds(5), registry);

		client.send(List.of(probe(url, 1)));

		assertThat(next().messages()).containsExactly(probe(url, 1));
		assertThat(client.peers()).extracting(PeerStatus::url).containsExactly(url);
	}

	@Test
	void closeReturnsPromptlyEvenWithARequestUnderWay() throws Exception {
		String url = startPeer(0);
		hold = new CountDownLatch(1);
		client = new PeerClient(List.of(URI.create(url)), null, Duration.ofSeconds(20), registry);
		client.send(List.of(probe(url, 1)));
		next();

		long start = System.nanoTime();
		client.close();
		client.send(List.of(probe(url, 2)));

		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
	}

	private String startPeer(int port) throws IOException {
		server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
		server.createContext("/internal/replicate", this::handle);
		// One thread per request, as Tomcat has: the two lanes' requests are served side by side.
		server.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
		server.start();
		return "http://127.0.0.1:" + server.getAddress().getPort();
	}

	private void handle(HttpExchange exchange) throws IOException {
		if (exchange.getRequestHeaders().containsKey("Upgrade")) {
			upgradesRefused.incrementAndGet();
			try (exchange) {
				exchange.sendResponseHeaders(405, -1);
			}
			return;
		}
		try (exchange) {
			byte[] body = exchange.getRequestBody().readAllBytes();
			received.add(new Received(exchange.getRequestHeaders().getFirst("X-Kv-Token"),
					exchange.getRequestHeaders().getFirst("Content-Type"),
					exchange.getRequestHeaders().getFirst(PeerProtocol.HEADER), MessageCodec.decode(body)));
			hold.await(20, TimeUnit.SECONDS);
			exchange.sendResponseHeaders(status, -1);
		}
		catch (MalformedMessageException | InterruptedException ex) {
			exchange.sendResponseHeaders(400, -1);
		}
	}

	private Received next() throws InterruptedException {
		Received request = received.poll(10, TimeUnit.SECONDS);
		assertThat(request).as("a request within 10 s").isNotNull();
		return request;
	}

	private static Message probe(String to, long sequence) {
		return new Message.Probe("a", "http://a", to, "c", sequence);
	}

	private static void await(BooleanSupplier condition) throws InterruptedException {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		while (!condition.getAsBoolean()) {
			assertThat(System.nanoTime()).as("condition within 10 s").isLessThan(deadline);
			Thread.sleep(10);
		}
	}

	/** Failed batches are not retried, so keep sending, as the node's heartbeats would, until the state shows. */
	private void awaitWhileSending(String url, BooleanSupplier condition) throws InterruptedException {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		long sequence = 1000;
		while (!condition.getAsBoolean()) {
			assertThat(System.nanoTime()).as("condition within 10 s").isLessThan(deadline);
			client.send(List.of(probe(url, sequence++)));
			Thread.sleep(20);
		}
	}

}
