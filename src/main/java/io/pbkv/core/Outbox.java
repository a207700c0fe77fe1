package io.pbkv.core;

import java.util.ArrayList;
import java.util.List;

/** What the core tells the world between two {@link Node#ready()} calls, besides what must be made durable. */
final class Outbox {

	private final List<Message> messages = new ArrayList<>();

	private final List<RoleChange> roleChanges = new ArrayList<>();

	private final List<Event> events = new ArrayList<>();

	private final List<LogEntry> discarded = new ArrayList<>();

	private SnapshotFetch fetch;

	void send(Message m) {
		messages.add(m);
	}

	void roleChanged(RoleChange change) {
		roleChanges.add(change);
	}

	void event(Event.Kind kind, int count, String text) {
		events.add(new Event(kind, count, text));
	}

	void fetch(SnapshotFetch request) {
		fetch = request;
	}

	void discarded(List<LogEntry> entries) {
		discarded.addAll(entries);
	}

	boolean isEmpty() {
		return messages.isEmpty() && roleChanges.isEmpty() && events.isEmpty() && discarded.isEmpty() && fetch == null;
	}

	/** A Ready with these outputs and the given durable parts and replies; empties the outbox. */
	Ready drain(HardState hardState, Snapshot installSnapshot, long truncateFrom, List<LogEntry> entries,
			long commitIndex, Snapshot snapshot, List<Reply> replies) {
		Ready rd = new Ready(hardState, installSnapshot, truncateFrom, entries, commitIndex, snapshot, fetch, messages,
				discarded, roleChanges, events, replies);
		fetch = null;
		messages.clear();
		roleChanges.clear();
		events.clear();
		discarded.clear();
		return rd;
	}

}
