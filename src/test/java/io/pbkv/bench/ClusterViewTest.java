package io.pbkv.bench;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ClusterViewTest {

	private static final String PRIMARY = """
			{"nodeId":"a","clusterId":"c-1","role":"PRIMARY","epoch":2,"primaryId":"a",\
			"primaryUrl":"http://127.0.0.1:8081","lastIndex":12,"commitIndex":12,"appliedIndex":12,\
			"snapshotIndex":0,"keys":3,"eligible":true,"peers":[{"nodeId":"b","url":"http://127.0.0.1:8082",\
			"reachable":true,"matchIndex":12,"lastContactMillis":40,"inSync":%s}]}""";

	@Test
	void readsRoleEligibilityAndPeersInSync() {
		ClusterView view = ClusterView.parse(PRIMARY.formatted("true")).orElseThrow();

		assertThat(view.role()).isEqualTo("PRIMARY");
		assertThat(view.eligible()).isTrue();
		assertThat(view.peersInSync()).containsExactly(true);
		assertThat(view.isPrimaryWithBackupInSync()).isTrue();
	}

	@Test
	void aBackupHasCaughtUpWhenInSyncWithTheMatchIndexAtThePrimarysLastIndex() {
		ClusterView caughtUp = ClusterView.parse(PRIMARY.formatted("true")).orElseThrow();
		String lagging = PRIMARY.formatted("true").replace("\"matchIndex\":12", "\"matchIndex\":11");
		ClusterView behind = ClusterView.parse(lagging).orElseThrow();

		assertThat(caughtUp.lastIndex()).isEqualTo(12);
		assertThat(caughtUp.peersMatchIndex()).containsExactly(12L);
		assertThat(caughtUp.isPrimaryWithBackupCaughtUp()).isTrue();
		assertThat(behind.isPrimaryWithBackupInSync()).isTrue();
		assertThat(behind.isPrimaryWithBackupCaughtUp()).isFalse();
		assertThat(ClusterView.parse(PRIMARY.formatted("false")).orElseThrow().isPrimaryWithBackupCaughtUp()).isFalse();
	}

	@Test
	void aPrimaryWhoseBackupIsNotInSyncIsNotReady() {
		ClusterView view = ClusterView.parse(PRIMARY.formatted("false")).orElseThrow();

		assertThat(view.isPrimary()).isTrue();
		assertThat(view.isPrimaryWithBackupInSync()).isFalse();
	}

	@Test
	void toleratesWhitespaceAndOtherFieldOrder() {
		String json = """
				{ "peers" : [ { "inSync" : false, "nodeId" : "a" } ], "eligible" : false,
				  "role" : "BACKUP", "nodeId" : "b" }""";

		ClusterView view = ClusterView.parse(json).orElseThrow();

		assertThat(view).isEqualTo(new ClusterView("BACKUP", false, -1, List.of(false), List.of()));
		assertThat(view.isPrimaryWithBackupInSync()).isFalse();
	}

	@Test
	void aPrimaryWithoutPeersHasNoBackupInSync() {
		ClusterView view = ClusterView.parse("{\"role\":\"PRIMARY\",\"eligible\":true,\"peers\":[]}").orElseThrow();

		assertThat(view.peersInSync()).isEmpty();
		assertThat(view.isPrimaryWithBackupInSync()).isFalse();
	}

	@Test
	void anythingWithoutARoleIsNoView() {
		assertThat(ClusterView.parse("")).isEmpty();
		assertThat(ClusterView.parse("{\"type\":\"urn:pbkv:problem:unavailable\",\"status\":503}")).isEmpty();
	}

}
