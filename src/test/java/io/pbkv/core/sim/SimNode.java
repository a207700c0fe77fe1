package io.pbkv.core.sim;

import io.pbkv.core.LogEntry;
import io.pbkv.core.Node;
import io.pbkv.core.NodeConfig;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A node as the simulation sees it: its core (null while down), its data dir and its own clock. */
final class SimNode {

	/** One input to a node's core, applied at the node's own clock reading. */
	@FunctionalInterface
	interface Input {
		void apply(Node node, long now);
	}

	final String id;

	final NodeConfig config;

	final SimStore store = new SimStore();

	Node node;

	int incarnation;

	/** Each process's monotonic clock has its own origin, as System.nanoTime does. */
	long clockOffset;

	boolean paused;

	double pausedLoss;

	final List<Input> queued = new ArrayList<>();

	/** Client requests the core holds and has not answered. */
	final Map<Long, Cluster.Request> inside = new LinkedHashMap<>();

	long seenCommit;

	/** Crash right after persisting the next Ready that writes something, before sending or replying. */
	boolean crashAfterNextPersist;

	/** Every entry this node reported discarded, and how many snapshots it installed from a primary. */
	final List<LogEntry> discarded = new ArrayList<>();

	int snapshotsInstalled;

	/** The last index of the snapshot file its runtime is fetching; 0 when none. */
	long fetching;

	/** Chunk requests sent and chunks taken, so that a request's timeout knows whether it was answered. */
	long fetchRequests;

	SimNode(String id, NodeConfig config) {
		this.id = id;
		this.config = config;
	}

	boolean up() {
		return node != null;
	}

}
