package io.pbkv.core;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The committed history a watch reads: the log entries after the last compaction, less those whose condition failed
 * when applied (they are in the log but changed nothing). Versions are log indexes, so a watch resumes at any
 * version the log still holds.
 */
final class ChangeFeed {

	/** Entries scanned at most per page, so that one page of a narrow watch never holds the loop for long. */
	static final int MAX_SCAN = 10_000;

	/** Indexes of applied entries that changed nothing; rare (conditions are judged when a write is proposed too). */
	private final TreeSet<Long> refused = new TreeSet<>();

	void applied(LogEntry entry, Outcome outcome) {
		if (entry.command().key() != null && !(outcome instanceof Outcome.Written || outcome instanceof Outcome.Deleted)) {
			refused.add(entry.index());
		}
	}

	Outcome read(Query.Changes query, ReplicationLog log, long appliedIndex) {
		long from = log.snapshotIndex();
		if (query.after() < from) {
			return new Outcome.Compacted(from);
		}
		refused.headSet(from, true).clear();
		List<Outcome.Changes.Change> items = new ArrayList<>();
		long to = Math.min(appliedIndex, query.after() + MAX_SCAN);
		for (long i = query.after() + 1; i <= to; i++) {
			Command command = log.entry(i).command();
			String key = command.key();
			if (key == null || !key.startsWith(query.prefix()) || refused.contains(i)) {
				continue;
			}
			items.add(new Outcome.Changes.Change(key, i, command instanceof Command.Put put ? put.value() : null));
			if (items.size() == query.limit()) {
				return new Outcome.Changes(items, i);
			}
		}
		return new Outcome.Changes(items, Math.max(to, query.after()));
	}

}
