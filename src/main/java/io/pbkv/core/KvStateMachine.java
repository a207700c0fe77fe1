package io.pbkv.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;

import org.pcollections.TreePMap;

/**
 * The key-value map that committed log entries are applied to, in index order. Applying the same entries
 * gives the same state and the same outcomes on every node: conditions are judged here, at apply time.
 */
public final class KvStateMachine implements StateMachine {

	/** Persistent: each write makes a new version sharing most of the old, so a snapshot is a reference. */
	private TreePMap<String, VersionedValue> data = TreePMap.empty();

	private long appliedIndex;

	private long appliedEpoch;

	/** Roughly what the state weighs (keys, values, overhead), maintained on every write: the compaction rule's base. */
	private long bytes;

	/** The epoch history of the applied entries: first index of each epoch's run, to that epoch. */
	private final TreeMap<Long, Long> epochs = new TreeMap<>();

	@Override
	public Outcome apply(LogEntry entry) {
		if (entry.index() != appliedIndex + 1) {
			throw new IllegalStateException("applying index " + entry.index() + " after " + appliedIndex);
		}
		if (epochs.isEmpty() ? entry.index() == 1 : entry.epoch() != appliedEpoch) {
			epochs.put(entry.index(), entry.epoch());
		}
		appliedIndex = entry.index();
		appliedEpoch = entry.epoch();
		return switch (entry.command()) {
			case Command.Put put -> applyPut(entry, put);
			case Command.Delete delete -> applyDelete(entry, delete);
			case Command.EpochStart ignored -> new Outcome.Applied(entry.index());
		};
	}

	/**
	 * Each walk down the tree costs a cache miss or more per level (node, key, key bytes): the largest part of a
	 * backup's loop under load. So an unconditional put of a new key walks it once, and any other put twice.
	 */
	private Outcome applyPut(LogEntry entry, Command.Put put) {
		VersionedValue old = null;
		if (mayRefuse(put)) {
			old = data.get(put.key());
			Outcome refusal = refusal(put, version(old));
			if (refusal != null) {
				return refusal;
			}
		}
		TreePMap<String, VersionedValue> next = data.plus(put.key(), new VersionedValue(put.value(), entry.index()));
		if (old == null && next.size() == data.size()) {
			old = data.get(put.key());
		}
		bytes += weight(put.key(), put.value()) - (old == null ? 0 : weight(put.key(), old.value()));
		data = next;
		return new Outcome.Written(put.key(), entry.index(), entry.epoch());
	}

	private Outcome applyDelete(LogEntry entry, Command.Delete delete) {
		VersionedValue old = data.get(delete.key());
		Outcome refusal = refusal(delete, version(old));
		if (refusal != null) {
			return refusal;
		}
		bytes -= weight(delete.key(), old.value());
		data = data.minus(delete.key());
		return new Outcome.Deleted(delete.key(), entry.index(), entry.epoch());
	}

	/** A key's version, 0 when it is absent. */
	private static long version(VersionedValue value) {
		return value == null ? 0 : value.version();
	}

	/** What one key and its value weigh in {@link #bytes()}: the value, the key's chars, and a map entry's overhead. */
	private static long weight(String key, byte[] value) {
		return value.length + 2L * key.length() + 64;
	}

	/** Whether {@link #refusal} can refuse {@code command} at some version; if not, nobody need look the version up. */
	static boolean mayRefuse(Command command) {
		return !(command instanceof Command.Put put && put.precondition() instanceof Precondition.None);
	}

	/**
	 * Why {@code command} would change nothing for a key at {@code current} version (0: absent), or null if it
	 * applies. The one check, used when a write is proposed (against the projected version) and when it is
	 * applied. A failed condition wins over absence, as in HTTP: {@code If-Match} on a missing resource is 412.
	 */
	static Outcome refusal(Command command, long current) {
		return switch (command) {
			case Command.Put put -> put.precondition().holds(current) ? null
					: new Outcome.PreconditionFailed(put.key(), current);
			case Command.Delete delete -> !delete.precondition().holds(current)
					? new Outcome.PreconditionFailed(delete.key(), current)
					: current == 0 ? new Outcome.NotFound(delete.key()) : null;
			case Command.EpochStart ignored -> new Outcome.Unavailable("clients cannot start epochs");
		};
	}

	public long versionOf(String key) {
		return version(data.get(key));
	}

	public Outcome read(Query query) {
		return switch (query) {
			case Query.Get get -> {
				VersionedValue value = data.get(get.key());
				yield value == null ? new Outcome.NotFound(get.key()) : new Outcome.Found(get.key(), value);
			}
			case Query.List list -> list(list);
			case Query.Changes changes -> throw new IllegalArgumentException("the change feed answers " + changes);
		};
	}

	private Outcome.Listing list(Query.List query) {
		String prefix = query.prefix();
		String from = query.after().compareTo(prefix) > 0 ? query.after() : prefix;
		boolean inclusive = !from.equals(query.after());
		NavigableMap<String, VersionedValue> range = from.isEmpty() ? data : data.tailMap(from, inclusive);
		List<Outcome.Listing.Item> items = new ArrayList<>();
		for (Map.Entry<String, VersionedValue> e : range.entrySet()) {
			if (!e.getKey().startsWith(prefix)) {
				break;
			}
			if (items.size() == query.limit()) {
				return new Outcome.Listing(items, appliedIndex, items.get(items.size() - 1).key());
			}
			VersionedValue v = e.getValue();
			items.add(new Outcome.Listing.Item(e.getKey(), v.version(), query.withValues() ? v.value() : null));
		}
		return new Outcome.Listing(items, appliedIndex, null);
	}

	@Override
	public List<LogEntry> writesMissingFrom(Snapshot theirs, long from, long compactedTo, long compactedEpoch,
			boolean divergenceKnown, List<LogEntry> inLog) {
		List<LogEntry> lost = new ArrayList<>();
		Set<String> keysInLog = new HashSet<>();
		inLog.forEach(e -> keysInLog.add(e.command().key()));
		data.forEach((key, mine) -> {
			VersionedValue their = theirs.data().get(key);
			boolean newer = their == null || divergenceKnown || mine.version() > their.version();
			if (mine.version() >= from && mine.version() <= compactedTo && !mine.equals(their) && newer) {
				lost.add(new LogEntry(mine.version(), compactedEpoch,
						new Command.Put(key, mine.value(), new Precondition.None())));
			}
		});
		if (divergenceKnown) {
			// A key the primary holds from before the divergence that we no longer have: we deleted it since.
			theirs.data().forEach((key, their) -> {
				if (their.version() < from && !data.containsKey(key) && !keysInLog.contains(key)) {
					lost.add(new LogEntry(compactedTo, compactedEpoch, new Command.Delete(key, new Precondition.None())));
				}
			});
		}
		lost.sort(Comparator.comparingLong(LogEntry::index));
		return lost;
	}

	@Override
	public Snapshot snapshot() {
		return new Snapshot(appliedIndex, appliedEpoch, data, epochs);
	}

	@Override
	public void restore(Snapshot snapshot) {
		data = (TreePMap<String, VersionedValue>) snapshot.data();
		bytes = 0;
		data.forEach((key, value) -> bytes += weight(key, value.value()));
		epochs.clear();
		epochs.putAll(snapshot.epochs());
		appliedIndex = snapshot.lastIndex();
		appliedEpoch = snapshot.lastEpoch();
	}

	/** The epoch history of what was applied; see {@link Snapshot#epochs()}. */
	@Override
	public NavigableMap<Long, Long> epochs() {
		return Collections.unmodifiableNavigableMap(epochs);
	}

	/** Roughly the state's size in bytes. */
	@Override
	public long bytes() {
		return bytes;
	}

	@Override
	public long appliedIndex() {
		return appliedIndex;
	}

	@Override
	public int size() {
		return data.size();
	}

}
