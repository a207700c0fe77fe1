package io.pbkv.core;

import java.util.Arrays;
import java.util.Objects;

/** What a log entry asks the state machine to do. Closed set: storage and the wire format depend on it. */
public sealed interface Command permits Command.Put, Command.Delete, Command.EpochStart {

	/** The largest key a client may write, in UTF-8 bytes: the ceiling of {@code kv.limits.max-key-bytes}. */
	int MAX_KEY_BYTES = 64 << 10;

	/** The largest value a client may write: the ceiling of {@code kv.limits.max-value-bytes} (64MB). */
	int MAX_VALUE_BYTES = 64 << 20;

	/** The key this command writes; null for an epoch start, which writes none. */
	String key();

	/** Sets {@code key} to {@code value} if {@code precondition} holds when the entry is applied. */
	record Put(String key, byte[] value, Precondition precondition) implements Command {
		public Put {
			Objects.requireNonNull(key, "key");
			Objects.requireNonNull(value, "value");
			Objects.requireNonNull(precondition, "precondition");
		}

		@Override
		public boolean equals(Object o) {
			return o instanceof Put p && key.equals(p.key) && Arrays.equals(value, p.value)
					&& precondition.equals(p.precondition);
		}

		@Override
		public int hashCode() {
			return 31 * (31 * key.hashCode() + Arrays.hashCode(value)) + precondition.hashCode();
		}

		@Override
		public String toString() {
			return "Put[key=" + key + ", " + value.length + " bytes, " + precondition + "]";
		}
	}

	/** Removes {@code key} if it exists and {@code precondition} holds when the entry is applied. */
	record Delete(String key, Precondition precondition) implements Command {
		public Delete {
			Objects.requireNonNull(key, "key");
			Objects.requireNonNull(precondition, "precondition");
		}
	}

	/**
	 * The first entry a new primary writes in its epoch. Committing it commits everything before it, so a
	 * new primary serves clients only once it holds every write the previous primary acknowledged.
	 */
	record EpochStart(String primaryId) implements Command {
		public EpochStart {
			Objects.requireNonNull(primaryId, "primaryId");
		}

		@Override
		public String key() {
			return null;
		}
	}

}
