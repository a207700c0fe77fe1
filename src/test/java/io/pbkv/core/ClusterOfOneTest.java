package io.pbkv.core;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A node runs as a cluster of one only if it always was one: losing kv.peers must not make a lone primary. */
class ClusterOfOneTest {

	private static Node restartedAlone(PairHarness.Member member) {
		return new Node(NodeConfig.lone(member.id, PairHarness.url(member.id), "cluster-new", 1_000_000),
				member.hardState, member.snapshot, List.copyOf(member.disk), member.commit);
	}

	@Test
	void aPairMemberRestartedWithoutPeersRefusesToStart() {
		PairHarness h = new PairHarness("a", "b");
		h.run(2_000);
		assertThat(h.m("b").node.status().eligible()).as("b admitted").isTrue();

		for (String id : List.of("a", "b")) {
			Node alone = restartedAlone(h.m(id));
			assertThatThrownBy(() -> alone.start(h.now)).isInstanceOf(IllegalStateException.class)
				.hasMessageContaining("node " + id)
				.hasMessageContaining("has peers")
				.hasMessageContaining("kv.peers is empty");
			assertThat(alone.status().role()).isEqualTo(Role.BACKUP);
		}
	}

	@Test
	void aNodeThatWasAlwaysAloneKeepsStartingAlone() {
		LoneNodeHarness h = new LoneNodeHarness().start().settle();
		h.propose(LoneNodeHarness.put("k", "v"));
		h.settle();

		h.crashAndRestart().settle();

		assertThat(h.node.status().role()).isEqualTo(Role.PRIMARY);
		assertThat(h.hardState.hasPeers()).isFalse();
	}

	@Test
	void aLoneNodeGivenPeersNeverRunsAloneAgain() {
		LoneNodeHarness lone = new LoneNodeHarness().start().settle();
		PairHarness h = new PairHarness("a", "b");
		h.m("a").hardState = lone.hardState;
		h.m("a").disk.addAll(lone.disk);
		h.m("a").commit = lone.persistedCommit;
		h.restart("a");
		h.run(100);

		assertThat(h.m("a").hardState.hasPeers()).isTrue();
		assertThatThrownBy(() -> restartedAlone(h.m("a")).start(h.now)).isInstanceOf(IllegalStateException.class);
	}

	@Test
	void aNodeThatNeverJoinedAClusterMayStillStartAlone() {
		PairHarness h = new PairHarness("a", "b");
		h.crash("b");
		h.run(2_000);
		assertThat(h.m("a").hardState.clusterId()).as("no peer answered: no cluster").isNull();

		Node alone = restartedAlone(h.m("a"));
		alone.start(h.now);

		assertThat(alone.status().role()).isEqualTo(Role.PRIMARY);
	}

}
