package io.pbkv.config;

import io.pbkv.PbkvApplication;
import io.pbkv.core.HardState;
import io.pbkv.storage.FileMetaStore;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Start-up of a whole node against what its data dir holds. */
class NodeConfigurationTest {

	@TempDir
	Path dataDir;

	/** A node with no kv.peers. */
	private ConfigurableApplicationContext start() {
		return new SpringApplicationBuilder(PbkvApplication.class).run("--kv.node-id=b", "--kv.data-dir=" + dataDir,
				"--server.port=0");
	}

	@Test
	void aPairMemberStartedWithoutPeersRefusesToStart() throws Exception {
		new FileMetaStore(dataDir).save(new HardState("cluster-1", 2, "a", true));

		assertThatThrownBy(this::start).rootCause()
			.isInstanceOf(IllegalStateException.class)
			.hasMessageContaining("cluster cluster-1 has peers, but kv.peers is empty");
		assertThat(new FileMetaStore(dataDir).load()).isEqualTo(new HardState("cluster-1", 2, "a", true));
	}

	/**
	 * A pair's data dir holds no configuration of three voters: started with two peers (as a member of a larger
	 * cluster), no node could ever be elected. It refuses, says how to grow the pair instead, and changes nothing.
	 */
	@Test
	void aPairMemberStartedWithTwoPeersRefusesToStartAndChangesNothing() throws Exception {
		new FileMetaStore(dataDir).save(new HardState("cluster-1", 2, "a", true));

		assertThatThrownBy(() -> new SpringApplicationBuilder(PbkvApplication.class).run("--kv.node-id=b",
				"--kv.data-dir=" + dataDir, "--server.port=0", "--kv.peers=http://127.0.0.1:1,http://127.0.0.1:2"))
			.rootCause()
			.isInstanceOf(PairDataDirException.class)
			.hasMessageContaining("belongs to a pair")
			.hasMessageContaining("kv.peers names 2 peers");
		assertThat(new FileMetaStore(dataDir).load()).isEqualTo(new HardState("cluster-1", 2, "a", true));
		assertThat(new PairDataDirFailureAnalyzer().analyze(new PairDataDirException("x")).getAction())
			.contains("POST /cluster/members");
	}

	@Test
	void aNodeThatWasAlwaysAloneStartsAlone() throws Exception {
		new FileMetaStore(dataDir).save(new HardState("cluster-1", 2, "b"));

		try (ConfigurableApplicationContext context = start()) {
			assertThat(context.isRunning()).isTrue();
		}
	}

}
