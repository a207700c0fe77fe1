package io.pbkv.core;

import java.util.List;

/**
 * What the core asks the runtime to do, taken with {@link Node#ready()} and acknowledged with
 * {@link Node#advance(Ready)}. The core relies on one promise: everything to persist here, and in every Ready taken
 * before it, is durable before any of its messages is sent (but those of {@link #messagesBeforeSync()}) and before
 * {@code advance}; the runtime's ReadyLoop spells out the order. Replies only ever answer entries that were durable
 * and committed at an earlier advance, so they may go out at once, unless this Ready changes the hard state.
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

	/**
	 * The messages that may be sent before this Ready's writes are durable: a primary's appends, when nothing else
	 * here changes what the node durably is (epoch and vote, an installed snapshot, a truncation). Sending them
	 * while the primary's own fsync runs lets the two disks work at once (the Raft thesis, 10.2.1): a backup
	 * acknowledges only what it made durable itself, the primary counts its own entries towards a commit only
	 * once they are durable here, and a primary that crashes before its fsync comes back as a backup, in a later
	 * epoch, so entries it lost but a backup holds are never overwritten in the same epoch.
	 */
	public List<Message> messagesBeforeSync() {
		return messages.stream().filter(this::sendableBeforeSync).toList();
	}

	/** The other messages: sent once everything here is durable. */
	public List<Message> messagesAfterSync() {
		return messages.stream().filter(m -> !sendableBeforeSync(m)).toList();
	}

	private boolean sendableBeforeSync(Message m) {
		return m instanceof Message.Append && !changesIdentity();
	}

	/**
	 * Whether this changes what the node durably is (epoch and vote, an installed snapshot, a truncation): then no
	 * message of this Ready, nor of any later one, may leave before it is durable.
	 */
	public boolean changesIdentity() {
		return hardState != null || installSnapshot != null || truncateFrom > 0;
	}

	/** Whether this has anything for storage. */
	public boolean hasWrites() {
		return changesIdentity() || !entries.isEmpty() || commitIndex > 0 || !discarded.isEmpty();
	}

	/** Whether executing this needs an fsync before anything is sent or acknowledged. */
	public boolean needsSync() {
		return truncateFrom > 0 || !entries.isEmpty();
	}

}
