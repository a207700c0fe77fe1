package io.pbkv.cluster;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pbkv.core.Message;
import io.pbkv.runtime.NodeRuntime;

import java.io.IOException;
import java.net.URI;
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
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.timeout;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

/** PeerClient and PeerController agree over real HTTP (Tomcat): token, content type, batch, order. */
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
		}
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
