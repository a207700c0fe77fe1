package io.pbkv.core;

import java.util.Objects;

/**
 * One record of the replicated log. {@code index} is also the version of the key it writes; {@code epoch} is
 * the epoch of the primary that created it, which is what logs are compared by.
 */
public record LogEntry(long index, long epoch, Command command) {

	public LogEntry {
		if (index < 1) {
			throw new IllegalArgumentException("index must be >= 1: " + index);
		}
		if (epoch < 1) {
			throw new IllegalArgumentException("epoch must be >= 1: " + epoch);
		}
		Objects.requireNonNull(command, "command");
	}

}
