package io.pbkv.cluster;

import io.pbkv.core.Message;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class AckWaitersTest {

	private final AckWaiters waiters = new AckWaiters();

	private static Message.Append append(long sentAt) {
		return new Message.Append("a", TestMessages.A, TestMessages.B, "cluster-1", 2, 8, 2, TestMessages.entries(), 8,
				sentAt, 0, 0);
	}

	private static Message.AppendResult result(long sentAt) {
		return new Message.AppendResult("b", TestMessages.B, TestMessages.A, "cluster-1", 2, true, 10, sentAt, true,
				false);
	}

	@Test
	void aResultOfferedWhileTheRequestWaitsGoesIntoItsResponse() throws Exception {
		List<AckWaiters.Pending> pending = waiters.register(List.of(append(1), append(2)));

		assertThat(waiters.offer(result(2))).isTrue();
		assertThat(waiters.offer(result(1))).isTrue();

		assertThat(waiters.await(pending, 1_000)).containsExactly(result(1), result(2));
		assertThat(waiters.size()).isZero();
	}

	@Test
	void aResultAfterTheRequestGaveUpIsSentOnItsOwn() throws Exception {
		List<AckWaiters.Pending> pending = waiters.register(List.of(append(1)));

		assertThat(waiters.await(pending, 20)).isEmpty();

		assertThat(waiters.offer(result(1))).as("nobody waits: the caller sends it").isFalse();
		assertThat(waiters.size()).isZero();
	}

	@Test
	void onlyResultsToAppendsWithEntriesAreAwaited() throws Exception {
		Message.Append heartbeat = new Message.Append("a", TestMessages.A, TestMessages.B, "cluster-1", 2, 8, 2,
				List.of(), 8, 5, 0, 0);

		assertThat(waiters.register(List.of(heartbeat))).isEmpty();
		assertThat(waiters.offer(result(5))).isFalse();
		assertThat(waiters.offer(result(7))).as("no such append").isFalse();
	}

	@Test
	void aResultRacingTheGiveUpIsInExactlyOnePlace() throws Exception {
		for (int i = 0; i < 2_000; i++) {
			List<AckWaiters.Pending> pending = waiters.register(List.of(append(i)));
			Message.AppendResult r = result(i);
			boolean[] offered = new boolean[1];
			Thread t = Thread.ofPlatform().start(() -> offered[0] = waiters.offer(r));
			List<Message> inResponse = waiters.await(pending, 0);
			t.join();
			assertThat(inResponse.contains(r)).as("round %d: in the response xor sent on its own", i)
				.isEqualTo(offered[0]);
		}
		assertThat(waiters.size()).isZero();
	}

}
