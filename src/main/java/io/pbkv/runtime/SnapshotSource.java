package io.pbkv.runtime;

import io.pbkv.core.Snapshot;
import io.pbkv.core.SnapshotFetch;

import java.util.function.Consumer;

/**
 * Where a backup gets the snapshot a primary offered ({@link SnapshotFetch}): the peer's file, streamed in bounded
 * chunks. Never blocks the caller and never throws: the work happens on a thread of its own, and {@code fetched}
 * is called there with the verified snapshot, whose file is then durable in the data dir, ready for the log
 * store to take. A fetch that fails is logged and dropped (the primary offers again, and a new fetch of the same
 * snapshot continues where the last one stopped). A request for the snapshot already being fetched is ignored.
 */
public interface SnapshotSource extends AutoCloseable {

	SnapshotSource NONE = (request, fetched) -> {
	};

	void fetch(SnapshotFetch request, Consumer<Snapshot> fetched);

	/** Stops a fetch under way; its partial file stays for the next one. */
	@Override
	default void close() {
	}

}
