package io.pbkv.process;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import tools.jackson.databind.ObjectMapper;

import static io.pbkv.process.NamespacedCluster.T0;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Clients across a partition: one writer of distinct keys per node it writes through; one writer of the
 * register {@code reg} (0, 1, 2, ... one at a time, through each of its nodes in turn); one reader of the
 * register per node it reads through (linearizable reads). Each operation is recorded with when the test sent
 * it and when the answer came, on the test's monotonic clock. Bounded: each request at most 4 s, each thread at
 * most 100,000 operations.
 */
final class Workload implements AutoCloseable {

	static final String REGISTER = "reg";

	/**
	 * One request: {@code via} the node it was sent to, {@code servedBy} the node that answered as primary
	 * ({@code X-Kv-Primary}), {@code epoch} that of an acknowledged write.
	 */
	record Op(String method, String via, String key, String value, long start, long end, int status, String body,
			String servedBy, long epoch, String phase) {

		boolean isPut() {
			return method.equals("PUT");
		}

		long millis() {
			return TimeUnit.NANOSECONDS.toMillis(end - start);
		}

		@Override
		public String toString() {
			return String.format("%d..%d ms %s %s via %s = %s -> %d%s%s [%s]%s", TimeUnit.NANOSECONDS.toMillis(start - T0),
					TimeUnit.NANOSECONDS.toMillis(end - T0), method, key, via, value, status,
					servedBy != null ? " by " + servedBy : "", epoch > 0 ? "@" + epoch : "", phase,
					status == 200 || body == null ? "" : " " + body.replace('\n', ' '));
		}
	}

	private static final ObjectMapper JSON = new ObjectMapper();

	private final Queue<Op> ops = new ConcurrentLinkedQueue<>();

	private final AtomicBoolean stop = new AtomicBoolean();

	private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

	private final List<Thread> threads = new ArrayList<>();

	private volatile String phase = "before";

	/** Writes {@code reg} = 0 through {@code first}, then starts the clients. */
	Workload(NodeProcess first, List<NodeProcess> keyWriters, List<NodeProcess> registerWriters,
			List<NodeProcess> registerReaders) {
		Op initial = send("PUT", first, REGISTER, "0");
		assertThat(initial.status()).as("initial register write: %s", initial).isEqualTo(200);
		for (NodeProcess via : keyWriters) {
			threads.add(Thread.ofPlatform().daemon().name("writer-" + via.nodeId()).start(() -> {
				for (int i = 0; i < 100_000 && !stop.get(); i++) {
					String key = "w/" + via.nodeId() + "/" + i;
					pace(send("PUT", via, key, "v-" + via.nodeId() + "-" + i));
				}
			}));
		}
		threads.add(Thread.ofPlatform().daemon().name("register-writer").start(() -> {
			for (int n = 1; n <= 100_000 && !stop.get(); n++) {
				pace(send("PUT", registerWriters.get(n % registerWriters.size()), REGISTER, Integer.toString(n)));
			}
		}));
		for (NodeProcess via : registerReaders) {
			threads.add(Thread.ofPlatform().daemon().name("reader-" + via.nodeId()).start(() -> {
				for (int i = 0; i < 100_000 && !stop.get(); i++) {
					pace(send("GET", via, REGISTER, null));
				}
			}));
		}
	}

	/** A short pause, longer after a refusal, so that a node that says no is not hammered. */
	private void pace(Op op) {
		try {
			Thread.sleep(op.status() == 200 ? 5 : 25);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			stop.set(true);
		}
	}

	private Op send(String method, NodeProcess via, String key, String value) {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(via.url() + "/kv/" + key))
			.timeout(Duration.ofSeconds(4));
		if (value != null) {
			request.PUT(HttpRequest.BodyPublishers.ofString(value));
		}
		else {
			request.GET();
		}
		String sentIn = phase;
		long start = System.nanoTime();
		Op op;
		try {
			HttpResponse<String> r = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
			long end = System.nanoTime();
			long epoch = 0;
			String got = value;
			if (r.statusCode() == 200 && value != null) {
				epoch = JSON.readTree(r.body()).get("epoch").asLong();
			}
			else if (value == null) {
				got = r.statusCode() == 200 ? r.body() : null;
			}
			op = new Op(method, via.nodeId(), key, got, start, end, r.statusCode(), r.body(),
					r.headers().firstValue("X-Kv-Primary").orElse(null), epoch, phaseLabel(sentIn));
		}
		catch (IOException ex) {
			op = new Op(method, via.nodeId(), key, value, start, System.nanoTime(), -1, ex.toString(), null, 0,
					phaseLabel(sentIn));
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			stop.set(true);
			op = new Op(method, via.nodeId(), key, value, start, System.nanoTime(), -1, ex.toString(), null, 0,
					phaseLabel(sentIn));
		}
		ops.add(op);
		return op;
	}

	/** The phase a request was sent in, and the one it ended in if that differs. */
	private String phaseLabel(String sentIn) {
		String now = phase;
		return sentIn.equals(now) ? now : sentIn + ".." + now;
	}

	void phase(String phase) {
		this.phase = phase;
	}

	/** A last linearizable read of the register on {@code primary}, once the clients have stopped. */
	void finalRead(NodeProcess primary) {
		phase("final");
		send("GET", primary, REGISTER, null);
	}

	void awaitAcks(int n, Duration timeout) throws InterruptedException {
		Pair.await(n + " acknowledged writes", timeout,
				() -> ops.stream().filter(op -> op.isPut() && op.status() == 200).count() >= n);
	}

	List<Op> ops(Predicate<Op> filter) {
		return ops.stream().filter(filter).toList();
	}

	/** The epochs in which writes were acknowledged by more than one node, with those nodes. */
	Map<Long, Set<String>> servingConflicts() {
		Map<Long, Set<String>> byEpoch = new TreeMap<>();
		for (Op op : ops) {
			if (op.isPut() && op.status() == 200) {
				byEpoch.computeIfAbsent(op.epoch(), e -> new TreeSet<>()).add(String.valueOf(op.servedBy()));
			}
		}
		byEpoch.values().removeIf(nodes -> nodes.size() <= 1);
		return byEpoch;
	}

	/**
	 * Reads of the register that no linearizable history allows. The register's writes are sequential, so a
	 * smaller number was written (and, if acknowledged, answered) before a larger one was sent. A read that
	 * returns {@code v} is stale when {@code v} was acknowledged and, before the read was sent, a larger value
	 * was acknowledged or another read had returned a larger value. A read may not return a value nobody wrote,
	 * a value whose write was refused with 503 (not done), or nothing (404).
	 */
	List<String> registerViolations() {
		Map<Long, Op> writes = new HashMap<>();
		for (Op op : ops) {
			if (op.isPut() && op.key().equals(REGISTER)) {
				writes.put(Long.parseLong(op.value()), op);
			}
		}
		List<Op> reads = ops.stream()
			.filter(op -> !op.isPut() && op.key().equals(REGISTER) && (op.status() == 200 || op.status() == 404))
			.sorted(Comparator.comparingLong(Op::start))
			.toList();
		// Acknowledged writes and successful reads by when they ended, with the largest value so far.
		List<long[]> ended = new ArrayList<>();
		for (Op op : writes.values()) {
			if (op.status() == 200) {
				ended.add(new long[] { op.end(), Long.parseLong(op.value()) });
			}
		}
		for (Op op : reads) {
			if (op.status() == 200) {
				ended.add(new long[] { op.end(), Long.parseLong(op.value()) });
			}
		}
		ended.sort(Comparator.comparingLong(e -> e[0]));
		long[] endTimes = new long[ended.size()];
		long[] maxSoFar = new long[ended.size()];
		long max = -1;
		for (int i = 0; i < ended.size(); i++) {
			endTimes[i] = ended.get(i)[0];
			max = Math.max(max, ended.get(i)[1]);
			maxSoFar[i] = max;
		}
		List<String> violations = new ArrayList<>();
		for (Op r : reads) {
			if (r.status() == 404) {
				violations.add("the register is missing: " + r);
				continue;
			}
			long v = Long.parseLong(r.value());
			Op write = writes.get(v);
			if (write == null) {
				violations.add("a value nobody wrote: " + r);
				continue;
			}
			if (write.status() == 503) {
				violations.add("a value whose write was refused (" + write + "): " + r);
				continue;
			}
			// The largest value acknowledged or read before r was sent.
			int i = upperBound(endTimes, r.start()) - 1;
			long seen = i >= 0 ? maxSoFar[i] : -1;
			if (write.status() == 200 && v < seen) {
				violations.add("stale: " + seen + " was acknowledged or read before this read was sent: " + r);
			}
		}
		return violations;
	}

	private static int upperBound(long[] sorted, long key) {
		int lo = 0;
		int hi = sorted.length;
		while (lo < hi) {
			int mid = (lo + hi) >>> 1;
			if (sorted[mid] < key) {
				lo = mid + 1;
			}
			else {
				hi = mid;
			}
		}
		return lo;
	}

	String summary() {
		Map<String, Long> byOutcome = ops.stream()
			.collect(Collectors.groupingBy(
					op -> op.method() + (op.key().equals(REGISTER) ? " reg" : " key") + " via " + op.via() + " -> "
							+ op.status() + (op.servedBy() != null ? " by " + op.servedBy() : "")
							+ (op.epoch() > 0 ? "@" + op.epoch() : ""),
					TreeMap::new, Collectors.counting()));
		return "workload: " + byOutcome;
	}

	@Override
	public void close() throws InterruptedException {
		stop.set(true);
		for (Thread t : threads) {
			if (!t.join(Duration.ofSeconds(10))) {
				t.interrupt();
				t.join(Duration.ofSeconds(5));
			}
		}
	}

}
