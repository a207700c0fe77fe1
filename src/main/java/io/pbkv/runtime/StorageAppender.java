package io.pbkv.runtime;

import io.pbkv.core.Ready;
import io.pbkv.core.ReadyLoop;
import io.pbkv.core.Snapshot;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The one thread that writes the log, so that the loop never waits for a disk: reads, acknowledgements and
 * heartbeats go on while an fsync runs. It takes every write queued meanwhile, persists them in order, makes them
 * durable with ONE fsync (group commit), sends the messages that waited for them, and hands them back to the loop
 * as {@link #takeDone() done}. Compactions go through the same queue, so the log store has one owner.
 *
 * <p>Within a write the order is: the hard state (epoch, vote; an atomic file of its own), the discarded entries
 * (kept for inspection), an installed snapshot, the truncation, the entries and the commit index. An IOException
 * stops the node rather than guess what reached the disk.
 */
final class StorageAppender implements AutoCloseable {

	private sealed interface Job {
	}

	private record Write(ReadyLoop.StorageWrite write) implements Job {
	}

	/** A snapshot file is durable: the store takes it and drops what it covers, up to {@code compactTo}. */
	private record Compact(Snapshot snapshot, long bytes, long compactTo) implements Job {
	}

	private static final long POLL_MILLIS = 100;

	private final LogStore logStore;

	private final MetaStore metaStore;

	private final DiscardedEntries discarded;

	private final Transport transport;

	private final RuntimeListener listener;

	private final Runnable wakeLoop;

	private final Consumer<Exception> failed;

	/** Unbounded, but fed only by the loop, whose own inbox is bounded, and drained whole at every turn. */
	private final BlockingQueue<Job> queue = new LinkedBlockingQueue<>();

	private final Queue<ReadyLoop.StorageWrite> done = new ConcurrentLinkedQueue<>();

	private final Thread thread;

	private volatile boolean running = true;

	private volatile long sizeOnDisk;

	/** When the batch under way started (System.nanoTime), 0 while idle. */
	private volatile long batchStartedNanos;

	/**
	 * @param wakeLoop called after writes are done, so the loop takes them without waiting for its next tick
	 * @param failed called once, from this thread, when a write failed; nothing is written after it
	 */
	StorageAppender(LogStore logStore, MetaStore metaStore, DiscardedEntries discarded, Transport transport,
			RuntimeListener listener, Runnable wakeLoop, Consumer<Exception> failed) {
		this.logStore = logStore;
		this.metaStore = metaStore;
		this.discarded = discarded;
		this.transport = transport;
		this.listener = listener;
		this.wakeLoop = wakeLoop;
		this.failed = failed;
		this.sizeOnDisk = logStore.sizeOnDisk();
		this.thread = Thread.ofPlatform().name("pbkv-storage").daemon().unstarted(this::run);
	}

	void start() {
		thread.start();
	}

	/** Queues a write behind those already queued. Loop thread. */
	void write(ReadyLoop.StorageWrite write) {
		queue.add(new Write(write));
	}

	/** Queues the compaction that follows a durable snapshot file. Loop thread. */
	void compact(Snapshot snapshot, long bytes, long compactTo) {
		queue.add(new Compact(snapshot, bytes, compactTo));
	}

	/** The next write made durable and sent, in queue order, or null. Loop thread. */
	ReadyLoop.StorageWrite takeDone() {
		return done.poll();
	}

	/** How long the batch under way (its writes and fsync) has taken so far; zero while idle. Any thread. */
	Duration busyFor() {
		long started = batchStartedNanos;
		return started == 0 ? Duration.ZERO : Duration.ofNanos(System.nanoTime() - started);
	}

	/** Bytes the log and snapshot take on disk, as of the last batch. */
	long sizeOnDisk() {
		return sizeOnDisk;
	}

	private void run() {
		List<Job> batch = new ArrayList<>();
		try {
			while (running) {
				Job first = queue.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
				if (first == null) {
					continue;
				}
				batch.add(first);
				queue.drainTo(batch);
				batchStartedNanos = System.nanoTime() | 1;
				execute(batch);
				batchStartedNanos = 0;
				batch.clear();
				sizeOnDisk = logStore.sizeOnDisk();
				wakeLoop.run();
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (IOException | RuntimeException ex) {
			running = false;
			failed.accept(ex);
		}
	}

	private void execute(List<Job> batch) throws IOException {
		boolean sync = false;
		int entries = 0;
		for (Job job : batch) {
			switch (job) {
				case Write w -> {
					persist(w.write().ready());
					sync |= w.write().ready().needsSync();
					entries += w.write().ready().entries().size();
				}
				case Compact c -> logStore.snapshotWritten(c.snapshot(), c.bytes(), c.compactTo());
			}
		}
		if (sync) {
			long start = System.nanoTime();
			logStore.sync();
			listener.synced(entries, System.nanoTime() - start);
		}
		for (Job job : batch) {
			if (job instanceof Write w) {
				transport.send(w.write().messages());
				listener.sent(w.write().messages());
				done.add(w.write());
			}
		}
	}

	private void persist(Ready rd) throws IOException {
		if (rd.hardState() != null) {
			metaStore.save(rd.hardState());
		}
		if (!rd.discarded().isEmpty()) {
			discarded.record(rd.discarded());
		}
		if (rd.installSnapshot() != null) {
			logStore.resetTo(rd.installSnapshot());
		}
		if (rd.truncateFrom() > 0) {
			logStore.truncateFrom(rd.truncateFrom());
		}
		if (!rd.entries().isEmpty()) {
			logStore.append(rd.entries());
		}
		if (rd.commitIndex() > 0) {
			// Not synced on its own: a lost commit mark only makes entries look uncommitted after a crash, and the
			// protocol commits them again.
			logStore.commit(rd.commitIndex());
		}
	}

	/**
	 * Stops after the batch under way; writes still queued are not made durable (their clients were answered
	 * "unknown"). No interrupt: it would close the log's FileChannel under a running fsync.
	 */
	@Override
	public void close() {
		running = false;
		try {
			thread.join(5_000);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
