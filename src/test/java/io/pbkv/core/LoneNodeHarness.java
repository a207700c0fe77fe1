package io.pbkv.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a lone {@link Node} against in-memory "disk": what a {@link Ready} persists is kept, so the node can be
 * crashed (losing everything not persisted) and restored. Time is virtual.
 */
final class LoneNodeHarness {

	final List<LogEntry> disk = new ArrayList<>();

	HardState hardState = HardState.INITIAL;

	Snapshot snapshot = Snapshot.EMPTY;

	long persistedCommit;

	final Map<Long, Outcome> outcomes = new HashMap<>();

	final List<RoleChange> roleChanges = new ArrayList<>();

	Node node;

	long now = 1_000;

	long nextRequest = 1;

	long snapshotEvery = 1_000_000;

	LoneNodeHarness start() {
		node = new Node(NodeConfig.lone("a", "http://a", "cluster-1", snapshotEvery), hardState, snapshot,
				List.copyOf(disk), persistedCommit);
		node.start(now);
		return this;
	}

	long propose(Command command) {
		long id = nextRequest++;
		node.propose(now, id, command);
		return id;
	}

	long read(Query query) {
		long id = nextRequest++;
		node.read(now, id, query, false);
		return id;
	}

	/** Persists what the node asks for without advancing: as if the process dies right after the fsync. */
	Ready persistOnly() {
		Ready rd = node.ready();
		persist(rd);
		return rd;
	}

	private void persist(Ready rd) {
		persistWrites(rd);
		rd.replies().forEach(r -> outcomes.put(r.requestId(), r.outcome()));
		roleChanges.addAll(rd.roleChanges());
	}

	private void persistWrites(Ready rd) {
		if (rd.hardState() != null) {
			hardState = rd.hardState();
		}
		if (rd.truncateFrom() > 0) {
			disk.removeIf(e -> e.index() >= rd.truncateFrom());
		}
		disk.addAll(rd.entries());
		if (rd.commitIndex() > 0) {
			persistedCommit = rd.commitIndex();
		}
	}

	/** Runs the Ready loop until the node has nothing more to do, each write durable as soon as it is queued. */
	LoneNodeHarness settle() {
		ArrayDeque<ReadyLoop.StorageWrite> writes = new ArrayDeque<>();
		ReadyLoop loop = new ReadyLoop(node, new ReadyLoop.Effects() {

			@Override
			public void send(List<Message> messages) {
			}

			@Override
			public void reply(Reply reply) {
				outcomes.put(reply.requestId(), reply.outcome());
			}

			@Override
			public void report(Ready rd) {
				roleChanges.addAll(rd.roleChanges());
			}

			@Override
			public void write(ReadyLoop.StorageWrite write) {
				writes.add(write);
			}

			@Override
			public void snapshot(Snapshot taken) {
				snapshot = taken;
				disk.removeIf(e -> e.index() <= taken.lastIndex());
				node.snapshotSaved(taken.lastIndex());
			}

			@Override
			public void fetch(SnapshotFetch fetch) {
			}

		});
		loop.process();
		while (!writes.isEmpty()) {
			ReadyLoop.StorageWrite write = writes.poll();
			persistWrites(write.ready());
			loop.persisted(write);
			loop.process();
		}
		return this;
	}

	/** Loses everything not persisted and restores a fresh node from the "disk". */
	LoneNodeHarness crashAndRestart() {
		outcomes.clear();
		return start();
	}

	Outcome outcome(long requestId) {
		return outcomes.get(requestId);
	}

	static Command.Put put(String key, String value) {
		return new Command.Put(key, value.getBytes(), Precondition.NONE);
	}

	static Command.Put put(String key, String value, Precondition precondition) {
		return new Command.Put(key, value.getBytes(), precondition);
	}

}
