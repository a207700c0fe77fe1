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

	@Test
	void aNodeThatWasAlwaysAloneStartsAlone() throws Exception {
		new FileMetaStore(dataDir).save(new HardState("cluster-1", 2, "b"));

		try (ConfigurableApplicationContext context = start()) {
			assertThat(context.isRunning()).isTrue();
		}
	}

}
