package io.pbkv.runtime;

import io.pbkv.core.LogEntry;

import java.io.IOException;
import java.util.List;

/**
 * Where entries removed from the log are kept for inspection: uncommitted writes this node held that the new
 * primary lacks (never silently merged: always logged, counted and kept).
 */
public interface DiscardedEntries {

	DiscardedEntries NONE = entries -> {
	};

	/** Appends {@code entries} durably; called on the node's loop before the truncation is persisted. */
	void record(List<LogEntry> entries) throws IOException;

}
