package io.pbkv.process;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two data nodes and a witness as real processes on 127.0.0.1: the smallest cluster in which a majority of voters
 * decides who is primary and what the in-sync set is.
 */
@Tag("process")
class QuorumProcessTest {

	@TempDir
	Path work;

	private final KvHttp http = new KvHttp(Duration.ofSeconds(10));

	private final ObjectMapper json = new ObjectMapper();

	private NodeProcess a;

	private NodeProcess b;

	private NodeProcess w;

	private NodeProcess d;

	private void startCluster() throws Exception {
		int portA = NodeProcess.freePort();
		int portB = NodeProcess.freePort();
		int portW = NodeProcess.freePort();
		String urlA = "http://127.0.0.1:" + portA;
		String urlB = "http://127.0.0.1:" + portB;
		String urlW = "http://127.0.0.1:" + portW;
		a = new NodeProcess("a", portA, work, Pair.args(urlB + "," + urlW, "primary", Duration.ofMillis(300), Pair.TIMEOUT));
		b = new NodeProcess("b", portB, work, Pair.args(urlA + "," + urlW, "backup", Duration.ofMillis(300), Pair.TIMEOUT));
		w = new NodeProcess("w", portW, work, Pair.args(urlA + "," + urlB, "backup", Duration.ofMillis(300), Pair.TIMEOUT,
				"--kv.role=witness"));
		for (NodeProcess n : List.of(a, b, w)) {
			n.start();
		}
		for (NodeProcess n : List.of(a, b, w)) {
			n.awaitReady(Duration.ofSeconds(90));
		}
		awaitInSync(a, b);
	}

	@AfterEach
	void stop() throws InterruptedException {
		for (NodeProcess n : new NodeProcess[] { a, b, w, d }) {
			if (n != null) {
				n.close();
			}
		}
	}

	private JsonNode cluster(NodeProcess node) {
		KvHttp.Result r = http.send(HttpRequest.newBuilder(URI.create(node.url() + "/cluster")).GET());
		return r.status() == 200 ? json.readTree(r.body()) : null;
	}

	private String role(NodeProcess node) {
		JsonNode c = cluster(node);
		return c == null ? null : c.get("role").asString();
	}

	/** {@code primary} leads and holds {@code backup} in an in-sync configuration a majority has accepted. */
	private void awaitInSync(NodeProcess primary, NodeProcess backup) throws InterruptedException {
		Pair.await(backup.nodeId() + " in sync with " + primary.nodeId() + " and eligible", Duration.ofSeconds(60), () -> {
			JsonNode bc = cluster(backup);
			return "PRIMARY".equals(role(primary)) && bc != null && bc.get("eligible").asBoolean();
		});
	}

	@Test
	void theWitnessVotesHoldsNoValuesAndSendsClientsToThePrimary() throws Exception {
		startCluster();
		assertThat(http.put(a.url(), "color", "blue").status()).isEqualTo(200);
		JsonNode witness = cluster(w);
		assertThat(witness.get("role").asString()).isEqualTo("WITNESS");
		assertThat(witness.get("primaryId").asString()).isEqualTo("a");
		assertThat(witness.get("inSync").get("members").toString()).contains("\"a\"", "\"b\"");
		assertThat(witness.get("keys").asInt()).isZero();

		var answer = http.send(HttpRequest.newBuilder(URI.create(w.url() + "/kv/color")).GET());
		assertThat(answer.status()).isEqualTo(503);
		assertThat(answer.body()).contains("witness", "\"primaryUrl\":\"" + a.url() + "\"");
		var write = http.send(HttpRequest.newBuilder(URI.create(w.url() + "/kv/color"))
			.PUT(HttpRequest.BodyPublishers.ofString("red")));
		assertThat(write.status()).isEqualTo(503);
		assertThat(http.get(a.url(), "color").body()).isEqualTo("blue");
	}

	@Test
	void killNineOfThePrimaryUnderLoadElectsTheBackupWithTheWitnessVoteAndLosesNothing() throws Exception {
		startCluster();
		Map<String, String> acked = new ConcurrentHashMap<>();
		AtomicBoolean stop = new AtomicBoolean();
		try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
			for (int t = 0; t < 4; t++) {
				int writer = t;
				NodeProcess via = t % 2 == 0 ? a : b;
				pool.submit(() -> {
					for (int i = 0; i < 100_000 && !stop.get(); i++) {
						String key = "k/" + writer + "/" + i;
						if (http.put(via.url(), key, "v" + i).status() == 200) {
							acked.put(key, "v" + i);
						}
					}
				});
			}
			Pair.await("acknowledged writes", Duration.ofSeconds(20), () -> acked.size() >= 200);
			a.kill9();
			Pair.await("b to become primary", Duration.ofSeconds(30), () -> "PRIMARY".equals(role(b)));
			Pair.await("a write on b", Duration.ofSeconds(30), () -> http.put(b.url(), "probe", "x").status() == 200);
			stop.set(true);
		}
		assertThat(cluster(b).get("epoch").asLong()).isGreaterThan(1);
		for (Map.Entry<String, String> e : acked.entrySet()) {
			assertThat(http.get(b.url(), e.getKey()).body()).as(e.getKey()).isEqualTo(e.getValue());
		}
		a.start().awaitReady(Duration.ofSeconds(90));
		awaitInSync(b, a);
		assertThat(role(a)).isEqualTo("BACKUP");
	}

	/**
	 * Membership at runtime, while clients write: a new data node started knowing only one member's URL is added
	 * with one call, catches up and joins the in-sync set; the witness is removed with another; the new node then
	 * takes part in a failover, and no acknowledged write is lost.
	 */
	@Test
	void aDataNodeIsAddedAndTheWitnessRemovedWhileClientsWrite() throws Exception {
		startCluster();
		int portD = NodeProcess.freePort();
		String urlD = "http://127.0.0.1:" + portD;
		d = new NodeProcess("d", portD, work, Pair.args(a.url(), "backup", Duration.ofMillis(300), Pair.TIMEOUT));
		d.start().awaitLive(Duration.ofSeconds(90));
		Map<String, String> acked = new ConcurrentHashMap<>();
		AtomicBoolean stop = new AtomicBoolean();
		try (ExecutorService pool = Executors.newFixedThreadPool(2)) {
			writeThroughTheDataNodes(pool, "m/", acked, stop);
			Pair.await("acknowledged writes", Duration.ofSeconds(20), () -> acked.size() >= 100);

			KvHttp.Result added = member(HttpRequest.newBuilder(URI.create(a.url() + "/cluster/members"))
				.header("Content-Type", "application/json")
				.POST(HttpRequest.BodyPublishers.ofString("{\"nodeId\":\"d\",\"url\":\"" + urlD + "\",\"role\":\"data\"}")));
			assertThat(added.status()).as(added.body()).isEqualTo(200);
			assertThat(added.body()).contains(urlD);
			Pair.await("d in sync", Duration.ofSeconds(60), () -> {
				JsonNode c = cluster(a);
				return c != null && c.get("inSync").get("members").toString().contains("\"d\"");
			});

			KvHttp.Result again = member(HttpRequest.newBuilder(URI.create(a.url() + "/cluster/members"))
				.header("Content-Type", "application/json")
				.POST(HttpRequest.BodyPublishers.ofString("{\"nodeId\":\"d\",\"url\":\"" + urlD + "\",\"role\":\"data\"}")));
			assertThat(again.status()).as("adding a voter twice").isEqualTo(409);

			// d's admission to the in-sync set is a change of its own; the next waits until a majority holds it (409).
			KvHttp.Result[] removal = new KvHttp.Result[1];
			Pair.await("the witness removed", Duration.ofSeconds(10), () -> (removal[0] = member(
					HttpRequest.newBuilder(URI.create(a.url() + "/cluster/members/w")).DELETE())).status() != 409);
			KvHttp.Result removed = removal[0];
			assertThat(removed.status()).as(removed.body()).isEqualTo(200);
			assertThat(removed.body()).doesNotContain(w.url());
			JsonNode view = cluster(a);
			assertThat(view.get("members").toString()).contains(urlD).doesNotContain(w.url());

			a.kill9();
			Pair.await("b or d to become primary", Duration.ofSeconds(30),
					() -> "PRIMARY".equals(role(b)) || "PRIMARY".equals(role(d)));
			NodeProcess primary = "PRIMARY".equals(role(b)) ? b : d;
			Pair.await("a write on the new primary", Duration.ofSeconds(30),
					() -> http.put(primary.url(), "probe", "x").status() == 200);
			stop.set(true);
			for (Map.Entry<String, String> e : acked.entrySet()) {
				assertThat(http.get(primary.url(), e.getKey()).body()).as(e.getKey()).isEqualTo(e.getValue());
			}
		}
	}

	/**
	 * A running pair grows into two data nodes and a witness in place, while clients write: the witness, started
	 * knowing the pair, is added with one call to the primary (the backup refuses it with 503 and names the
	 * primary); every node then shows the three voters. A kill -9 of the primary elects the backup with the
	 * witness's vote; restarted with its old kv.peers (the pair's), the old primary rejoins the three-voter cluster;
	 * nothing acknowledged is lost.
	 */
	@Test
	void aRunningPairGrowsIntoTwoNodesAndAWitnessInPlace() throws Exception {
		int portA = NodeProcess.freePort();
		int portB = NodeProcess.freePort();
		int portW = NodeProcess.freePort();
		String urlA = "http://127.0.0.1:" + portA;
		String urlB = "http://127.0.0.1:" + portB;
		String urlW = "http://127.0.0.1:" + portW;
		a = new NodeProcess("a", portA, work, Pair.args(urlB, "primary", Duration.ofMillis(300), Pair.TIMEOUT));
		b = new NodeProcess("b", portB, work, Pair.args(urlA, "backup", Duration.ofMillis(300), Pair.TIMEOUT));
		new Pair(a, b).start();
		w = new NodeProcess("w", portW, work, Pair.args(urlA + "," + urlB, "backup", Duration.ofMillis(300),
				Pair.TIMEOUT, "--kv.role=witness"));
		w.start().awaitLive(Duration.ofSeconds(90));
		Map<String, String> acked = new ConcurrentHashMap<>();
		AtomicBoolean stop = new AtomicBoolean();
		try (ExecutorService pool = Executors.newFixedThreadPool(2)) {
			writeThroughTheDataNodes(pool, "g/", acked, stop);
			Pair.await("acknowledged writes", Duration.ofSeconds(20), () -> acked.size() >= 100);
			String witness = "{\"nodeId\":\"w\",\"url\":\"" + urlW + "\",\"role\":\"witness\"}";
			KvHttp.Result viaBackup = member(HttpRequest.newBuilder(URI.create(b.url() + "/cluster/members"))
				.header("Content-Type", "application/json")
				.POST(HttpRequest.BodyPublishers.ofString(witness)));
			assertThat(viaBackup.status()).as("adding through the backup: %s", viaBackup.body()).isEqualTo(503);
			KvHttp.Result added = member(HttpRequest.newBuilder(URI.create(a.url() + "/cluster/members"))
				.header("Content-Type", "application/json")
				.POST(HttpRequest.BodyPublishers.ofString(witness)));
			assertThat(added.status()).as(added.body()).isEqualTo(200);
			assertThat(added.body()).contains(urlA, urlB, urlW);
			for (NodeProcess n : List.of(a, b, w)) {
				Pair.await(n.nodeId() + " to show three voters", Duration.ofSeconds(10), () -> {
					JsonNode c = cluster(n);
					return c != null && c.get("members") != null && c.get("members").size() == 3;
				});
			}
			assertThat(cluster(w).get("primaryId").asString()).isEqualTo("a");
			awaitInSync(a, b);
			int before = acked.size();
			Pair.await("writes acknowledged after the growth", Duration.ofSeconds(10), () -> acked.size() > before + 50);

			a.kill9();
			Pair.await("b to become primary", Duration.ofSeconds(30), () -> "PRIMARY".equals(role(b)));
			Pair.await("a write on b", Duration.ofSeconds(30), () -> http.put(b.url(), "probe", "x").status() == 200);
			stop.set(true);
		}
		for (Map.Entry<String, String> e : acked.entrySet()) {
			assertThat(http.get(b.url(), e.getKey()).body()).as(e.getKey()).isEqualTo(e.getValue());
		}
		a.start().awaitReady(Duration.ofSeconds(90));
		awaitInSync(b, a);
		JsonNode view = cluster(a);
		assertThat(view.get("role").asString()).isEqualTo("BACKUP");
		assertThat(view.get("members").toString()).contains(urlA, urlB, urlW);
	}

	/** Two writers of distinct keys under {@code prefix}, each through b once it is primary, else through a. */
	private void writeThroughTheDataNodes(ExecutorService pool, String prefix, Map<String, String> acked,
			AtomicBoolean stop) {
		for (int t = 0; t < 2; t++) {
			int writer = t;
			pool.submit(() -> {
				for (int i = 0; i < 100_000 && !stop.get(); i++) {
					String key = prefix + writer + "/" + i;
					NodeProcess via = "PRIMARY".equals(role(b)) ? b : a;
					if (http.put(via.url(), key, "v" + i).status() == 200) {
						acked.put(key, "v" + i);
					}
				}
			});
		}
	}

	private KvHttp.Result member(HttpRequest.Builder request) {
		return http.send(request.header("X-Kv-Token", Pair.TOKEN));
	}

	/**
	 * The primary alone is not a majority: with the backup and the witness gone it acknowledges no write and
	 * serves no linearizable read, although its in-sync set may by then be itself alone. It serves again once
	 * the witness is back.
	 */
	@Test
	void aPrimaryThatLosesTheMajorityStopsServingUntilItIsBack() throws Exception {
		startCluster();
		assertThat(http.put(a.url(), "before", "1").status()).isEqualTo(200);
		w.kill9();
		b.kill9();
		// Past the lease, and past the time the primary needs to try dropping the backup.
		Thread.sleep(2 * Pair.TIMEOUT.toMillis() + 500);
		KvHttp.Result write = http.put(a.url(), "during", "2");
		assertThat(write.status()).as("a write without a majority: " + write.body()).isIn(503, 504);
		KvHttp.Result read = http.get(a.url(), "before");
		assertThat(read.status()).as("a linearizable read without a majority: " + read.body()).isEqualTo(503);
		w.start().awaitReady(Duration.ofSeconds(90));
		Pair.await("a write once the witness is back", Duration.ofSeconds(30),
				() -> http.put(a.url(), "after", "3").status() == 200);
		assertThat(http.get(a.url(), "before").body()).isEqualTo("1");
	}

}
