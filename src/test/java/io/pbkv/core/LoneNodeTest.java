package io.pbkv.core;

import java.util.List;

import org.junit.jupiter.api.Test;

import static io.pbkv.core.LoneNodeHarness.put;
import static org.assertj.core.api.Assertions.assertThat;

class LoneNodeTest {

	@Test
	void aNodeWithoutPeersIsPrimaryAtOnceInEpochOne() {
		LoneNodeHarness h = new LoneNodeHarness().start().settle();
		assertThat(h.node.status().role()).isEqualTo(Role.PRIMARY);
		assertThat(h.node.status().epoch()).isEqualTo(1);
		assertThat(h.hardState.epoch()).isEqualTo(1);
		assertThat(h.hardState.clusterId()).isEqualTo("cluster-1");
		assertThat(h.roleChanges).extracting(RoleChange::toString)
			.containsExactly("node a: BACKUP -> PRIMARY at epoch 1 (no peers: a cluster of one)");
	}

	@Test
	void aWriteIsAcknowledgedOnlyAfterItsEntryIsPersisted() {
		LoneNodeHarness h = new LoneNodeHarness().start().settle();
		long id = h.propose(put("color", "blue"));
		Ready rd = h.node.ready();
		assertThat(rd.entries()).hasSize(1);
		assertThat(rd.replies()).isEmpty();
		h.node.advance(rd);
		h.settle();
		assertThat(h.outcome(id)).isEqualTo(new Outcome.Written("color", 2, 1));
	}

	@Test
	void versionsAreLogIndexesAndGrowWithEveryWrite() {
		LoneNodeHarness h = new LoneNodeHarness().start().settle();
		long a = h.propose(put("k", "1"));
		long b = h.propose(put("k", "2"));
		h.settle();
		assertThat(((Outcome.Written) h.outcome(a)).version()).isLessThan(((Outcome.Written) h.outcome(b)).version());
		long r = h.read(new Query.Get("k"));
		h.settle();
		assertThat(h.outcome(r)).isInstanceOfSatisfying(Outcome.Found.class,
				f -> assertThat(new String(f.value().value())).isEqualTo("2"));
	}

	@Test
	void ofTwoConcurrentWritesConditionalOnOneVersionAtMostOneSucceeds() {
		LoneNodeHarness h = new LoneNodeHarness().start().settle();
		long created = h.propose(put("k", "v0"));
		h.settle();
		long version = ((Outcome.Written) h.outcome(created)).version();
		Precondition ifMatch = new Precondition.IfVersion(List.of(version));
		long first = h.propose(put("k", "v1", ifMatch));
		long second = h.propose(put("k", "v2", ifMatch));
		h.settle();
		assertThat(h.outcome(first)).isInstanceOf(Outcome.Written.class);
		assertThat(h.outcome(second)).isEqualTo(new Outcome.PreconditionFailed("k", version + 1));
	}

	@Test
	void aRefusalBasedOnAWriteInFlightWaitsUntilThatWriteCommits() {
		LoneNodeHarness h = new LoneNodeHarness().start().settle();
		h.propose(put("k", "v"));
		long createOnly = h.propose(put("k", "w", Precondition.IF_ABSENT));
		Ready rd = h.node.ready();
		assertThat(rd.replies()).isEmpty();
		h.node.advance(rd);
		h.settle();
		assertThat(h.outcome(createOnly)).isInstanceOf(Outcome.PreconditionFailed.class);
	}

	@Test
	void deleteOfAnAbsentKeyIsNotFoundAndTakesNoLogEntry() {
		LoneNodeHarness h = new LoneNodeHarness().start().settle();
		long last = h.node.status().lastIndex();
		long id = h.propose(new Command.Delete("nope", Precondition.NONE));
		h.settle();
		assertThat(h.outcome(id)).isEqualTo(new Outcome.NotFound("nope"));
		assertThat(h.node.status().lastIndex()).isEqualTo(last);
	}

	@Test
	void deleteWithAStaleIfMatchIsRefusedAndTheKeyStays() {
		LoneNodeHarness h = new LoneNodeHarness().start().settle();
		h.propose(put("k", "v"));
		h.settle();
		long id = h.propose(new Command.Delete("k", new Precondition.IfVersion(List.of(999L))));
		long read = h.read(new Query.Get("k"));
		h.settle();
		assertThat(h.outcome(id)).isInstanceOf(Outcome.PreconditionFailed.class);
		assertThat(h.outcome(read)).isInstanceOf(Outcome.Found.class);
	}

	@Test
	void readsWaitUntilTheNewPrimarysEpochStartIsApplied() {
		LoneNodeHarness h = new LoneNodeHarness().start();
		long read = h.read(new Query.Get("k"));
		Ready first = h.node.ready();
		assertThat(first.replies()).isEmpty();
		h.node.advance(first);
		h.settle();
		assertThat(h.outcome(read)).isEqualTo(new Outcome.NotFound("k"));
	}

	@Test
	void restartStartsANewEpochAndCommitsTheUncommittedTail() {
		LoneNodeHarness h = new LoneNodeHarness().start().settle();
		h.propose(put("a", "1"));
		h.settle();
		h.propose(put("b", "2"));
		h.persistOnly(); // durable, never acknowledged, commit not recorded
		h.crashAndRestart().settle();
		assertThat(h.node.status().epoch()).isEqualTo(2);
		long read = h.read(new Query.List("", true));
		h.settle();
		assertThat(((Outcome.Listing) h.outcome(read)).items()).extracting(Outcome.Listing.Item::key)
			.containsExactly("a", "b");
	}

	@Test
	void aWriteNotPersistedBeforeACrashIsGoneAndWasNeverAcknowledged() {
		LoneNodeHarness h = new LoneNodeHarness().start().settle();
		long id = h.propose(put("a", "1"));
		h.node.ready(); // taken, never persisted: the process dies during the write
		assertThat(h.outcome(id)).isNull();
		h.crashAndRestart().settle();
		long read = h.read(new Query.Get("a"));
		h.settle();
		assertThat(h.outcome(read)).isEqualTo(new Outcome.NotFound("a"));
	}

	@Test
	void listingFiltersByPrefixInKeyOrder() {
		LoneNodeHarness h = new LoneNodeHarness().start().settle();
		for (String k : List.of("users/2", "users/1", "orders/1", "users")) {
			h.propose(put(k, "x"));
		}
		h.settle();
		long read = h.read(new Query.List("users/", false));
		h.settle();
		assertThat(((Outcome.Listing) h.outcome(read)).items()).extracting(Outcome.Listing.Item::key)
			.containsExactly("users/1", "users/2");
	}

	@Test
	void aListingPagesAfterAKeyAndNamesTheNextPagesStart() {
		LoneNodeHarness h = new LoneNodeHarness().start().settle();
		for (String k : List.of("users/3", "users/1", "users/2", "users/4", "v")) {
			h.propose(put(k, "x"));
		}
		h.settle();
		long first = h.read(new Query.List("users/", false, "", 2));
		long rest = h.read(new Query.List("users/", false, "users/2", 2));
		h.settle();
		Outcome.Listing page = (Outcome.Listing) h.outcome(first);
		assertThat(page.items()).extracting(Outcome.Listing.Item::key).containsExactly("users/1", "users/2");
		assertThat(page.next()).isEqualTo("users/2");
		assertThat(page.version()).isEqualTo(h.node.status().appliedIndex());
		Outcome.Listing last = (Outcome.Listing) h.outcome(rest);
		assertThat(last.items()).extracting(Outcome.Listing.Item::key).containsExactly("users/3", "users/4");
		assertThat(last.next()).as("nothing after users/4 under the prefix").isNull();
	}

	@Test
	void snapshotsAreTakenAndTheLogIsCompactedBehindThem() {
		LoneNodeHarness h = new LoneNodeHarness();
		h.snapshotEvery = 10;
		h.start().settle();
		for (int i = 0; i < 35; i++) {
			h.propose(put("k" + (i % 7), "v" + i));
			h.settle();
		}
		assertThat(h.snapshot.lastIndex()).isGreaterThanOrEqualTo(30);
		assertThat(h.node.status().snapshotIndex()).isEqualTo(h.snapshot.lastIndex());
		h.crashAndRestart().settle();
		long read = h.read(new Query.Get("k6"));
		h.settle();
		assertThat(new String(((Outcome.Found) h.outcome(read)).value().value())).isEqualTo("v34");
	}

}
