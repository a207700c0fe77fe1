package io.pbkv.runtime;

import io.pbkv.core.Snapshot;

import java.io.IOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Writes the snapshots the core asks for on a thread of its own, so that the loop spends O(1) on each (the
 * snapshot is an immutable view of the state) whatever the state's size. One write at a time; the loop
 * {@link #poll polls} for the finished one and then lets the store and the core compact.
 */
final class SnapshotWriter implements AutoCloseable {

	/** A snapshot whose file is durable, {@code bytes} long, written in {@code nanos}. */
	record Written(Snapshot snapshot, long bytes, long nanos) {
	}

	private final LogStore logStore;

	private final Runnable wakeLoop;

	private final ExecutorService thread = Executors
		.newSingleThreadExecutor(Thread.ofPlatform().name("pbkv-snapshot-writer").daemon().factory());

	private Future<Written> inFlight;

	/** @param wakeLoop called when a write finishes, so the loop takes it without waiting for its next tick */
	SnapshotWriter(LogStore logStore, Runnable wakeLoop) {
		this.logStore = logStore;
		this.wakeLoop = wakeLoop;
	}

	/** Starts writing {@code snapshot}; the core asks for one at a time. Loop thread only. */
	void submit(Snapshot snapshot) {
		if (inFlight != null) {
			throw new IllegalStateException("a snapshot write is already under way");
		}
		inFlight = thread.submit(() -> {
			long start = System.nanoTime();
			try {
				return new Written(snapshot, logStore.writeSnapshot(snapshot), System.nanoTime() - start);
			}
			finally {
				wakeLoop.run();
			}
		});
	}

	/** The finished write, or null while none has finished. Loop thread only. */
	Written poll() throws IOException {
		return inFlight != null && inFlight.isDone() ? take() : null;
	}

	/** Waits for the write under way, if any (before a reset, which must not be overtaken by an older file). */
	Written await() throws IOException {
		return inFlight != null ? take() : null;
	}

	private Written take() throws IOException {
		Future<Written> done = inFlight;
		inFlight = null;
		try {
			return done.get();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IOException("interrupted while writing a snapshot", ex);
		}
		catch (ExecutionException ex) {
			if (ex.getCause() instanceof IOException io) {
				throw io;
			}
			throw new IOException("snapshot write failed", ex.getCause());
		}
	}

	@Override
	public void close() {
		thread.shutdownNow();
	}

}
