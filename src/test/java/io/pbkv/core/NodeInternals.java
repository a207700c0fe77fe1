package io.pbkv.core;

/**
 * What the simulation's checkers read from a node beyond its public status: the log entries it holds and the
 * state it has applied. Reads only; nothing here changes a node.
 */
public final class NodeInternals {

	private NodeInternals() {
	}

	/** The entry at {@code index}, or null when it is compacted into a snapshot or not there. */
	public static LogEntry entry(Node node, long index) {
		ReplicationLog log = node.log();
		return index > log.snapshotIndex() && index <= log.lastIndex() ? log.entry(index) : null;
	}

	/** Everything the node has applied, as a snapshot. */
	public static Snapshot applied(Node node) {
		return node.stateMachine().snapshot();
	}

}
