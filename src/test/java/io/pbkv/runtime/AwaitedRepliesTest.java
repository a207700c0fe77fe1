package io.pbkv.runtime;

import io.pbkv.core.Outcome;
import io.pbkv.core.Reply;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class AwaitedRepliesTest {

	private static final long SECOND = 1_000_000_000L;

	private final AwaitedReplies replies = new AwaitedReplies(Duration.ofSeconds(2));

	@Test
	void aRequestUnansweredAtItsDeadlineIsAnsweredUnknownForAWriteAndUnavailableForARead() {
		CompletableFuture<Outcome> write = new CompletableFuture<>();
		CompletableFuture<Outcome> read = new CompletableFuture<>();
		replies.add(1, write, true, 0);
		replies.add(2, read, false, SECOND);

		replies.expire(2 * SECOND - 1);
		assertThat(write).isNotDone();

		replies.expire(2 * SECOND);
		assertThat(write.join()).isInstanceOfSatisfying(Outcome.Indeterminate.class,
				unknown -> assertThat(unknown.reason()).isEqualTo("no outcome within 2000 ms"));
		assertThat(read).as("its deadline is a second later").isNotDone();

		replies.expire(3 * SECOND);
		assertThat(read.join()).isInstanceOf(Outcome.Unavailable.class);
	}

	@Test
	void theCoresReplyBeforeTheDeadlineIsTheAnswerAndALateOneReachesNobody() {
		CompletableFuture<Outcome> answered = new CompletableFuture<>();
		CompletableFuture<Outcome> late = new CompletableFuture<>();
		replies.add(1, answered, true, 0);
		replies.add(2, late, true, 0);
		Outcome written = new Outcome.Written("k", 7, 1);

		replies.complete(new Reply(1, written));
		replies.expire(5 * SECOND);
		replies.complete(new Reply(2, written));

		assertThat(answered.join()).isEqualTo(written);
		assertThat(late.join()).isInstanceOf(Outcome.Indeterminate.class);
	}

	@Test
	void whenTheNodeStopsEveryWaitingCallerIsAnswered() {
		CompletableFuture<Outcome> waiting = new CompletableFuture<>();
		replies.add(1, waiting, true, 0);

		replies.failAll(new Outcome.Indeterminate("node stopped"));

		assertThat(waiting.join()).isInstanceOf(Outcome.Indeterminate.class);
	}

}
