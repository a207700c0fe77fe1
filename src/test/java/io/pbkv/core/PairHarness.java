package io.pbkv.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Two or more nodes on a perfect in-memory network with virtual time: messages are delivered in order at the
 * next step; a node can be crashed (losing what it did not persist), restarted and paused. Small on purpose:
 * the randomized simulation lives in {@code core.sim}.
 */
final class PairHarness {

	static final long INTERVAL = 500;

	static final long TIMEOUT = 3000;

	final class Member {

		final String id;

		final NodeConfig config;

		HardState hardState = HardState.INITIAL;

		Snapshot snapshot = Snapshot.EMPTY;

		final List<LogEntry> disk = new ArrayList<>();

		long commit;

		Node node;

		ReadyLoop loop;

		final ArrayDeque<ReadyLoop.StorageWrite> writes = new ArrayDeque<>();

		boolean paused;

		final ArrayDeque<Message> held = new ArrayDeque<>();

		final List<LogEntry> discarded = new ArrayList<>();

		Member(String id, List<String> peers, boolean initialPrimary) {
			this.id = id;
			this.config = new NodeConfig(id, url(id), peers, "cluster-" + id, 1_000_000, INTERVAL, TIMEOUT, true,
					false, initialPrimary, 64);
		}

		void boot() {
			node = new Node(config, hardState, snapshot, List.copyOf(disk), commit);
			loop = new ReadyLoop(node, new ReadyLoop.Effects() {

				@Override
				public void send(List<Message> messages) {
					network.addAll(messages);
				}

				@Override
				public void reply(Reply reply) {
					outcomes.put(reply.requestId(), reply.outcome());
				}

				@Override
				public void report(Ready rd) {
				}

				@Override
				public void write(ReadyLoop.StorageWrite write) {
					writes.add(write);
				}

				@Override
				public void snapshot(Snapshot taken) {
					node.snapshotSaved(taken.lastIndex());
				}

				@Override
				public void fetch(SnapshotFetch fetch) {
				}

			});
			node.start(now);
		}

		/** Runs the Ready loop, each write durable as soon as it is queued. */
		void process() {
			loop.process();
			while (!writes.isEmpty()) {
				ReadyLoop.StorageWrite write = writes.poll();
				persist(write.ready());
				network.addAll(write.messages());
				loop.persisted(write);
				loop.process();
			}
		}

		private void persist(Ready rd) {
			if (rd.hardState() != null) {
				hardState = rd.hardState();
			}
			if (rd.installSnapshot() != null) {
				snapshot = rd.installSnapshot();
				disk.clear();
				commit = snapshot.lastIndex();
			}
			if (rd.truncateFrom() > 0) {
				disk.removeIf(e -> e.index() >= rd.truncateFrom());
			}
			disk.addAll(rd.entries());
			commit = Math.max(commit, rd.commitIndex());
			discarded.addAll(rd.discarded());
		}

	}

	final Map<String, Member> members = new HashMap<>();

	final ArrayDeque<Message> network = new ArrayDeque<>();

	final Set<String> down = new HashSet<>();

	final Map<Long, Outcome> outcomes = new HashMap<>();

	long now = 10_000;

	long nextRequest = 1;

	static String url(String id) {
		return "http://" + id;
	}

	PairHarness(String... ids) {
		for (String id : ids) {
			List<String> peers = new ArrayList<>();
			for (String other : ids) {
				if (!other.equals(id)) {
					peers.add(url(other));
				}
			}
			members.put(id, new Member(id, peers, id.equals(ids[0])));
		}
		members.values().forEach(Member::boot);
	}

	Member m(String id) {
		return members.get(id);
	}

	/** Advances virtual time in 100 ms ticks, delivering every message right away. */
	void run(long millis) {
		long end = now + millis;
		while (now < end) {
			now += 100;
			for (Member member : members.values()) {
				if (!down.contains(member.id) && !member.paused) {
					member.node.tick(now);
					member.process();
				}
			}
			deliver();
		}
	}

	void deliver() {
		for (int rounds = 0; rounds < 100 && !network.isEmpty(); rounds++) {
			List<Message> batch = new ArrayList<>(network);
			network.clear();
			for (Message msg : batch) {
				Member to = members.values().stream().filter(x -> url(x.id).equals(msg.to())).findFirst().orElseThrow();
				if (down.contains(to.id)) {
					continue;
				}
				if (to.paused) {
					to.held.add(msg);
					continue;
				}
				to.node.step(now, msg);
				to.process();
			}
		}
	}

	long put(String via, String key, String value) {
		long id = nextRequest++;
		m(via).node.propose(now, id, new Command.Put(key, value.getBytes(), Precondition.NONE));
		m(via).process();
		return id;
	}

	long get(String via, String key) {
		long id = nextRequest++;
		m(via).node.read(now, id, new Query.Get(key), false);
		m(via).process();
		return id;
	}

	void crash(String id) {
		down.add(id);
	}

	void restart(String id) {
		down.remove(id);
		m(id).boot();
		m(id).process();
	}

	void pause(String id) {
		m(id).paused = true;
	}

	void resume(String id) {
		Member member = m(id);
		member.paused = false;
		member.node.tick(now);
		member.process();
		while (!member.held.isEmpty()) {
			member.node.step(now, member.held.poll());
			member.process();
		}
		deliver();
	}

	Role role(String id) {
		return m(id).node.status().role();
	}

	String valueOf(long requestId) {
		Outcome o = outcomes.get(requestId);
		return o instanceof Outcome.Found f ? new String(f.value().value()) : String.valueOf(o);
	}

}
