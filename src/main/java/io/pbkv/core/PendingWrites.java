package io.pbkv.core;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes appended to the log but not yet applied: which client waits for which index, and what each key's
 * version will be once they all apply. Conditions are checked against that projected version, so two writes
 * conditional on the same version cannot both be accepted, however many are in flight.
 */
final class PendingWrites {

	private record Projection(long index, long version) {
	}

	private final Map<String, Projection> projections = new HashMap<>();

	private final Map<Long, Long> requestByIndex = new HashMap<>();

	long projectedVersion(String key, KvStateMachine state) {
		Projection p = projections.get(key);
		return p == null ? state.versionOf(key) : p.version();
	}

	void appended(LogEntry entry, long requestId) {
		switch (entry.command()) {
			case Command.Put put -> projections.put(put.key(), new Projection(entry.index(), entry.index()));
			case Command.Delete delete -> projections.put(delete.key(), new Projection(entry.index(), 0));
			case Command.EpochStart ignored -> {
			}
		}
		if (requestId != 0) {
			requestByIndex.put(entry.index(), requestId);
		}
	}

	/** The request waiting for {@code entry}, or 0; forgets the entry's projection once it is the latest. */
	long applied(LogEntry entry) {
		String key = entry.command().key();
		if (key != null) {
			projections.computeIfPresent(key, (k, p) -> p.index() == entry.index() ? null : p);
		}
		Long requestId = requestByIndex.remove(entry.index());
		return requestId == null ? 0 : requestId;
	}

	/** Forgets everything, returning the requests that were waiting (the caller answers them). */
	List<Long> clear() {
		List<Long> waiting = new ArrayList<>(requestByIndex.values());
		projections.clear();
		requestByIndex.clear();
		return waiting;
	}

	int size() {
		return requestByIndex.size();
	}

}
