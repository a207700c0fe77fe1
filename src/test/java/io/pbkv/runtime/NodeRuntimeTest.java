package io.pbkv.runtime;

import io.pbkv.core.Command;
import io.pbkv.core.HardState;
import io.pbkv.core.Message;
import io.pbkv.core.Node;
import io.pbkv.core.NodeConfig;
import io.pbkv.core.Outcome;
import io.pbkv.core.Precondition;
import io.pbkv.core.Query;
import io.pbkv.core.Ready;
import io.pbkv.core.Role;
import io.pbkv.core.Snapshot;
import io.pbkv.storage.FileLogStore;
import io.pbkv.storage.FileMetaStore;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The loop around a primary whose backup is a bare core {@link Node} stepped inside the transport, on a clock the
 * test moves. Time stands still unless the test advances it, so each check sees exactly the readings it arranges.
 */
class NodeRuntimeTest {

	private static final long INTERVAL = 500;

	private static final long TIMEOUT = 3000;

	/** A clock that stands still; {@link #stallAfterNextReading} plays a stall right after the loop's next reading. */
	private static final class TestClock implements MonotonicClock {

		final AtomicLong now = new AtomicLong(10_000);

		private final AtomicReference<Runnable> stall = new AtomicReference<>();

		@Override
		public long nowMillis() {
			long reading = now.get();
			Runnable during = stall.getAndSet(null);
			if (during != null) {
				during.run();
			}
			return reading;
		}

		void stallAfterNextReading(long millis, Runnable meanwhile) {
			stall.set(() -> {
				meanwhile.run();
				now.addAndGet(millis);
			});
		}

	}

	@TempDir
	Path dataDir;

	private final TestClock clock = new TestClock();

	private final Node backup = new Node(config("b", "http://a", false), HardState.INITIAL, Snapshot.EMPTY, List.of(),
			0);

	private volatile boolean partitioned;

	/** Runs once on the loop thread, at the end of its next turn (after that turn's clock reading). */
	private final AtomicReference<Runnable> onLoop = new AtomicReference<>();

	private NodeRuntime runtime;

	private SlowSyncLogStore logStore;

	/** The real log, but every fsync takes {@link #syncMillis} longer. */
	private static final class SlowSyncLogStore implements LogStore {

		private final LogStore log;

		volatile long syncMillis;

		SlowSyncLogStore(LogStore log) {
			this.log = log;
		}

		@Override
		public Recovered open() throws java.io.IOException {
			return log.open();
		}

		@Override
		public void append(List<io.pbkv.core.LogEntry> entries) throws java.io.IOException {
			log.append(entries);
		}

		@Override
		public void truncateFrom(long fromIndex) throws java.io.IOException {
			log.truncateFrom(fromIndex);
		}

		@Override
		public void commit(long commitIndex) throws java.io.IOException {
			log.commit(commitIndex);
		}

		@Override
		public void sync() throws java.io.IOException {
			try {
				Thread.sleep(syncMillis);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			log.sync();
		}

		@Override
		public long writeSnapshot(Snapshot snapshot) throws java.io.IOException {
			return log.writeSnapshot(snapshot);
		}

		@Override
		public void snapshotWritten(Snapshot snapshot, long bytes, long compactTo) throws java.io.IOException {
			log.snapshotWritten(snapshot, bytes, compactTo);
		}

		@Override
		public void resetTo(Snapshot snapshot) throws java.io.IOException {
			log.resetTo(snapshot);
		}

		@Override
		public long sizeOnDisk() {
			return log.sizeOnDisk();
		}

		@Override
		public void close() throws java.io.IOException {
			log.close();
		}

	}

	private static NodeConfig config(String id, String peer, boolean initialPrimary) {
		return new NodeConfig(id, "http://" + id, List.of(peer), "cluster-" + id, 1_000_000, INTERVAL, TIMEOUT, true,
				false, initialPrimary, 64);
	}

	/**
	 * Carries the primary's messages to the backup and its answers back, on the primary's loop or storage thread:
	 * one at a time, since the backup core is not thread-safe.
	 */
	private synchronized void carry(List<Message> messages) {
		if (partitioned) {
			return;
		}
		for (Message m : messages) {
			backup.step(clock.now.get(), m);
			while (backup.hasReady()) {
				Ready rd = backup.ready();
				rd.messages().forEach(runtime::deliver);
				backup.advance(rd);
			}
		}
	}

	private void startPair() throws Exception {
		startPair(Duration.ofSeconds(10));
	}

	private void startPair(Duration requestTimeout) throws Exception {
		startPair(requestTimeout, 1000);
	}

	private void startPair(Duration requestTimeout, int queueCapacity) throws Exception {
		RuntimeListener listener = new RuntimeListener() {
			@Override
			public void loopTurn(long nanos) {
				Runnable action = onLoop.getAndSet(null);
				if (action != null) {
					action.run();
				}
			}
		};
		backup.start(clock.now.get());
		SlowSyncLogStore logStore = new SlowSyncLogStore(new FileLogStore(dataDir, false));
		logStore.open();
		this.logStore = logStore;
		runtime = new NodeRuntime(new Node(config("a", "http://b", true), HardState.INITIAL, Snapshot.EMPTY,
				List.of(), 0), logStore, new FileMetaStore(dataDir), DiscardedEntries.NONE, this::carry, SnapshotSource.NONE, clock,
				listener, Duration.ofMillis(10), queueCapacity, requestTimeout);
		runtime.start();
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		while (!(runtime.status().role() == Role.PRIMARY && runtime.status().peers().get(0).inSync())) {
			assertThat(System.nanoTime()).as("primary with its backup in sync").isLessThan(deadline);
			Thread.sleep(5);
		}
	}

	@AfterEach
	void stop() throws Exception {
		if (runtime != null) {
			runtime.close();
		}
	}

	private static Outcome await(CompletableFuture<Outcome> reply) throws Exception {
		return reply.get(10, TimeUnit.SECONDS);
	}

	/**
	 * {@code kv.limits.queue-capacity} is exact: with the loop held up, that many requests queue and the next ones
	 * are answered "overloaded" at once, though the queue's own array is a power of two; the queued ones are
	 * answered when the loop goes on.
	 */
	@Test
	void requestsBeyondTheQueueCapacityAreRefusedAtOnce() throws Exception {
		startPair(Duration.ofSeconds(10), 3);
		partitioned = true; // nothing from the backup takes a place in the queue
		Thread.sleep(100);
		CountDownLatch held = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		onLoop.set(() -> {
			held.countDown();
			try {
				release.await(10, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		});
		assertThat(held.await(5, TimeUnit.SECONDS)).as("loop held").isTrue();

		List<CompletableFuture<Outcome>> reads = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			reads.add(runtime.read(new Query.Get("k"), true));
		}
		List<CompletableFuture<Outcome>> refused = reads.stream().filter(CompletableFuture::isDone).toList();
		release.countDown();

		assertThat(refused).hasSize(2).allSatisfy(reply -> assertThat(reply.get())
			.isInstanceOfSatisfying(Outcome.Unavailable.class, o -> assertThat(o.reason()).contains("overloaded")));
		for (CompletableFuture<Outcome> queued : reads.subList(0, 3)) {
			assertThat(await(queued)).isNotInstanceOf(Outcome.Unavailable.class);
		}
	}

	/**
	 * A request the core cannot answer in time (here a write whose backup never acknowledges, on a clock that
	 * stands still) is answered by the loop when the request timeout passes: "unknown" for a write, since it may
	 * still commit. The threads waiting for replies set no timers of their own.
	 */
	@Test
	void aWriteWithoutAnOutcomeWithinTheRequestTimeoutIsAnsweredUnknown() throws Exception {
		startPair(Duration.ofMillis(300));
		partitioned = true;
		long start = System.nanoTime();

		Outcome outcome = await(runtime.write(new Command.Put("k", "v".getBytes(StandardCharsets.UTF_8),
				Precondition.NONE)));

		assertThat(outcome).isInstanceOfSatisfying(Outcome.Indeterminate.class,
				unknown -> assertThat(unknown.reason()).contains("no outcome within 300 ms"));
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
	}

	/**
	 * The loop never waits for the disk: with every fsync taking 200 ms, linearizable reads on the primary are
	 * answered while a write waits for its fsync, each well within 20 ms, and see the value committed before them.
	 */
	@Test
	void aReadNeverWaitsBehindAWritesFsync() throws Exception {
		startPair();
		assertThat(await(runtime.write(new Command.Put("k", "v1".getBytes(StandardCharsets.UTF_8),
				Precondition.NONE)))).isInstanceOf(Outcome.Written.class);
		logStore.syncMillis = 200;
		CompletableFuture<Outcome> write = runtime.write(new Command.Put("k", "v2".getBytes(StandardCharsets.UTF_8),
				Precondition.NONE));
		int reads = 0;
		while (!write.isDone() && reads < 100) {
			long start = System.nanoTime();
			Outcome read = await(runtime.read(new Query.Get("k"), false));
			long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
			assertThat(millis).as("read %d took %d ms", reads, millis).isLessThan(20);
			assertThat(read).isInstanceOfSatisfying(Outcome.Found.class, found -> assertThat(
					new String(found.value().value(), StandardCharsets.UTF_8)).isIn("v1", "v2"));
			reads++;
		}
		assertThat(reads).as("reads answered while the write's fsync ran").isGreaterThanOrEqualTo(5);
		assertThat(await(write)).isInstanceOf(Outcome.Written.class);
	}

	@Test
	void aReadQueuedDuringAStallIsNotAnsweredFromTheLeaseOfBeforeIt() throws Exception {
		startPair();
		assertThat(await(runtime.write(new Command.Put("k", "v1".getBytes(StandardCharsets.UTF_8),
				Precondition.NONE)))).isInstanceOf(Outcome.Written.class);
		assertThat(await(runtime.read(new Query.Get("k"), false))).isInstanceOf(Outcome.Found.class);

		// The loop reads the clock, then stalls for longer than the lease while a read arrives and the backup,
		// cut off, may take over. Whatever the loop takes up after the stall must be judged at a later time.
		AtomicReference<CompletableFuture<Outcome>> queuedDuringStall = new AtomicReference<>();
		AtomicReference<CompletableFuture<Outcome>> next = new AtomicReference<>();
		onLoop.set(() -> {
			partitioned = true;
			clock.stallAfterNextReading(TIMEOUT + 7_000,
					() -> queuedDuringStall.set(runtime.read(new Query.Get("k"), false)));
			next.set(runtime.read(new Query.Get("other"), true));
		});
		await(runtime.read(new Query.Get("poke"), true));
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		while (next.get() == null) {
			assertThat(System.nanoTime()).as("the loop ran the action").isLessThan(deadline);
			Thread.sleep(1);
		}
		await(next.get());
		await(runtime.read(new Query.Get("poke"), true));
		CompletableFuture<Outcome> read = queuedDuringStall.get();
		assertThat(read).as("answered from a lease that expired during the stall").isNotCompleted();

		// No round trip completes within a timeout of the stall: the primary steps down and the read is refused.
		clock.now.addAndGet(TIMEOUT);
		await(runtime.read(new Query.Get("poke"), true));
		assertThat(await(read)).isInstanceOfSatisfying(Outcome.Unavailable.class,
				refused -> assertThat(refused.reason()).contains("is not primary"));
	}

}
