package io.pbkv.process;

import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Polls /cluster of every node every 100 ms and records each change of role, epoch or primary, with when it
 * was seen; also which nodes said they were PRIMARY in which epoch.
 */
final class ClusterWatch implements AutoCloseable {

	private static final ObjectMapper JSON = new ObjectMapper();

	private final KvHttp poll = new KvHttp(Duration.ofMillis(800));

	private final Queue<String> changes = new ConcurrentLinkedQueue<>();

	private final Map<Long, Set<String>> primaries = new ConcurrentHashMap<>();

	private final AtomicBoolean stop = new AtomicBoolean();

	private final List<Thread> threads = new ArrayList<>();

	ClusterWatch(List<NodeProcess> nodes) {
		for (NodeProcess node : nodes) {
			threads.add(Thread.ofPlatform().daemon().name("watch-" + node.nodeId()).start(() -> {
				String last = null;
				while (!stop.get()) {
					KvHttp.Result r = poll.send(HttpRequest.newBuilder(URI.create(node.url() + "/cluster")).GET());
					String now;
					if (r.status() == 200) {
						JsonNode v = JSON.readTree(r.body());
						now = v.get("role").asString() + " epoch " + v.get("epoch") + " primary "
								+ v.get("primaryId") + " inSync " + v.get("inSync");
						if ("PRIMARY".equals(v.get("role").asString())) {
							primaries.computeIfAbsent(v.get("epoch").asLong(),
									e -> ConcurrentHashMap.newKeySet())
								.add(node.nodeId());
						}
					}
					else {
						now = "no answer (" + r.status() + ")";
					}
					if (!Objects.equals(now, last)) {
						String change = String.format("[%6d ms] %s: %s", NamespacedCluster.sinceMs(NamespacedCluster.T0), node.nodeId(), now);
						changes.add(change);
						System.out.println(change);
						last = now;
					}
					try {
						Thread.sleep(100);
					}
					catch (InterruptedException ex) {
						return;
					}
				}
			}));
		}
	}

	List<String> changes() {
		return List.copyOf(changes);
	}

	Map<Long, Set<String>> primariesPerEpoch() {
		return new TreeMap<>(primaries);
	}

	@Override
	public void close() throws InterruptedException {
		stop.set(true);
		for (Thread t : threads) {
			t.interrupt();
			t.join(Duration.ofSeconds(5));
		}
	}

}
