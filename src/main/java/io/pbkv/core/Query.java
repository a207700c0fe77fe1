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

	/**
	 * The committed puts and deletes of keys under {@code prefix} with a version (log index) above {@code after},
	 * in commit order, at most {@code limit} of them: one page of a watch.
	 */
	record Changes(String prefix, long after, int limit) implements Query {

		public Changes {
			if (after < 0 || limit < 1) {
				throw new IllegalArgumentException("after " + after + ", limit " + limit);
			}
		}

	}

}
