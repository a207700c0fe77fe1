package io.pbkv.process;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** Guarantee 2 for a lone node: with fsync=always, kill -9 at any moment loses no acknowledged write. */
@Tag("process")
class LoneNodeKillProcessTest {

	@TempDir
	Path work;

	@Test
	void everyAcknowledgedWriteSurvivesKillNineUnderConcurrentLoad() throws Exception {
		int port = NodeProcess.freePort();
		KvHttp client = new KvHttp(Duration.ofSeconds(5));
		Map<String, String> acknowledged = new ConcurrentHashMap<>();
		for (int round = 0; round < 3; round++) {
			try (NodeProcess node = new NodeProcess("solo", port, work, List.of()).start()) {
				node.awaitReady(Duration.ofSeconds(60));
				assertThat(node.dataDir()).isDirectory();
				AtomicBoolean stop = new AtomicBoolean();
				AtomicInteger sent = new AtomicInteger();
				String r = "r" + round;
				try (ExecutorService writers = Executors.newFixedThreadPool(8)) {
					for (int w = 0; w < 8; w++) {
						int writer = w;
						writers.submit(() -> {
							for (int i = 0; i < 100_000 && !stop.get(); i++) {
								String key = r + "/w" + writer + "/" + i;
								String value = "v-" + key;
								sent.incrementAndGet();
								if (client.put(node.url(), key, value).status() == 200) {
									acknowledged.put(key, value);
								}
							}
						});
					}
					// Bounded: kill once enough writes are in flight, or after 10 s whatever happened.
					long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
					while (acknowledged.size() < 300 * (round + 1) && System.nanoTime() < deadline) {
						Thread.sleep(20);
					}
					node.kill9();
					stop.set(true);
				}
				assertThat(sent.get()).isPositive();
			}
		}
		assertThat(acknowledged).hasSizeGreaterThan(300);
		try (NodeProcess node = new NodeProcess("solo", port, work, List.of()).start()) {
			node.awaitReady(Duration.ofSeconds(60));
			for (Map.Entry<String, String> e : acknowledged.entrySet()) {
				KvHttp.Result read = client.get(node.url(), e.getKey());
				assertThat(read.status()).as("acknowledged key %s", e.getKey()).isEqualTo(200);
				assertThat(read.body()).isEqualTo(e.getValue());
			}
			assertThat(Files.readString(work.resolve("solo/node.log"))).doesNotContain("LogCorrupted");
		}
	}

	@Test
	void aSecondProcessOnTheSameDataDirIsRefused() throws Exception {
		try (NodeProcess first = new NodeProcess("solo", NodeProcess.freePort(), work, List.of()).start()) {
			first.awaitReady(Duration.ofSeconds(60));
			NodeProcess second = new NodeProcess("solo", NodeProcess.freePort(), work, List.of()).start();
			try {
				assertThatExits(second);
				assertThat(second.tail()).contains("is in use by another pbkv process");
			}
			finally {
				second.close();
			}
		}
	}

	private static void assertThatExits(NodeProcess node) throws InterruptedException {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
		while (node.isAlive() && System.nanoTime() < deadline) {
			Thread.sleep(100);
		}
		assertThat(node.isAlive()).as("second node should have refused to start").isFalse();
	}

}
