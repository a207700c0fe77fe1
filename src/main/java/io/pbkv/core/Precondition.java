package io.pbkv.core;

import java.util.List;

/** A write's condition on the key's current version, judged in log order. */
public sealed interface Precondition {

	Precondition NONE = new None();

	Precondition IF_ABSENT = new IfAbsent();

	Precondition IF_PRESENT = new IfPresent();

	/** Whether the condition holds for a key whose current version is {@code version} (0 when absent). */
	boolean holds(long version);

	/** Unconditional. */
	record None() implements Precondition {
		@Override
		public boolean holds(long version) {
			return true;
		}
	}

	/** {@code If-None-Match: *}: the key must not exist. */
	record IfAbsent() implements Precondition {
		@Override
		public boolean holds(long version) {
			return version == 0;
		}
	}

	/** {@code If-Match: *}: the key must exist. */
	record IfPresent() implements Precondition {
		@Override
		public boolean holds(long version) {
			return version != 0;
		}
	}

	/** {@code If-Match: "v1", "v2"}: the key must exist at one of these versions. */
	record IfVersion(List<Long> versions) implements Precondition {

		/** How many versions a client's {@code If-Match} may list. */
		public static final int MAX_VERSIONS = 100;

		public IfVersion {
			versions = List.copyOf(versions);
		}

		@Override
		public boolean holds(long version) {
			return version != 0 && versions.contains(version);
		}
	}

}
