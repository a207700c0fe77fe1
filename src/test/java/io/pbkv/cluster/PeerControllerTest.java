package io.pbkv.cluster;

import io.micrometer.core.instrument.MeterRegistry;
import io.pbkv.core.Message;
import io.pbkv.runtime.NodeRuntime;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.mockito.InOrder;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.ResultActions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/** Guarantee 6 at the peer API: bad input and wrong tokens get a 4xx problem+json and never reach the node. */
@WebMvcTest(controllers = PeerController.class, properties = "kv.cluster.token=s3cret")
@Import(PeerSliceBeans.class)
class PeerControllerTest {

	private static final String PATH = "/internal/replicate";

	@Autowired
	MockMvc mvc;

	@Autowired
	MeterRegistry registry;

	@MockitoBean
	NodeRuntime runtime;

	@Test
	void aValidBatchWithTheRightTokenIsDeliveredInOrder() throws Exception {
		when(runtime.deliver(any())).thenReturn(true);
		when(runtime.status()).thenReturn(TestMessages.atEpoch(2));
		List<Message> messages = TestMessages.everyKind();

		replicate(MessageCodec.encode(messages), "s3cret").andExpect(status().isNoContent());

		InOrder order = inOrder(runtime);
		messages.forEach(m -> order.verify(runtime).deliver(m));
		verify(runtime, times(messages.size())).deliver(any());
	}

	@Autowired
	PeerClient peerClient;

	@Autowired
	AckWaiters ackWaiters;

	/** The node's results to the appends a request carried come back in its response: one round trip, not two. */
	@Test
	void theNodesResultsToTheAppendsComeBackInTheResponse() throws Exception {
		when(runtime.status()).thenReturn(TestMessages.atEpoch(2));
		Message append = new Message.Append("a", TestMessages.A, TestMessages.B, "cluster-1", 2, 8, 2,
				TestMessages.entries(), 8, 1234, 0, 0);
		Message result = new Message.AppendResult("b", TestMessages.B, TestMessages.A, "cluster-1", 2, true, 10, 1234,
				true, false);
		when(runtime.deliver(any())).thenAnswer(invocation -> {
			peerClient.send(List.of(result)); // the node answers, as its loop would a moment later
			return true;
		});

		byte[] body = replicate(MessageCodec.encode(List.of(append)), "s3cret").andExpect(status().isOk())
			.andReturn()
			.getResponse()
			.getContentAsByteArray();

		assertThat(MessageCodec.decode(body)).containsExactly(result);
		assertThat(ackWaiters.size()).as("nothing left waiting").isZero();
	}

	/** A batch in a peer protocol this node does not speak is refused whole, and the answer names this node's. */
	@Test
	void aBatchInAnotherPeerProtocolVersionIsRefusedAndNothingIsDelivered() throws Exception {
		var request = post(PATH).contentType(MessageCodec.MEDIA_TYPE)
			.content(MessageCodec.encode(TestMessages.everyKind()))
			.header(PeerSender.TOKEN_HEADER, "s3cret")
			.header(PeerProtocol.HEADER, "99");

		expectProblem(mvc.perform(request), 400, "peer-protocol-unsupported")
			.andExpect(header().string(PeerProtocol.HEADER, Integer.toString(PeerProtocol.VERSION)));
		verify(runtime, never()).deliver(any());
	}

	@Test
	void everyAnswerNamesThePeerProtocolVersion() throws Exception {
		when(runtime.deliver(any())).thenReturn(true);
		when(runtime.status()).thenReturn(TestMessages.atEpoch(2));

		replicate(MessageCodec.encode(TestMessages.everyKind()), "s3cret").andExpect(status().isNoContent())
			.andExpect(header().string(PeerProtocol.HEADER, Integer.toString(PeerProtocol.VERSION)));
	}

	@Test
	void replicationFromAnOlderEpochIs409ProblemAndTheNodeOnlyAnswersWithItsEpoch() throws Exception {
		when(runtime.deliver(any())).thenReturn(true);
		when(runtime.status()).thenReturn(TestMessages.atEpoch(5));
		Message stale = new Message.Append("a", TestMessages.A, TestMessages.B, "cluster-1", 4, 8, 4, List.of(), 8,
				1234, 0, 0);

		replicate(MessageCodec.encode(List.of(stale)), "s3cret").andExpect(status().isConflict())
			.andExpect(content().contentTypeCompatibleWith("application/problem+json"))
			.andExpect(jsonPath("$.detail").value(org.hamcrest.Matchers.containsString("epoch 5")));
		// Delivered so that the core (which changes nothing for an older epoch) can tell the sender its epoch.
		verify(runtime).deliver(stale);
	}

	@Test
	void garbageIsRefusedWith400AndNeverDelivered() throws Exception {
		expectProblem(replicate("GET / HTTP/1.1\r\n".getBytes(), "s3cret"), 400, "peer-batch-malformed");
		expectProblem(replicate(new byte[0], "s3cret"), 400, "peer-batch-malformed");
		byte[] valid = MessageCodec.encode(TestMessages.everyKind());
		expectProblem(replicate(Arrays.copyOf(valid, valid.length - 1), "s3cret"), 400,
				"peer-batch-malformed");

		verify(runtime, never()).deliver(any());
		assertThat(registry.get("kv.peer.rejected").tag("problem", "peer-batch-malformed").counter().count())
			.isEqualTo(3);
	}

	@Test
	void aMissingTokenIsRefusedWith401AndNeverDelivered() throws Exception {
		expectProblem(replicate(MessageCodec.encode(TestMessages.everyKind()), null), 401, "peer-token-missing");
		expectProblem(replicate(MessageCodec.encode(TestMessages.everyKind()), ""), 401, "peer-token-missing");

		verify(runtime, never()).deliver(any());
	}

	@Test
	void aWrongTokenIsRefusedWith403AndNeverDelivered() throws Exception {
		expectProblem(replicate(MessageCodec.encode(TestMessages.everyKind()), "s3cre"), 403, "peer-token-wrong");
		expectProblem(replicate(MessageCodec.encode(TestMessages.everyKind()), "s3cret!"), 403, "peer-token-wrong");

		verify(runtime, never()).deliver(any());
	}

	/**
	 * Guessing the token is slowed down: past twenty missing or wrong tokens in a minute from one address, that
	 * address gets 429 even with the right token, which is not compared; other addresses are not affected.
	 */
	@Test
	void twentyWrongTokensInAMinuteAndTheAddressIsRefusedWith429() throws Exception {
		byte[] body = MessageCodec.encode(List.of(new Message.Probe("b", TestMessages.B, TestMessages.A, null, 0)));
		for (int i = 0; i < 20; i++) {
			expectProblem(replicateFrom("10.9.9.9", body, "guess-" + i), 403, "peer-token-wrong");
		}
		expectProblem(replicateFrom("10.9.9.9", body, "guess-20"), 429, "peer-token-rate-limited");
		expectProblem(replicateFrom("10.9.9.9", body, "s3cret"), 429, "peer-token-rate-limited");
		verify(runtime, never()).deliver(any());
		when(runtime.deliver(any())).thenReturn(true);
		when(runtime.status()).thenReturn(TestMessages.atEpoch(2));
		replicateFrom("10.9.9.10", body, "s3cret").andExpect(status().is2xxSuccessful());
	}

	private ResultActions replicateFrom(String address, byte[] body, String token) throws Exception {
		return mvc.perform(post(PATH).contentType(MessageCodec.MEDIA_TYPE)
			.header(PeerProtocol.HEADER, Integer.toString(PeerProtocol.VERSION))
			.header(PeerSender.TOKEN_HEADER, token)
			.with(request -> {
				request.setRemoteAddr(address);
				return request;
			})
			.content(body));
	}

	@Test
	void theTokenIsCheckedBeforeTheBody() throws Exception {
		expectProblem(replicate("garbage".getBytes(), "wrong"), 403, "peer-token-wrong");
	}

	@Test
	void aBodyOverTheLimitIsRefusedWith413AndNeverDelivered() throws Exception {
		expectProblem(replicate(new byte[MessageCodec.MAX_BATCH_BYTES + 1], "s3cret"), 413, "peer-batch-too-large");

		verify(runtime, never()).deliver(any());
	}

	@Test
	void aNodeThatRefusesMessagesGets503WithRetryAfter() throws Exception {
		when(runtime.deliver(any())).thenReturn(true, false);
		List<Message> messages = TestMessages.everyKind();

		expectProblem(replicate(MessageCodec.encode(messages), "s3cret"), 503, "node-unavailable")
			.andExpect(header().string("Retry-After", "1"));

		verify(runtime).deliver(messages.get(0));
		verify(runtime).deliver(messages.get(1));
		verify(runtime, never()).deliver(messages.get(2));
	}

	@Test
	void aFailingNodeGets500ProblemNotACrash() throws Exception {
		when(runtime.deliver(any())).thenThrow(new IllegalStateException("boom"));

		expectProblem(replicate(MessageCodec.encode(TestMessages.everyKind()), "s3cret"), 500, "internal-error");
		assertThat(ackWaiters.size()).as("no append left waiting for a result").isZero();
	}

	private ResultActions replicate(byte[] body, String token) throws Exception {
		var request = post(PATH).contentType(MessageCodec.MEDIA_TYPE)
			.header(PeerProtocol.HEADER, Integer.toString(PeerProtocol.VERSION))
			.content(body);
		if (token != null) {
			request.header(PeerSender.TOKEN_HEADER, token);
		}
		return mvc.perform(request);
	}

	private static ResultActions expectProblem(ResultActions result, int status, String problem) throws Exception {
		return result.andExpect(status().is(status))
			.andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
			.andExpect(jsonPath("$.status").value(status))
			.andExpect(jsonPath("$.type").value("urn:pbkv:problem:" + problem))
			.andExpect(jsonPath("$.detail").isNotEmpty());
	}

}
