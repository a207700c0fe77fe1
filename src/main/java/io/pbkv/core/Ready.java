package io.pbkv.core;

import java.util.List;

/**
 * What the core asks the runtime to do, taken with {@link Node#ready()} and acknowledged with
 * {@link Node#advance(Ready)}. The runtime executes it in this order: persist the hard state (when not null),
 * the installed snapshot (when not null), the truncation (when {@code truncateFrom > 0}), the entries and the
 * commit index, with one fsync when anything but the commit index was written; then send the messages; then
 * deliver the replies; then advance. Replies only ever answer entries that were durable and committed at an
 * earlier advance, and messages only ever promise what this Ready made durable.
 */
public record Ready(HardState hardState, Snapshot installSnapshot, long truncateFrom, List<LogEntry> entries,
		long commitIndex, Snapshot snapshot, List<Message> messages, List<LogEntry> discarded,
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
