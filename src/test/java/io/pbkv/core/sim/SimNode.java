package io.pbkv.core.sim;

import io.pbkv.core.LogEntry;
import io.pbkv.core.Node;
import io.pbkv.core.NodeConfig;
import io.pbkv.core.ReadyLoop;

import java.util.ArrayList;
import java.util.LinkedList;
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

	/** The runtime's Ready loop around {@link #node}. */
	ReadyLoop loop;

	/** Writes handed to storage and not yet durable, oldest first; the first {@link #syncing} are in the fsync. */
	final LinkedList<ReadyLoop.StorageWrite> writes = new LinkedList<>();

	int syncing;

	/** Fsyncs started: an fsync's completion counts only if no later one replaced it. */
	long fsyncs;

	/** Until then, each fsync is slow; or, when the disk hangs, none finishes. */
	long slowDiskUntil;

	boolean diskHangs;

	int incarnation;

	/** Each process's monotonic clock has its own origin, as System.nanoTime does. */
	long clockOffset;

	boolean paused;

	double pausedLoss;

	final List<Input> queued = new ArrayList<>();

	/** Client requests the core holds and has not answered. */
	final Map<Long, Cluster.Request> inside = new LinkedHashMap<>();

	long seenCommit;

	/** Crash just after the next fsync of writes, before their messages are sent. */
	boolean crashAfterNextPersist;

	/** Crash just before the next fsync of writes: a random part of them reached the disk, unsynced. */
	boolean crashBeforeNextFsync;

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
