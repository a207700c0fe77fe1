package io.pbkv.runtime;

import io.pbkv.core.Event;
import io.pbkv.core.Message;
import io.pbkv.core.RoleChange;

import java.util.List;

/**
 * What the loop and the storage thread report as they run; implemented by the meters. Called on either thread
 * (fsyncs and the messages sent after them come from the storage thread): must be thread-safe and not block.
 */
public interface RuntimeListener {

	RuntimeListener NONE = new RuntimeListener() {
	};

	default void synced(int entries, long nanos) {
	}

	/** A snapshot's file is durable; written off the loop, in {@code nanos}. */
	default void snapshotSaved(int keys, long nanos) {
	}

	/** One turn of the loop took {@code nanos} without looking for input: what a client or peer may wait. */
	default void loopTurn(long nanos) {
	}

	default void roleChanged(RoleChange change) {
	}

	default void failed(Throwable cause) {
	}

	default void sent(List<Message> messages) {
	}

	default void event(Event event) {
	}

	/** A backup acknowledged a replication message this primary sent {@code roundTripMillis} ago. */
	default void replicated(long roundTripMillis) {
	}

}
