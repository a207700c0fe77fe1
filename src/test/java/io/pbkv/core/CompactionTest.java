package io.pbkv.core;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The size rule for snapshots and what the log keeps after compacting, on a lone node. */
class CompactionTest {

	private final List<Snapshot> taken = new ArrayList<>();

	private long now = 1_000;

	private long request;

	private Node start(Compaction compaction) {
		NodeConfig config = new NodeConfig("a", "http://a", List.of(), "cluster-1", 0, 500, 3000, true, false, true,
				512, compaction);
		Node node = new Node(config, HardState.INITIAL, Snapshot.EMPTY, List.of(), 0);
		node.start(now);
		drain(node);
		return node;
	}

	/** Executes Readies as the runtime would, saving each snapshot at once. */
	private void drain(Node node) {
		while (node.hasReady()) {
			Ready rd = node.ready();
			node.advance(rd);
			if (rd.snapshot() != null) {
				taken.add(rd.snapshot());
				node.snapshotSaved(rd.snapshot().lastIndex());
			}
		}
	}

	private void put(Node node, String key, int bytes) {
		node.propose(++now, ++request, new Command.Put(key, new byte[bytes], Precondition.NONE));
		drain(node);
	}

	@Test
	void overwritesSnapshotOnceTheLogHasGrownByTheStatesSizeNotByAnEntryCount() {
		Node node = start(new Compaction(100, 0, 0, 0));
		for (int i = 0; i < 100; i++) {
			put(node, "k" + (i % 10), 1_000);
		}
		// Ten keys of ~1 KB: a snapshot about every ten overwrites, each the size of the log since the last one.
		assertThat(taken).hasSizeBetween(8, 12);
		assertThat(taken.get(taken.size() - 1).data()).hasSize(10);
	}

	@Test
	void belowTheMinimumSizeNoSnapshotIsTaken() {
		Node node = start(new Compaction(100, 1 << 20, 0, 0));
		for (int i = 0; i < 500; i++) {
			put(node, "k" + (i % 10), 1_000);
		}
		assertThat(taken).isEmpty();
		put(node, "big", 600_000);
		assertThat(taken).hasSize(1);
	}

	@Test
	void afterCompactingTheLogKeepsItsLastEntriesWithinTheByteCap() {
		Node node = start(new Compaction(100, 0, 20, 1 << 20));
		for (int i = 0; i < 200; i++) {
			put(node, "k" + (i % 10), 1_000);
		}
		NodeStatus status = node.status();
		assertThat(status.snapshotIndex()).isPositive();
		assertThat(status.lastIndex() - status.snapshotIndex()).isBetween(20L, 40L);

		Node capped = start(new Compaction(100, 0, 20, 5_000));
		for (int i = 0; i < 200; i++) {
			put(capped, "k" + (i % 10), 1_000);
		}
		NodeStatus cappedStatus = capped.status();
		assertThat(cappedStatus.lastIndex() - cappedStatus.snapshotIndex()).isLessThan(20L);
	}

}
