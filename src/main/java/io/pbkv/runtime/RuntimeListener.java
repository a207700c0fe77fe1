package io.pbkv.runtime;

import io.pbkv.core.RoleChange;

/** What the loop reports as it runs; implemented by the meters. Called on the loop thread: must not block. */
public interface RuntimeListener {

	RuntimeListener NONE = new RuntimeListener() {
	};

	default void synced(int entries, long nanos) {
	}

	default void snapshotSaved(int keys, long nanos) {
	}

	default void roleChanged(RoleChange change) {
	}

	default void failed(Throwable cause) {
	}

}
