package io.pbkv.core;

import java.util.List;

/**
 * What the core asks the runtime to do, taken with {@link Node#ready()} and acknowledged with
 * {@link Node#advance(Ready)}. The runtime executes it in this order: persist the hard state (when not null),
 * the truncation (when {@code truncateFrom > 0}), the entries and the commit index, with one fsync when
 * entries or a truncation were written; then send; then deliver the replies; then advance. Replies only ever
 * answer entries that were durable and committed at an earlier advance.
 */
public record Ready(HardState hardState, long truncateFrom, List<LogEntry> entries, long commitIndex,
		Snapshot snapshot, List<RoleChange> roleChanges, List<Reply> replies) {

	public Ready {
		entries = List.copyOf(entries);
		roleChanges = List.copyOf(roleChanges);
		replies = List.copyOf(replies);
	}

	/** Whether executing this needs an fsync before anything is sent or acknowledged. */
	public boolean needsSync() {
		return truncateFrom > 0 || !entries.isEmpty();
	}

}
