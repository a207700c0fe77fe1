package io.pbkv.cli;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClusterViewTest {

	@Test
	void readsANodesClusterAnswerAndSkipsWhatItDoesNotKnow() {
		String json = """
				{"nodeId":"a","clusterId":"c-1","role":"PRIMARY","epoch":3,"primaryId":"a",
				 "primaryUrl":"http://localhost:8081","lastIndex":15,"commitIndex":14,"appliedIndex":14,
				 "future":{"nested":[1,{"x":2}]},"keys":3,"eligible":false,
				 "peers":[{"nodeId":"b","url":"http://localhost:8082","reachable":true,"matchIndex":14,
				           "lastContactMillis":301,"inSync":true,"stalled":false},
				          {"nodeId":null,"url":"http://c","reachable":false,"matchIndex":-1,"inSync":false}]}""";
		ClusterView view = ClusterView.parse(json.getBytes(StandardCharsets.UTF_8));
		assertThat(view).isEqualTo(new ClusterView("a", "PRIMARY", 3, "a", "http://localhost:8081", 15, 14,
				List.of(new ClusterView.Peer("b", "http://localhost:8082", true, 14, true),
						new ClusterView.Peer(null, "http://c", false, -1, false))));
		assertThat(view.isPrimary()).isTrue();
	}

	@Test
	void somethingElseIsRefused() {
		assertThatThrownBy(() -> ClusterView.parse("<html>".getBytes(StandardCharsets.UTF_8)))
			.isInstanceOf(RuntimeException.class);
		assertThatThrownBy(() -> ClusterView.parse("[1]".getBytes(StandardCharsets.UTF_8)))
			.isInstanceOf(IllegalArgumentException.class);
	}

}
