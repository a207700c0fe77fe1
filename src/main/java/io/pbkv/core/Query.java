package io.pbkv.core;

/** A read. Reads change nothing and take no log entry. */
public sealed interface Query {

	record Get(String key) implements Query {
	}

	/**
	 * The keys under {@code prefix} after {@code after} (exclusive; "" for the first), in key order, at most
	 * {@code limit} of them.
	 */
	record List(String prefix, boolean withValues, String after, int limit) implements Query {

		/** Every key under {@code prefix}. */
		public List(String prefix, boolean withValues) {
			this(prefix, withValues, "", Integer.MAX_VALUE);
		}

		public List {
			if (limit < 1) {
				throw new IllegalArgumentException("limit " + limit + " < 1");
			}
		}

	}

}
