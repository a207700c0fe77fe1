package io.pbkv.core;

import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A data dir restored from a downloaded snapshot holds the snapshot and nothing else: no cluster id, epoch 0. The
 * node founds a new cluster on it, in an epoch after every epoch of the snapshot's history, and keeps the data.
 */
class RestoredSnapshotTest {

	/** The state at index 300 of a cluster that had reached epoch 3. */
	private static Snapshot downloaded() {
		TreeMap<String, VersionedValue> data = new TreeMap<>();
		data.put("k1", new VersionedValue("one".getBytes(), 17));
		data.put("k2", new VersionedValue("two".getBytes(), 299));
		return new Snapshot(300, 3, data, new TreeMap<>(Map.of(1L, 1L, 120L, 2L, 250L, 3L)));
	}

	@Test
	void aLoneNodeLeadsInTheEpochAfterTheSnapshotsAndServesItsData() {
		LoneNodeHarness h = new LoneNodeHarness();
		h.snapshot = downloaded();
		h.persistedCommit = 300;
		h.start().settle();

		assertThat(h.node.status().role()).isEqualTo(Role.PRIMARY);
		assertThat(h.node.status().epoch()).isEqualTo(4);
		assertThat(h.hardState.clusterId()).as("a new cluster").isEqualTo("cluster-1");
		assertThat(h.hardState.epoch()).isEqualTo(4);

		long read = h.read(new Query.Get("k2"));
		long write = h.propose(LoneNodeHarness.put("k3", "three"));
		h.settle();

		assertThat(h.outcome(read)).isInstanceOfSatisfying(Outcome.Found.class, found -> {
			assertThat(found.value().value()).isEqualTo("two".getBytes());
			assertThat(found.value().version()).isEqualTo(299);
		});
		assertThat(h.outcome(write)).isInstanceOfSatisfying(Outcome.Written.class, written -> {
			assertThat(written.version()).isGreaterThan(300);
			assertThat(written.epoch()).isEqualTo(4);
		});
	}

	@Test
	void aRestartKeepsTheRestoredDataAndTheNewCluster() {
		LoneNodeHarness h = new LoneNodeHarness();
		h.snapshot = downloaded();
		h.persistedCommit = 300;
		h.start().settle();
		h.propose(LoneNodeHarness.put("k3", "three"));
		h.settle();

		h.crashAndRestart().settle();

		assertThat(h.node.status().role()).isEqualTo(Role.PRIMARY);
		assertThat(h.node.status().epoch()).isEqualTo(5);
		long k1 = h.read(new Query.Get("k1"));
		long k3 = h.read(new Query.Get("k3"));
		h.settle();
		assertThat(h.outcome(k1)).isInstanceOf(Outcome.Found.class);
		assertThat(h.outcome(k3)).isInstanceOf(Outcome.Found.class);
	}

	@Test
	void aPairMemberFoundsTheClusterWithAnEmptyPeerInTheEpochAfterTheSnapshots() {
		PairHarness h = new PairHarness("a", "b");
		h.crash("a");
		h.m("a").snapshot = downloaded();
		h.m("a").commit = 300;
		h.restart("a");
		h.run(2_000);

		assertThat(h.role("a")).isEqualTo(Role.PRIMARY);
		assertThat(h.m("a").node.status().epoch()).isEqualTo(4);
		assertThat(h.m("a").hardState.clusterId()).isEqualTo("cluster-a");
		assertThat(h.m("b").hardState.clusterId()).as("b joined a's new cluster").isEqualTo("cluster-a");
		long read = h.get("a", "k1");
		h.run(500);
		assertThat(h.valueOf(read)).isEqualTo("one");
	}

}
