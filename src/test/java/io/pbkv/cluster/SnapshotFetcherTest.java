package io.pbkv.cluster;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pbkv.core.Snapshot;
import io.pbkv.core.SnapshotFetch;
import io.pbkv.core.VersionedValue;
import io.pbkv.storage.FileLogStore;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedByInterruptException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The backup's side of a snapshot transfer against a JDK HTTP server standing in for the primary's
 * {@code GET /internal/snapshot/<lastIndex>?offset=N}: a real snapshot file, written by {@link FileLogStore}, served
 * in chunks far smaller than the primary's so that every transfer takes several requests.
 */
@Timeout(60)
class SnapshotFetcherTest {

	private static final long INDEX = 1234;

	private static final long EPOCH = 3;

	private static final String TOKEN = "s3cret";

	/** What the fake primary was asked for, one line per request. */
	record Asked(long index, long offset, String token) {
	}

	@TempDir
	Path primaryDir;

	@TempDir
	Path backupDir;

	private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

	private final List<Asked> asked = new CopyOnWriteArrayList<>();

	private final BlockingQueue<Snapshot> fetched = new LinkedBlockingQueue<>();

	/** The file the fake primary serves; null answers 404. */
	private volatile byte[] served;

	/** Bytes per response. */
	private volatile int chunk = 128 * 1024;

	/** A position whose byte the fake primary flips on the way (damage in transit), or -1. */
	private volatile long flipAt = -1;

	/** The fake primary answers 404 from this offset on (as if the file went), or never when -1. */
	private volatile long goneFrom = -1;

	/** A response at this offset sends half its body, then stalls (a connection the network silently cut). */
	private volatile long stallAt = -1;

	/** Requests wait for this before they are answered. */
	private volatile CountDownLatch hold = new CountDownLatch(0);

	private final CountDownLatch stalled = new CountDownLatch(1);

	private HttpServer server;

	private SnapshotFetcher fetcher;

	@AfterEach
	void stop() {
		hold.countDown();
		if (fetcher != null) {
			fetcher.close();
		}
		if (server != null) {
			server.stop(0);
		}
	}

	@Test
	void fetchesTheFileInChunksAndHandsBackTheSnapshotItHolds() throws Exception {
		Snapshot snapshot = snapshot(40, 24 * 1024);
		Path file = writeOnPrimary(snapshot);
		served = Files.readAllBytes(file);
		assertThat(served.length).as("test setup: a file of several chunks").isGreaterThan(6 * chunk);
		String url = startPrimary();
		fetcher = new SnapshotFetcher(backupDir, TOKEN, Duration.ofSeconds(5), 0, registry);

		fetcher.fetch(request(url), fetched::add);

		Snapshot got = fetched.poll(20, TimeUnit.SECONDS);
		assertThat(got).as("the snapshot handed back").isEqualTo(snapshot);
		assertThat(asked).extracting(Asked::offset)
			.as("one request per chunk, each from where the last ended")
			.containsExactlyElementsOf(offsets(0, served.length));
		assertThat(asked).allSatisfy(a -> {
			assertThat(a.index()).isEqualTo(INDEX);
			assertThat(a.token()).isEqualTo(TOKEN);
		});
		Path whole = incoming().resolve("snapshot-00000000000000001234.snap");
		assertThat(whole).as("the fetched file waits in incoming/ for the log store").exists();
		assertThat(Files.readAllBytes(whole)).as("byte for byte the primary's file").isEqualTo(served);
		assertThat(incomingFiles()).containsExactly("snapshot-00000000000000001234.snap");
		assertThat(fetchedBytes()).isEqualTo(served.length);
		assertThat(fetched.poll(200, TimeUnit.MILLISECONDS)).as("called back once").isNull();
	}

	@Test
	void aFetchContinuesWhereThePartFileEnds() throws Exception {
		Snapshot snapshot = snapshot(40, 24 * 1024);
		served = Files.readAllBytes(writeOnPrimary(snapshot));
		int kept = 3 * chunk + 4321;
		Files.createDirectories(incoming());
		Files.write(incoming().resolve("snapshot-00000000000000001234.part"), Arrays.copyOf(served, kept));
		String url = startPrimary();
		fetcher = new SnapshotFetcher(backupDir, null, Duration.ofSeconds(5), 0, registry);

		fetcher.fetch(request(url), fetched::add);

		assertThat(fetched.poll(20, TimeUnit.SECONDS)).isEqualTo(snapshot);
		assertThat(asked).extracting(Asked::offset)
			.as("the first request asks for what the part file lacks")
			.containsExactlyElementsOf(offsets(kept, served.length));
		assertThat(asked).extracting(Asked::token).as("no token configured, none sent").containsOnlyNulls();
		assertThat(fetchedBytes()).as("only the missing bytes travelled").isEqualTo(served.length - kept);
		assertThat(Files.readAllBytes(incoming().resolve("snapshot-00000000000000001234.snap"))).isEqualTo(served);
	}

	@Test
	void aFileDamagedInTransitIsRefusedDeletedAndFetchedAgainFromTheStart() throws Exception {
		Snapshot snapshot = snapshot(40, 24 * 1024);
		served = Files.readAllBytes(writeOnPrimary(snapshot));
		flipAt = served.length / 2 + 17;
		String url = startPrimary();
		fetcher = new SnapshotFetcher(backupDir, null, Duration.ofSeconds(5), 0, registry);

		fetcher.fetch(request(url), fetched::add);

		int firstRun = offsets(0, served.length).size();
		await("the damaged file fetched whole and thrown away",
				() -> asked.size() >= firstRun && incomingFiles().isEmpty());
		assertThat(fetched.poll(300, TimeUnit.MILLISECONDS)).as("a damaged snapshot is not handed back").isNull();
		assertThat(incomingFiles()).as("neither the .snap nor a .part stays").isEmpty();

		flipAt = -1;
		offerUntilAsked(request(url), firstRun + 1);

		assertThat(fetched.poll(20, TimeUnit.SECONDS)).isEqualTo(snapshot);
		assertThat(asked.subList(firstRun, asked.size())).extracting(Asked::offset)
			.as("the second fetch starts from zero")
			.containsExactlyElementsOf(offsets(0, served.length));
		assertThat(Files.readAllBytes(incoming().resolve("snapshot-00000000000000001234.snap"))).isEqualTo(served);
	}

	@Test
	void aSnapshotThePrimaryNoLongerHasIsNotHandedBackAndWhatArrivedIsKept() throws Exception {
		Snapshot snapshot = snapshot(40, 24 * 1024);
		served = Files.readAllBytes(writeOnPrimary(snapshot));
		long goneAt = 2L * chunk;
		goneFrom = goneAt;
		String url = startPrimary();
		fetcher = new SnapshotFetcher(backupDir, null, Duration.ofSeconds(5), 0, registry);

		fetcher.fetch(request(url), fetched::add);

		await("the 404", () -> asked.size() >= 3);
		assertThat(fetched.poll(500, TimeUnit.MILLISECONDS)).as("nothing handed back after a 404").isNull();
		Path part = incoming().resolve("snapshot-00000000000000001234.part");
		assertThat(part).as("the part file is kept for a later fetch").exists();
		assertThat(Files.size(part)).isEqualTo(goneAt);
		assertThat(incomingFiles()).containsExactly("snapshot-00000000000000001234.part");

		// The primary has the file again (a restart, say): the next offer continues the transfer.
		goneFrom = -1;
		offerUntilAsked(request(url), 4);
		assertThat(fetched.poll(20, TimeUnit.SECONDS)).isEqualTo(snapshot);
		assertThat(asked.get(3).offset()).as("continued after the kept bytes").isEqualTo(goneAt);
	}

	@Test
	void anOfferOfTheSnapshotBeingFetchedIsIgnored() throws Exception {
		Snapshot snapshot = snapshot(40, 24 * 1024);
		served = Files.readAllBytes(writeOnPrimary(snapshot));
		hold = new CountDownLatch(1);
		String url = startPrimary();
		fetcher = new SnapshotFetcher(backupDir, null, Duration.ofSeconds(10), 0, registry);
		BlockingQueue<Snapshot> second = new LinkedBlockingQueue<>();

		fetcher.fetch(request(url), fetched::add);
		await("the first request", () -> asked.size() == 1);
		fetcher.fetch(request(url), second::add);
		fetcher.fetch(request(url), second::add);
		Thread.sleep(200);
		hold.countDown();

		assertThat(fetched.poll(20, TimeUnit.SECONDS)).isEqualTo(snapshot);
		assertThat(asked).extracting(Asked::offset)
			.as("one stream: every chunk asked for once, in order")
			.containsExactlyElementsOf(offsets(0, served.length));
		assertThat(second.poll(300, TimeUnit.MILLISECONDS)).as("the repeated offers start nothing").isNull();
		assertThat(fetchedBytes()).isEqualTo(served.length);
	}

	/**
	 * A whole file that takes longer to verify and load than the stall timeout (10 M keys take seconds) is not
	 * mistaken for a stalled transfer: the primary's repeated offers meanwhile start nothing. Before this, each offer
	 * interrupted the load and began it again, forever.
	 */
	@Test
	void aLoadLongerThanTheStallTimeoutIsNotReplacedByTheRepeatedOffers() throws Exception {
		Snapshot snapshot = snapshot(40, 1024);
		served = Files.readAllBytes(writeOnPrimary(snapshot));
		String url = startPrimary();
		Duration timeout = Duration.ofMillis(300);
		AtomicInteger loads = new AtomicInteger();
		fetcher = new SnapshotFetcher(backupDir, null, timeout, 0, registry, file -> {
			loads.incrementAndGet();
			try {
				Thread.sleep(timeout.multipliedBy(6)); // 1.8 s: longer than the stall timeout, 300 ms + 1 s
			}
			catch (InterruptedException ex) {
				throw new ClosedByInterruptException();
			}
			return FileLogStore.readSnapshot(file);
		});

		// Counted when the snapshot is handed over: an offer made after that may start a new fetch, which is not
		// what this test is about.
		AtomicInteger loadsWhenDelivered = new AtomicInteger();
		Consumer<Snapshot> deliver = fetchedSnapshot -> {
			loadsWhenDelivered.compareAndSet(0, loads.get());
			fetched.add(fetchedSnapshot);
		};
		fetcher.fetch(request(url), deliver);
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
		while (fetched.isEmpty() && System.nanoTime() < deadline) {
			fetcher.fetch(request(url), deliver);
			Thread.sleep(100);
		}

		assertThat(fetched.poll(1, TimeUnit.SECONDS)).isEqualTo(snapshot);
		assertThat(loadsWhenDelivered).as("loaded once, not restarted by the offers").hasValue(1);
	}

	@Test
	void aResponseThatStallsMidBodyIsGivenUpAndTheNextOfferResumesTheTransfer() throws Exception {
		Snapshot snapshot = snapshot(40, 24 * 1024);
		served = Files.readAllBytes(writeOnPrimary(snapshot));
		stallAt = 2L * chunk;
		String url = startPrimary();
		Duration timeout = Duration.ofMillis(500);
		fetcher = new SnapshotFetcher(backupDir, null, timeout, 0, registry);

		fetcher.fetch(request(url), fetched::add);
		assertThat(stalled.await(20, TimeUnit.SECONDS)).as("the stalled response").isTrue();
		Path part = incoming().resolve("snapshot-00000000000000001234.part");
		await("half the stalled chunk in the part file", () -> sizeOf(part) == 2L * chunk + chunk / 2);

		// The primary offers again every heartbeat interval; within a few timeouts one of them fetches on.
		long deadline = System.nanoTime() + timeout.multipliedBy(10).toNanos();
		while (asked.size() < 4 && System.nanoTime() < deadline) {
			fetcher.fetch(request(url), fetched::add);
			Thread.sleep(100);
		}
		assertThat(asked).extracting(Asked::offset)
			.as("a stalled body is given up, and the next offer continues from the bytes that arrived")
			.startsWith(0L, (long) chunk, 2L * chunk, 2L * chunk + chunk / 2);
		assertThat(fetched.poll(20, TimeUnit.SECONDS)).isEqualTo(snapshot);
	}

	@Test
	void theRateCapPacesTheTransfer() throws Exception {
		Snapshot snapshot = snapshot(8, 256 * 1024);
		served = Files.readAllBytes(writeOnPrimary(snapshot));
		assertThat(served.length).as("test setup: about 2 MB").isBetween(2_000_000, 2_200_000);
		String url = startPrimary();
		fetcher = new SnapshotFetcher(backupDir, null, Duration.ofSeconds(5), 1_000_000, registry);

		long start = System.nanoTime();
		fetcher.fetch(request(url), fetched::add);
		assertThat(fetched.poll(30, TimeUnit.SECONDS)).isEqualTo(snapshot);
		long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

		// At 1 MB/s a 2 MB file takes 2 s; the first buffer goes unpaced.
		assertThat(millis).as("ms to fetch %d bytes at 1 MB/s", served.length).isGreaterThanOrEqualTo(1500);
	}

	// --- the fake primary

	private String startPrimary() throws IOException {
		server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
		server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
		server.createContext("/internal/snapshot/", this::serve);
		server.start();
		return "http://127.0.0.1:" + server.getAddress().getPort();
	}

	private void serve(HttpExchange exchange) throws IOException {
		try (exchange) {
			String path = exchange.getRequestURI().getPath();
			long index = Long.parseLong(path.substring(path.lastIndexOf('/') + 1));
			String query = exchange.getRequestURI().getQuery();
			long offset = query == null ? 0 : Long.parseLong(query.replace("offset=", ""));
			asked.add(new Asked(index, offset, exchange.getRequestHeaders().getFirst(PeerSender.TOKEN_HEADER)));
			hold.await(30, TimeUnit.SECONDS);
			byte[] file = served;
			if (file == null || index != INDEX || goneFrom >= 0 && offset >= goneFrom) {
				exchange.sendResponseHeaders(404, -1);
				return;
			}
			if (offset > file.length) {
				exchange.sendResponseHeaders(400, -1);
				return;
			}
			byte[] body = Arrays.copyOfRange(file, (int) offset, (int) Math.min(file.length, offset + chunk));
			long flip = flipAt;
			if (flip >= offset && flip < offset + body.length) {
				body[(int) (flip - offset)] ^= 0x5a;
			}
			exchange.getResponseHeaders().add(SnapshotFetcher.SIZE_HEADER, Long.toString(file.length));
			exchange.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
			try (OutputStream out = exchange.getResponseBody()) {
				if (offset == stallAt) {
					stallAt = -1;
					out.write(body, 0, body.length / 2);
					out.flush();
					stalled.countDown();
					Thread.sleep(60_000);
					return;
				}
				out.write(body);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	// --- helpers

	/** {@code keys} keys with random values of {@code valueBytes}, as the state at {@link #INDEX}. */
	private static Snapshot snapshot(int keys, int valueBytes) {
		Random random = new Random(keys * 31L + valueBytes);
		TreeMap<String, VersionedValue> data = new TreeMap<>();
		for (int i = 0; i < keys; i++) {
			byte[] value = new byte[valueBytes];
			random.nextBytes(value);
			data.put("key-" + i, new VersionedValue(value, 100 + i));
		}
		TreeMap<Long, Long> epochs = new TreeMap<>();
		epochs.put(1L, 1L);
		epochs.put(1000L, EPOCH);
		return new Snapshot(INDEX, EPOCH, data, epochs);
	}

	/** Saves {@code snapshot} in the primary's log as a primary does; returns its file. */
	private Path writeOnPrimary(Snapshot snapshot) throws IOException {
		try (FileLogStore store = new FileLogStore(primaryDir, true)) {
			store.open();
			store.saveSnapshot(snapshot);
		}
		Path file = FileLogStore.snapshotFile(primaryDir, snapshot.lastIndex());
		assertThat(FileLogStore.readSnapshot(file)).as("test setup: the primary's file").isEqualTo(snapshot);
		return file;
	}

	private static SnapshotFetch request(String url) {
		return new SnapshotFetch("a", url, INDEX, EPOCH, 42);
	}

	/** The offsets a transfer from {@code from} asks for, chunk after chunk. */
	private List<Long> offsets(long from, long size) {
		List<Long> offsets = new java.util.ArrayList<>();
		for (long offset = from; offset < size; offset += chunk) {
			offsets.add(offset);
		}
		return offsets;
	}

	/**
	 * Offers again, as the primary does every heartbeat, until the fake primary has seen {@code requests} requests:
	 * an offer made while the last fetch is still winding down is ignored.
	 */
	private void offerUntilAsked(SnapshotFetch request, int requests) throws InterruptedException {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		while (asked.size() < requests) {
			assertThat(System.nanoTime()).as("a new fetch within 10 s").isLessThan(deadline);
			fetcher.fetch(request, fetched::add);
			long wait = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
			while (asked.size() < requests && System.nanoTime() < wait) {
				Thread.sleep(10);
			}
		}
	}

	private Path incoming() {
		return FileLogStore.incomingDir(backupDir);
	}

	private List<String> incomingFiles() {
		if (!Files.isDirectory(incoming())) {
			return List.of();
		}
		try (var files = Files.list(incoming())) {
			return files.map(f -> f.getFileName().toString()).sorted().toList();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static long sizeOf(Path file) {
		try {
			return Files.exists(file) ? Files.size(file) : -1;
		}
		catch (IOException ex) {
			return -1;
		}
	}

	private long fetchedBytes() {
		return (long) registry.get("kv.snapshot.fetched").counter().count();
	}

	private static void await(String what, BooleanSupplier condition) throws InterruptedException {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
		while (!condition.getAsBoolean()) {
			assertThat(System.nanoTime()).as("waiting for %s", what).isLessThan(deadline);
			Thread.sleep(10);
		}
	}

}
