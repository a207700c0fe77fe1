package io.pbkv.core;

import java.util.List;

/**
 * What the core asks the runtime to do, taken with {@link Node#ready()} and acknowledged with
 * {@link Node#advance(Ready)}. The core relies on one promise: everything to persist here is durable before any
 * message is sent, before any reply goes out and before {@code advance} (the runtime's ReadyExecutor spells out
 * the order). Replies only ever answer entries that were durable and committed at an earlier advance.
 */
public record Ready(HardState hardState, Snapshot installSnapshot, long truncateFrom, List<LogEntry> entries,
		long commitIndex, Snapshot snapshot, SnapshotFetch fetch, List<Message> messages, List<LogEntry> discarded,
		List<RoleChange> roleChanges, List<Event> events, List<Reply> replies) {

	public Ready {
		entries = List.copyOf(entries);
		messages = List.copyOf(messages);
		discarded = List.copyOf(discarded);
		roleChanges = List.copyOf(roleChanges);
		events = List.copyOf(events);
		replies = List.copyOf(replies);
	}

	/** Whether executing this needs an fsync before anything is sent or acknowledged. */
	public boolean needsSync() {
		return truncateFrom > 0 || !entries.isEmpty();
	}

}
