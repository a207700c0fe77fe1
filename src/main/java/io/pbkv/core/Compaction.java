package io.pbkv.core;

/**
 * When a node snapshots its state and compacts its log, and how much log it keeps after that. The size rule is
 * Redis's AOF rewrite rule: snapshot once the entries applied since the last snapshot amount to
 * {@code growthPercent} of the state's size, and at least {@code minBytes}; so the bytes written per client byte
 * stay bounded (about 1 + 100 / growthPercent) whatever the state's size. After compacting, the log keeps its last
 * {@code retainEntries} entries, but no more than {@code retainBytes} of them, so that a backup away briefly
 * resumes from the log rather than a snapshot.
 *
 * @param growthPercent 0 turns the size rule off (then only the node's entry count rule applies)
 */
public record Compaction(int growthPercent, long minBytes, long retainEntries, long retainBytes) {

	/** No size rule and no retention: the entry count alone decides, and compaction goes as far as it can. */
	public static final Compaction NONE = new Compaction(0, 0, 0, 0);

	public Compaction {
		if (growthPercent < 0 || minBytes < 0 || retainEntries < 0 || retainBytes < 0) {
			throw new IllegalArgumentException("compaction settings must not be negative");
		}
	}

	/** Whether {@code appliedBytes} applied since the last snapshot call for a new one, for a state this size. */
	boolean due(long appliedBytes, long stateBytes) {
		return growthPercent > 0 && appliedBytes >= Math.max(minBytes, stateBytes / 100 * growthPercent);
	}

	/** What an entry weighs in these rules: its key and value, plus a fixed overhead. */
	static long sizeOf(LogEntry entry) {
		return switch (entry.command()) {
			case Command.Put put -> put.value().length + 2L * put.key().length() + 64;
			case Command.Delete delete -> 2L * delete.key().length() + 64;
			case Command.EpochStart start -> 64;
		};
	}

}
