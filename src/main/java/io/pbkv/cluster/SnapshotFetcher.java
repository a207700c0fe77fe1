package io.pbkv.cluster;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.pbkv.core.Snapshot;
import io.pbkv.core.SnapshotFetch;
import io.pbkv.runtime.SnapshotSource;
import io.pbkv.storage.FileLogStore;
import io.pbkv.storage.LogCorruptedException;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backup's side of a snapshot transfer: pulls the primary's snapshot file with {@code GET
 * /internal/snapshot/<lastIndex>?offset=N}, one bounded chunk per request, appending to
 * {@code incoming/snapshot-<lastIndex>.part} in the data dir. Pulling keeps the primary's loop out of it (its
 * controller reads the file), paces the transfer by the backup's own disk, and makes it resumable for free: after
 * a dropped connection or a restart the next fetch starts at the part file's size. Once whole, the file is forced,
 * renamed to {@code .snap}, verified end to end (the file's CRC32C covers every byte) and loaded, all on this
 * thread; a file that fails the check is deleted and fetched again from zero. One fetch at a time: a request for
 * another snapshot replaces the one under way, and the older part files go. A request for the snapshot under way is
 * ignored unless that fetch has received nothing for longer than a request may take (a response body stalled on a
 * connection the network silently cut, which nothing else would time out): then it replaces it, continuing from
 * the part file.
 */
public final class SnapshotFetcher implements SnapshotSource {

	private static final Logger log = LoggerFactory.getLogger(SnapshotFetcher.class);

	static final String SIZE_HEADER = "X-Kv-Snapshot-Size";

	private final Path incoming;

	private final HttpClient http;

	private final String token;

	private final Duration timeout;

	private final Counter bytesFetched;

	/** Bytes per second at most; 0 for no cap. */
	private final long bytesPerSecond;

	/** How long a fetch may receive nothing before a request for the same snapshot replaces it. */
	private final long stallNanos;

	private Thread current;

	private long currentIndex;

	/** When the current fetch last received bytes (or will wake from pacing), by System.nanoTime(). */
	private volatile long progressAt;

	/**
	 * Whether the current fetch has the whole file and is verifying and loading it: it receives nothing then, for
	 * as long as a large state takes to load (seconds at 10 M keys), and is not stalled.
	 */
	private volatile boolean loading;

	/** Reads and verifies a whole fetched file. */
	interface FileReader {

		Snapshot read(Path file) throws IOException;

	}

	private final FileReader reader;

	public SnapshotFetcher(Path dataDir, String token, Duration timeout, long bytesPerSecond, MeterRegistry registry) {
		this(dataDir, token, timeout, bytesPerSecond, registry, FileLogStore::readSnapshot, PeerTls.JVM_DEFAULT);
	}

	public SnapshotFetcher(Path dataDir, String token, Duration timeout, long bytesPerSecond, MeterRegistry registry,
			PeerTls tls) {
		this(dataDir, token, timeout, bytesPerSecond, registry, FileLogStore::readSnapshot, tls);
	}

	SnapshotFetcher(Path dataDir, String token, Duration timeout, long bytesPerSecond, MeterRegistry registry,
			FileReader reader) {
		this(dataDir, token, timeout, bytesPerSecond, registry, reader, PeerTls.JVM_DEFAULT);
	}

	SnapshotFetcher(Path dataDir, String token, Duration timeout, long bytesPerSecond, MeterRegistry registry,
			FileReader reader, PeerTls tls) {
		this.reader = reader;
		this.bytesPerSecond = bytesPerSecond;
		this.incoming = FileLogStore.incomingDir(dataDir);
		this.http = tls.apply(HttpClient.newBuilder()).version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).build();
		this.token = token == null || token.isBlank() ? null : token;
		this.timeout = timeout;
		this.stallNanos = timeout.plusSeconds(1).toNanos();
		this.bytesFetched = Counter.builder("kv.snapshot.fetched")
			.description("Bytes of snapshot files this node fetched from a primary")
			.baseUnit("bytes")
			.register(registry);
	}

	@Override
	public synchronized void fetch(SnapshotFetch request, Consumer<Snapshot> fetched) {
		Thread previous = current;
		if (previous != null && previous.isAlive()) {
			if (currentIndex == request.lastIndex()) {
				long silent = System.nanoTime() - progressAt;
				if (silent < stallNanos || loading) {
					return;
				}
				log.warn("fetch of snapshot {} received nothing for {} ms; fetching on from the part file",
						currentIndex, Duration.ofNanos(silent).toMillis());
			}
			previous.interrupt();
		}
		currentIndex = request.lastIndex();
		progressAt = System.nanoTime();
		current = Thread.ofVirtual().name("pbkv-snapshot-fetch-" + request.lastIndex()).start(() -> {
			// The replaced fetch may still hold the part file: it must be gone before this one appends to it.
			if (previous == null || awaitEnd(previous)) {
				run(request, fetched);
			}
		});
	}

	private boolean awaitEnd(Thread previous) {
		try {
			if (previous.join(Duration.ofNanos(stallNanos))) {
				return true;
			}
			log.warn("the replaced fetch {} did not stop; not fetching until it has", previous.getName());
		}
		catch (InterruptedException ex) {
			// replaced in turn
		}
		return false;
	}

	@Override
	public synchronized void close() {
		if (current != null) {
			current.interrupt();
		}
		http.shutdownNow();
	}

	private void run(SnapshotFetch request, Consumer<Snapshot> fetched) {
		String name = FileLogStore.snapshotFile(Path.of(""), request.lastIndex()).getFileName().toString();
		Path part = incoming.resolve(name.replace(".snap", ".part"));
		Path whole = incoming.resolve(name);
		long start = System.nanoTime();
		try {
			Files.createDirectories(incoming);
			removeOthers(part, whole);
			if (!Files.exists(whole)) {
				download(request, part);
				Files.move(part, whole, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
			}
			Snapshot snapshot;
			loading = true;
			try {
				snapshot = reader.read(whole);
			}
			finally {
				loading = false;
			}
			if (snapshot.lastEpoch() != request.lastEpoch()) {
				Files.deleteIfExists(whole);
				throw new IOException("the file's last epoch is " + snapshot.lastEpoch() + ", the offer said "
						+ request.lastEpoch());
			}
			log.info("fetched snapshot {} ({} keys, {} bytes) from {} in {} ms", request.lastIndex(),
					snapshot.data().size(), Files.size(whole), request.from(),
					Duration.ofNanos(System.nanoTime() - start).toMillis());
			fetched.accept(snapshot);
		}
		catch (LogCorruptedException ex) {
			log.warn("snapshot {} from {} failed its check and is fetched again from the start: {}",
					request.lastIndex(), request.from(), ex.getMessage());
			deleteQuietly(whole);
		}
		catch (InterruptedException | ClosedByInterruptException ex) {
			log.info("fetch of snapshot {} stopped; {} bytes kept for the next one", request.lastIndex(),
					sizeOf(part));
		}
		catch (IOException | RuntimeException ex) {
			log.warn("fetch of snapshot {} from {} stopped at byte {}: {}", request.lastIndex(), request.from(),
					sizeOf(part), ex.toString());
		}
	}

	/** Appends chunks from where the part file ends until it holds the whole file, then forces it. */
	private void download(SnapshotFetch request, Path part) throws IOException, InterruptedException {
		try (FileChannel out = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
			long offset = out.size();
			out.position(offset);
			long total = -1;
			long paceStart = System.nanoTime();
			long paced = 0;
			while (total < 0 || offset < total) {
				HttpRequest.Builder get = HttpRequest
					.newBuilder(URI.create(request.fromUrl() + "/internal/snapshot/" + request.lastIndex()
							+ "?offset=" + offset))
					.timeout(timeout.plusSeconds(1));
				if (token != null) {
					get.header(PeerSender.TOKEN_HEADER, token);
				}
				HttpResponse<InputStream> response = http.send(get.build(), HttpResponse.BodyHandlers.ofInputStream());
				try (InputStream body = response.body()) {
					if (response.statusCode() == 404) {
						throw new IOException("the primary no longer has snapshot " + request.lastIndex());
					}
					if (response.statusCode() != 200) {
						throw new IOException("HTTP " + response.statusCode());
					}
					total = Long.parseLong(response.headers().firstValue(SIZE_HEADER).orElse("-1"));
					if (total < 0 || offset > total) {
						throw new IOException("bad " + SIZE_HEADER + " " + total + " at offset " + offset);
					}
					byte[] buffer = new byte[1 << 16];
					for (int n; (n = body.read(buffer)) > 0;) {
						out.write(ByteBuffer.wrap(buffer, 0, n));
						offset += n;
						paced += n;
						bytesFetched.increment(n);
						progressAt = System.nanoTime();
						pace(paceStart, paced);
					}
				}
				if (Thread.interrupted()) {
					throw new InterruptedException();
				}
			}
			out.force(true);
		}
	}

	/** Sleeps as long as {@code bytes} since {@code start} are ahead of the cap. */
	private void pace(long start, long bytes) throws InterruptedException {
		if (bytesPerSecond > 0) {
			long due = start + bytes * 1_000_000_000L / bytesPerSecond;
			long ahead = due - System.nanoTime();
			if (ahead > 0) {
				progressAt = due; // sleeping on purpose is not a stall
				Thread.sleep(Duration.ofNanos(ahead));
			}
		}
	}

	/** Part and whole files of other snapshots are of no use any more. */
	private void removeOthers(Path part, Path whole) throws IOException {
		try (var files = Files.list(incoming)) {
			for (Path file : files.toList()) {
				if (!file.equals(part) && !file.equals(whole)) {
					Files.deleteIfExists(file);
				}
			}
		}
	}

	private static long sizeOf(Path file) {
		try {
			return Files.exists(file) ? Files.size(file) : 0;
		}
		catch (IOException ex) {
			return -1;
		}
	}

	private static void deleteQuietly(Path file) {
		try {
			Files.deleteIfExists(file);
		}
		catch (IOException ex) {
			log.warn("could not delete {}: {}", file, ex.toString());
		}
	}

}
