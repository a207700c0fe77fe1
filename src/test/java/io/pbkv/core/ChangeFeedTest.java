package io.pbkv.core;

import java.util.List;

import org.junit.jupiter.api.Test;

import static io.pbkv.core.LoneNodeHarness.put;
import static org.assertj.core.api.Assertions.assertThat;

class ChangeFeedTest {

	private static Outcome page(LoneNodeHarness h, String prefix, long after, int limit) {
		long id = h.read(new Query.Changes(prefix, after, limit));
		h.settle();
		return h.outcome(id);
	}

	private static List<String> described(Outcome outcome) {
		return ((Outcome.Changes) outcome).items()
			.stream()
			.map(c -> c.version() + " " + c.key() + (c.deleted() ? " deleted" : "=" + new String(c.value())))
			.toList();
	}

	@Test
	void aWatchPageHoldsTheCommittedPutsAndDeletesUnderThePrefixInCommitOrder() {
		LoneNodeHarness h = new LoneNodeHarness().start().settle();
		h.propose(put("app/a", "1"));
		h.propose(put("other", "x"));
		h.propose(put("app/b", "2"));
		h.propose(new Command.Delete("app/a", Precondition.NONE));
		h.settle();
		Outcome all = page(h, "app/", 0, 100);
		assertThat(described(all)).containsExactly("2 app/a=1", "4 app/b=2", "5 app/a deleted");
		assertThat(((Outcome.Changes) all).through()).isEqualTo(h.node.status().appliedIndex());
		assertThat(described(page(h, "app/", 2, 100))).as("after a version: only what came later")
			.containsExactly("4 app/b=2", "5 app/a deleted");
	}

	@Test
	void aFullPageEndsAtItsLastChangeSoTheNextPageMissesNothing() {
		LoneNodeHarness h = new LoneNodeHarness().start().settle();
		for (int i = 0; i < 5; i++) {
			h.propose(put("k" + i, "v"));
		}
		h.settle();
		Outcome.Changes first = (Outcome.Changes) page(h, "", 0, 2);
		assertThat(described(first)).containsExactly("2 k0=v", "3 k1=v");
		assertThat(first.through()).isEqualTo(3);
		assertThat(described(page(h, "", first.through(), 10))).containsExactly("4 k2=v", "5 k3=v", "6 k4=v");
	}

	@Test
	void aPageFromTheFutureIsEmptyAndStaysWhereItWas() {
		LoneNodeHarness h = new LoneNodeHarness().start().settle();
		h.propose(put("k", "v"));
		h.settle();
		Outcome.Changes page = (Outcome.Changes) page(h, "", 50, 10);
		assertThat(page.items()).isEmpty();
		assertThat(page.through()).isEqualTo(50);
	}

	@Test
	void versionsTheLogNoLongerHoldsAreCompactedAndTheAnswerNamesTheOldestItCanServe() {
		LoneNodeHarness h = new LoneNodeHarness();
		h.snapshotEvery = 10;
		h.start().settle();
		for (int i = 0; i < 35; i++) {
			h.propose(put("k" + i, "v"));
			h.settle();
		}
		long oldest = h.node.status().snapshotIndex();
		assertThat(oldest).isPositive();
		assertThat(page(h, "", oldest - 1, 10)).isEqualTo(new Outcome.Compacted(oldest));
		assertThat(page(h, "", oldest, 10)).isInstanceOf(Outcome.Changes.class);
	}

}
