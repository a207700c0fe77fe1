package io.pbkv.config;

import io.pbkv.core.Compaction;
import io.pbkv.core.HardState;
import io.pbkv.core.Node;
import io.pbkv.core.NodeConfig;
import io.pbkv.runtime.LogStore;
import io.pbkv.runtime.SnapshotSource;
import io.pbkv.runtime.MonotonicClock;
import io.pbkv.runtime.NodeRuntime;
import io.pbkv.runtime.RuntimeListener;
import io.pbkv.runtime.Transport;
import io.pbkv.storage.DiscardedEntriesFile;
import io.pbkv.storage.DataDirLock;
import io.pbkv.storage.FileLogStore;
import io.pbkv.storage.SnapshotPreload;
import io.pbkv.storage.FileMetaStore;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The one place where the node is assembled: storage, core and the loop that runs it. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(KvProperties.class)
class NodeConfiguration {

	private static final Logger log = LoggerFactory.getLogger(NodeConfiguration.class);

	@Bean(destroyMethod = "close")
	DataDirLock dataDirLock(KvProperties properties) throws IOException {
		return DataDirLock.acquire(properties.resolvedDataDir());
	}

	@Bean(destroyMethod = "close")
	NodeRuntime nodeRuntime(KvProperties properties, DataDirLock lock, RuntimeListener listener,
			ObjectProvider<Transport> transport, ObjectProvider<SnapshotSource> snapshotSource,
			ObjectProvider<SnapshotPreload> preload) throws IOException {
		Path dataDir = properties.resolvedDataDir();
		String nodeId = properties.resolvedNodeId();
		if (properties.cluster().open()) {
			log.warn("kv.cluster.token is unset: the peer API is open to anyone who can reach port {}",
					properties.advertisedUrl().getPort());
		}
		FileMetaStore metaStore = new FileMetaStore(dataDir);
		HardState hardState = metaStore.load();
		if (hardState.clusterId() != null && hardState.hasPeers() && hardState.config() == null
				&& properties.peers().size() >= 2
				&& properties.role() != KvProperties.NodeRole.WITNESS) {
			// Majority rules need the configuration of voters the cluster agreed on, which this data dir never got:
			// started this way, no node could ever be elected.
			throw new PairDataDirException("data dir " + dataDir.toAbsolutePath() + " belongs to a pair (it holds no "
					+ "configuration of three or more voters), but kv.peers names " + properties.peers().size()
					+ " peers");
		}
		if (hardState.incarnation() == null && (properties.peers().size() >= 2
				|| properties.role() == KvProperties.NodeRole.WITNESS)) {
			// Named once, when the data dir is new to a cluster of three or more voters: a voter that comes back
			// with another name lost its data dir. (A pair's meta file stays as older releases wrote it.)
			hardState = hardState.withIncarnation(UUID.randomUUID().toString());
			metaStore.save(hardState);
		}
		boolean fsync = properties.storage().fsync() == KvProperties.FsyncPolicy.ALWAYS;
		FileLogStore logStore = new FileLogStore(dataDir, fsync, preload.getIfAvailable(SnapshotPreload::none));
		LogStore.Recovered recovered = logStore.open();
		log.info("node {}: data dir {} holds epoch {}, snapshot at {}, {} log entries, commit index {}", nodeId,
				dataDir.toAbsolutePath(), hardState.epoch(), recovered.snapshot().lastIndex(),
				recovered.entries().size(), recovered.commitIndex());
		Node node = new Node(nodeConfig(properties), hardState, recovered.snapshot(), recovered.entries(),
				recovered.commitIndex());
		NodeRuntime runtime = new NodeRuntime(node, logStore, metaStore, new DiscardedEntriesFile(dataDir),
				transport.getIfAvailable(() -> Transport.NONE),
				snapshotSource.getIfAvailable(() -> SnapshotSource.NONE), MonotonicClock.SYSTEM, listener,
				tickInterval(properties), properties.limits().queueCapacity(), properties.limits().requestTimeout());
		runtime.start();
		return runtime;
	}

	static NodeConfig nodeConfig(KvProperties properties) {
		return new NodeConfig(properties.resolvedNodeId(), properties.advertisedUrl().toString(),
				properties.peers().stream().map(URI::toString).toList(), UUID.randomUUID().toString(),
				properties.storage().snapshotEvery(), properties.heartbeat().interval().toMillis(),
				properties.heartbeat().timeout().toMillis(),
				properties.replication().mode() == KvProperties.ReplicationMode.SYNC,
				properties.replication().backupRequired(),
				properties.initialRole() == KvProperties.InitialRole.PRIMARY, 512, compaction(properties.storage()),
				Math.max(properties.replication().minInSync(), properties.replication().backupRequired() ? 1 : 0),
				properties.role() == KvProperties.NodeRole.WITNESS);
	}

	static Compaction compaction(KvProperties.Storage storage) {
		return new Compaction(storage.compactPercentage(), storage.compactMinSize().toBytes(), storage.retainEntries(),
				storage.retainSize().toBytes());
	}

	/** The loop wakes at least this often to tick the core: a fifth of the heartbeat interval, at most 100 ms. */
	private static Duration tickInterval(KvProperties properties) {
		Duration fifth = properties.heartbeat().interval().dividedBy(5);
		return fifth.compareTo(Duration.ofMillis(100)) < 0 ? fifth : Duration.ofMillis(100);
	}

}
