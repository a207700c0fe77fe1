package io.pbkv.cluster;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pbkv.core.Command;
import io.pbkv.core.LogEntry;
import io.pbkv.core.Message;
import io.pbkv.core.Precondition;
import io.pbkv.runtime.NodeRuntime;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.bean.override.mockito.MockitoBean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.timeout;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

/**
 * PeerClient and the peer endpoints agree over real HTTP (Tomcat): the replication stream, its gate (token, protocol
 * version), batches and their order.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "kv.node-id=peer-test", "kv.cluster.token=s3cret" })
class PeerRoundTripTest {

	@DynamicPropertySource
	static void dataDir(DynamicPropertyRegistry registry) throws IOException {
		Path dir = Files.createTempDirectory("pbkv-peer-test");
		registry.add("kv.data-dir", dir::toString);
	}

	@LocalServerPort
	int port;

	@MockitoBean
	NodeRuntime runtime;

	@Test
	void everyKindOfMessageCrossesTheWireInItsLanesOrder() throws Exception {
		when(runtime.deliver(any())).thenReturn(true);
		when(runtime.status()).thenReturn(TestMessages.atEpoch(1));
		String url = "http://127.0.0.1:" + port;
		List<Message> messages = TestMessages.everyKind(url, url).stream().filter(m -> m.to() != null).toList();
		SimpleMeterRegistry registry = new SimpleMeterRegistry();

		try (PeerClient client = new PeerClient(List.of(URI.create(url)), "s3cret", Duration.ofSeconds(5), registry)) {
			client.send(messages);

			// Entries and snapshots travel on one connection, everything else on another: each keeps its order.
			for (boolean bulky : List.of(true, false)) {
				var order = inOrder(runtime);
				messages.stream()
					.filter(m -> bulky == (m instanceof Message.InstallSnapshot
							|| m instanceof Message.Append a && !a.entries().isEmpty()))
					.forEach(m -> order.verify(runtime, timeout(5_000)).deliver(m));
			}
			assertThat(registry.get("kv.peer.requests").tag("outcome", "error").counter().count()).isZero();
			// Both lanes went as streams, not as the requests an older peer is sent.
			assertThat(registry.get("kv.peer.streaming").gauges()).hasSize(2)
				.allSatisfy(gauge -> assertThat(gauge.value()).isEqualTo(1.0));
			// The peer chose the stream's subprotocol, which names its protocol version.
			assertThat(registry.get("kv.peer.protocol").gauge().value()).isEqualTo(PeerProtocol.VERSION);
		}
	}

	@Test
	void messagesQueuedFasterThanTheSocketTakesThemAllArriveInEachSendersOrder() throws Exception {
		List<Message> delivered = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
		when(runtime.deliver(any())).thenAnswer(call -> delivered.add(call.getArgument(0)));
		String url = "http://127.0.0.1:" + port;
		int perSender = 1500;
		byte[] value = new byte[8 * 1024];
		SimpleMeterRegistry registry = new SimpleMeterRegistry();

		try (PeerClient client = new PeerClient(List.of(URI.create(url)), "s3cret", Duration.ofSeconds(5), registry)) {
			// Two threads (as the loop and the storage thread are) queue 24 MiB in all: far more than a socket
			// buffer, so most writes are not taken at once and what queues behind them leaves as later batches.
			List<Thread> senders = new java.util.ArrayList<>();
			for (int sender = 0; sender < 2; sender++) {
				long epoch = sender + 1;
				senders.add(Thread.ofPlatform().start(() -> {
					for (int i = 1; i <= perSender; i++) {
						client.send(List.of(new Message.Append("a", url, url, "cluster-1", epoch, 0, 0,
								List.of(new LogEntry(i, epoch, new Command.Put("k", value, Precondition.NONE))), 0, 1, 0,
								0)));
					}
				}));
			}
			for (Thread sender : senders) {
				sender.join();
			}

			verify(runtime, timeout(20_000).times(2 * perSender)).deliver(any());
			for (long epoch = 1; epoch <= 2; epoch++) {
				long sentBy = epoch;
				List<Long> indexes = List.copyOf(delivered)
					.stream()
					.map(m -> ((Message.Append) m).entries().getFirst())
					.filter(entry -> entry.epoch() == sentBy)
					.map(LogEntry::index)
					.toList();
				assertThat(indexes).hasSize(perSender).isSorted();
			}
			assertThat(registry.find("kv.peer.dropped").counters())
				.allSatisfy(counter -> assertThat(counter.count()).isZero());
			// The backlog left on the streams as they were: none was given up and reopened to get it moving.
			assertThat(registry.get("kv.peer.requests").tag("outcome", "error").counter().count()).isZero();
		}
	}

	@Test
	void aBatchLargerThanOneFramePartArrivesWhole() throws Exception {
		when(runtime.deliver(any())).thenReturn(true);
		String url = "http://127.0.0.1:" + port;
		byte[] value = new byte[300 * 1024];
		new java.util.Random(7).nextBytes(value);
		Message big = new Message.Append("a", url, url, "cluster-1", 1, 0, 0,
				List.of(new LogEntry(1, 1, new Command.Put("big", value, Precondition.NONE))), 0, 1, 0, 0);

		try (PeerClient client = new PeerClient(List.of(URI.create(url)), "s3cret", Duration.ofSeconds(5),
				new SimpleMeterRegistry())) {
			client.send(List.of(big));

			// Tomcat hands it over in 64 KiB parts; the node gets it once, whole and equal.
			verify(runtime, timeout(5_000)).deliver(big);
		}
	}

	@Test
	void aStreamIsRefusedBeforeTheUpgradeWithoutTheTokenOrInAnotherProtocolVersion() {
		String V = Integer.toString(PeerProtocol.VERSION);
		for (var refusal : List.of(new String[] { "wrong", V, "403" }, new String[] { null, V, "401" },
				new String[] { "s3cret", "99", "400" })) {
			WebSocket.Builder builder = HttpClient.newHttpClient()
				.newWebSocketBuilder()
				.header(PeerProtocol.HEADER, refusal[1]);
			if (refusal[0] != null) {
				builder.header(PeerSender.TOKEN_HEADER, refusal[0]);
			}
			assertThatThrownBy(() -> builder.buildAsync(URI.create("ws://127.0.0.1:" + port + "/internal/replicate"),
					new WebSocket.Listener() {
					}).join())
				.cause()
				.isInstanceOfSatisfying(WebSocketHandshakeException.class, refused -> {
					assertThat(refused.getResponse().statusCode()).isEqualTo(Integer.parseInt(refusal[2]));
					assertThat(refused.getResponse().headers().firstValue("Content-Type"))
						.hasValue("application/problem+json");
				});
		}
		verify(runtime, never()).deliver(any());
	}

	@Test
	void aMalformedBatchClosesTheStreamAndChangesNothing() throws Exception {
		CompletableFuture<Integer> closed = new CompletableFuture<>();
		WebSocket socket = HttpClient.newHttpClient()
			.newWebSocketBuilder()
			.header(PeerSender.TOKEN_HEADER, "s3cret")
			.header(PeerProtocol.HEADER, Integer.toString(PeerProtocol.VERSION))
			.buildAsync(URI.create("ws://127.0.0.1:" + port + "/internal/replicate"), new WebSocket.Listener() {
				@Override
				public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
					closed.complete(statusCode);
					return null;
				}
			})
			.join();
		socket.sendBinary(ByteBuffer.wrap(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 }), true).join();

		assertThat(closed.get(5, TimeUnit.SECONDS)).isEqualTo(1003);
		verify(runtime, never()).deliver(any());
	}

	@Test
	void aClientWithTheWrongTokenIsRefusedAndSeesThePeerAsUnreachable() throws Exception {
		String url = "http://127.0.0.1:" + port;
		SimpleMeterRegistry registry = new SimpleMeterRegistry();

		try (PeerClient client = new PeerClient(List.of(URI.create(url)), "wrong", Duration.ofSeconds(5), registry)) {
			client.send(List.of(new Message.Probe("x", url, url, null, 1)));

			long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
			while (registry.get("kv.peer.requests").tag("outcome", "error").counter().count() == 0) {
				assertThat(System.nanoTime()).as("a refused request within 5 s").isLessThan(deadline);
				Thread.sleep(10);
			}
			assertThat(client.peers().get(0).reachable()).isFalse();
		}
		verify(runtime, never()).deliver(any());
	}

}
