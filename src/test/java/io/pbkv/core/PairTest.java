package io.pbkv.core;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The pair's main paths, step by step on a perfect network; the randomized simulation is in core.sim. */
class PairTest {

	private PairHarness bootedPair() {
		PairHarness h = new PairHarness("a", "b");
		h.run(2_000);
		assertThat(h.role("a")).isEqualTo(Role.PRIMARY);
		assertThat(h.m("b").node.status().eligible()).as("b admitted").isTrue();
		return h;
	}

	@Test
	void theInitialPrimaryFoundsTheClusterAndAdmitsTheBackup() {
		PairHarness h = bootedPair();
		assertThat(h.m("a").node.status().epoch()).isEqualTo(1);
		assertThat(h.m("b").node.status().clusterId()).isEqualTo(h.m("a").node.status().clusterId());
		assertThat(h.m("a").node.status().peers().get(0).inSync()).isTrue();
	}

	@Test
	void aWriteIsAcknowledgedOnlyOnceTheBackupHasIt() {
		PairHarness h = bootedPair();
		long id = h.put("a", "k", "v");
		assertThat(h.outcomes.get(id)).isNull();
		h.deliver();
		h.run(100);
		assertThat(h.outcomes.get(id)).isInstanceOf(Outcome.Written.class);
		assertThat(h.m("b").disk).anyMatch(e -> e.command() instanceof Command.Put p && p.key().equals("k"));
	}

	/**
	 * A new entry goes to the backup in the very Ready that persists it, among the messages that may leave before
	 * the primary's fsync, so that both disks work at once. A Ready that changes the epoch sends nothing early.
	 */
	@Test
	void theAppendOfANewEntryMayLeaveBeforeThePrimarysOwnFsync() {
		PairHarness h = bootedPair();
		Node a = h.m("a").node;
		a.propose(h.now, 99, new Command.Put("k", "v".getBytes(), Precondition.NONE));

		Ready rd = a.ready();

		assertThat(rd.entries()).hasSize(1);
		assertThat(rd.messagesBeforeSync()).singleElement()
			.isInstanceOfSatisfying(Message.Append.class,
					m -> assertThat(m.entries()).containsExactlyElementsOf(rd.entries()));
		assertThat(rd.messagesAfterSync()).doesNotContainAnyElementsOf(rd.messagesBeforeSync());
		Ready withEpoch = new Ready(new HardState("c", 2, "a", true), null, 0, rd.entries(), 0, null, null, rd.messages(),
				List.of(), List.of(), List.of(), List.of());
		assertThat(withEpoch.messagesBeforeSync()).isEmpty();
		assertThat(withEpoch.messagesAfterSync()).isEqualTo(rd.messages());
	}

	@Test
	void backupPromotesAfterHeartbeatsLapseAndHasEveryAcknowledgedWrite() {
		PairHarness h = bootedPair();
		long id = h.put("a", "k", "v");
		h.run(200);
		assertThat(h.outcomes.get(id)).isInstanceOf(Outcome.Written.class);
		h.crash("a");
		h.run(2_400); // b last heard a heartbeat at most one interval before the crash
		assertThat(h.role("b")).isEqualTo(Role.BACKUP);
		h.run(1_200);
		assertThat(h.role("b")).isEqualTo(Role.PRIMARY);
		assertThat(h.m("b").node.status().epoch()).isEqualTo(2);
		long read = h.get("b", "k");
		h.run(200);
		assertThat(h.valueOf(read)).isEqualTo("v");
	}

	@Test
	void aFormerPrimaryRejoinsAsBackupAndCatchesUp() {
		PairHarness h = bootedPair();
		h.crash("a");
		h.run(4_000);
		h.put("b", "after", "1");
		h.run(200);
		h.restart("a");
		h.run(3_000);
		assertThat(h.role("a")).isEqualTo(Role.BACKUP);
		assertThat(h.m("a").node.status().eligible()).isTrue();
		assertThat(h.m("a").node.status().commitIndex()).isEqualTo(h.m("b").node.status().commitIndex());
	}

	@Test
	void aBackupPausedPastTheDropThresholdMayNotPromote() {
		PairHarness h = bootedPair();
		h.pause("b");
		h.run(4_000);
		long alone = h.put("a", "alone", "1");
		h.run(300);
		assertThat(h.outcomes.get(alone)).as("primary dropped b and went on alone").isInstanceOf(Outcome.Written.class);
		h.crash("a");
		h.resume("b");
		h.run(10_000);
		assertThat(h.role("b")).as("b lacks an acknowledged write").isEqualTo(Role.BACKUP);
		h.restart("a");
		h.run(10_000);
		String primary = h.role("a") == Role.PRIMARY ? "a" : "b";
		long read = h.get(primary, "alone");
		h.run(300);
		assertThat(h.valueOf(read)).isEqualTo("1");
	}

	@Test
	void aPausedPrimaryNeverServesAStaleReadAfterTheBackupTookOver() {
		PairHarness h = bootedPair();
		h.put("a", "k", "old");
		h.run(300);
		h.pause("a");
		h.run(4_000);
		assertThat(h.role("b")).isEqualTo(Role.PRIMARY);
		h.put("b", "k", "new");
		h.run(300);
		long staleRead = h.get("a", "k");
		long staleWrite = h.put("a", "k", "past");
		h.resume("a");
		h.run(1_000);
		assertThat(h.valueOf(staleRead)).isNotEqualTo("old");
		assertThat(h.outcomes.get(staleWrite)).isNotInstanceOf(Outcome.Written.class);
		assertThat(h.role("a")).isEqualTo(Role.BACKUP);
	}

	@Test
	void aFullRestartElectsANodeWithEveryAcknowledgedWrite() {
		PairHarness h = bootedPair();
		long id = h.put("a", "k", "v");
		h.run(300);
		assertThat(h.outcomes.get(id)).isInstanceOf(Outcome.Written.class);
		h.crash("a");
		h.crash("b");
		h.restart("b");
		h.restart("a");
		h.run(8_000);
		String primary = h.role("a") == Role.PRIMARY ? "a" : "b";
		assertThat(h.role(primary.equals("a") ? "b" : "a")).isEqualTo(Role.BACKUP);
		long read = h.get(primary, "k");
		h.run(300);
		assertThat(h.valueOf(read)).isEqualTo("v");
	}

	@Test
	void replicationFromAnOlderEpochIsRefusedAndChangesNothing() {
		PairHarness h = bootedPair();
		h.crash("a");
		h.run(4_000);
		assertThat(h.m("b").node.status().epoch()).isEqualTo(2);
		NodeStatus before = h.m("b").node.status();
		HardState hardState = h.m("b").hardState;
		Message.Append stale = new Message.Append("a", PairHarness.url("a"), PairHarness.url("b"),
				before.clusterId(), 1, before.lastIndex(), 1,
				List.of(new LogEntry(before.lastIndex() + 1, 1, new Command.Put("k", "old".getBytes(),
						Precondition.NONE))),
				before.commitIndex() + 1, h.now, 0, 0);
		h.m("b").node.step(h.now, stale);
		Ready rd = h.m("b").node.ready();
		assertThat(rd.entries()).isEmpty();
		assertThat(rd.hardState()).isNull();
		assertThat(rd.messages()).singleElement().isInstanceOfSatisfying(Message.AppendResult.class, r -> {
			assertThat(r.success()).isFalse();
			assertThat(r.epoch()).isEqualTo(2);
		});
		h.m("b").node.advance(rd);
		assertThat(h.m("b").node.status().lastIndex()).isEqualTo(before.lastIndex());
		assertThat(h.m("b").hardState).isEqualTo(hardState);
		assertThat(h.role("b")).isEqualTo(Role.PRIMARY);
	}

	@Test
	void anEmptyNodeNeverFoundsAClusterBesideOneWithData() {
		PairHarness h = bootedPair();
		h.put("a", "k", "v");
		h.run(300);
		h.crash("a");
		h.run(4_000);
		assertThat(h.role("b")).isEqualTo(Role.PRIMARY);
		// a lost its disk: empty data dir, initial-role primary
		h.m("a").hardState = HardState.INITIAL;
		h.m("a").disk.clear();
		h.m("a").commit = 0;
		h.restart("a");
		h.run(3_000);
		assertThat(h.role("a")).isEqualTo(Role.BACKUP);
		assertThat(h.role("b")).isEqualTo(Role.PRIMARY);
		assertThat(h.m("a").node.status().commitIndex()).isEqualTo(h.m("b").node.status().commitIndex());
	}

}
