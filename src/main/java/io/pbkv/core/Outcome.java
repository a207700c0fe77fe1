package io.pbkv.core;

import java.util.List;

/** The answer to a client request, decided by the core. The API turns each kind into one HTTP status. */
public sealed interface Outcome {

	/** A PUT committed: the key now has {@code version}. */
	record Written(String key, long version, long epoch) implements Outcome {
	}

	/** A DELETE committed at {@code version}. */
	record Deleted(String key, long version, long epoch) implements Outcome {
	}

	/** A read found the key. */
	record Found(String key, VersionedValue value) implements Outcome {
	}

	/**
	 * A listing, sorted by key; values are null unless asked for. {@code version} is the applied index it was read
	 * at; {@code next} the last key listed when more follow (the next page's {@code after}), else null.
	 */
	record Listing(List<Item> items, long version, String next) implements Outcome {
		public Listing {
			items = List.copyOf(items);
		}

		public record Item(String key, long version, byte[] value) {
		}
	}

	/**
	 * A page of a watch: the changes after the asked version, in commit order. Every change under the prefix up to
	 * {@code through} is in {@code items} (so a watch goes on after {@code through}); a delete's value is null.
	 */
	record Changes(List<Change> items, long through) implements Outcome {
		public Changes {
			items = List.copyOf(items);
		}

		public record Change(String key, long version, byte[] value) {

			public boolean deleted() {
				return value == null;
			}

		}
	}

	/** A watch asked for changes this node no longer holds: it can serve those after {@code oldest} only. */
	record Compacted(long oldest) implements Outcome {
	}

	/** The key does not exist. */
	record NotFound(String key) implements Outcome {
	}

	/** The write's condition did not hold; {@code currentVersion} is 0 when the key is absent. */
	record PreconditionFailed(String key, long currentVersion) implements Outcome {
	}

	/** Not done and in no log: safe to retry. */
	record Unavailable(String reason) implements Outcome {
	}

	/** Sent for replication, fate not learned: the write may or may not have happened. */
	record Indeterminate(String reason) implements Outcome {
	}

	/** An operator forced this node to primary in {@code epoch}; {@code warning} says what may be lost. */
	record Forced(long epoch, long lastIndex, String warning) implements Outcome {
	}

	/** This primary handed over to {@code to}, which becomes primary in {@code epoch}; this node is now a backup. */
	record HandedOver(String from, String to, long epoch, long lastIndex) implements Outcome {
	}

	/** The state machine applied an entry that answers nobody (an epoch start). */
	/** The voters changed: a majority holds configuration {@code version}, whose voters are {@code voters}. */
	record Reconfigured(String version, List<String> voters) implements Outcome {

		public Reconfigured {
			voters = List.copyOf(voters);
		}

	}

	record Applied(long index) implements Outcome {
	}

}
