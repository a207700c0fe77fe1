package io.pbkv.core.sim;

import io.pbkv.core.Command;
import io.pbkv.core.Outcome;
import io.pbkv.core.Precondition;
import io.pbkv.core.Query;
import io.pbkv.core.sim.History.Cond;
import io.pbkv.core.sim.History.Kind;
import io.pbkv.core.sim.History.Op;
import io.pbkv.core.sim.History.Result;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A client of the simulated cluster; every request it makes goes into the {@link History}. Scenarios script it
 * request by request ({@link #put}, {@link #get}, ...). As a workload ({@link #start}) it does one request at a
 * time: GET, PUT (plain, If-Match on a version it saw, If-None-Match: *) and DELETE (plain or If-Match) on a few
 * keys, through the node it believes is primary, or now and then any node, as behind a load balancer. "Not
 * primary" sends it to the named primary or the next node; a request unanswered for {@link #TIMEOUT} is given up
 * (it may still take effect, and a late answer is still recorded). Every value it writes is unique.
 */
final class SimClient {

	static final long TIMEOUT = 4_000;

	private static final Pattern PRIMARY_HINT = Pattern.compile("primary is (\\w+)");

	private record Known(long version, String value) {
	}

	private final int id;

	private final Cluster cluster;

	private final Random random;

	private final List<String> keys;

	private final Map<String, Known> known = new HashMap<>();

	private String target;

	private Op current;

	private int written;

	private boolean stopped;

	SimClient(int id, Cluster cluster, Random random, List<String> keys) {
		this.id = id;
		this.cluster = cluster;
		this.random = random;
		this.keys = keys;
		List<String> ids = cluster.ids();
		this.target = ids.get(random.nextInt(ids.size()));
	}

	/** A scripted client. */
	SimClient(int id, Cluster cluster) {
		this(id, cluster, new Random(id), List.of());
	}

	// --- scripted requests ----------------------------------------------------------------------------------

	Op get(String node, String key) {
		return send(node, key, Kind.GET, null, Cond.NONE, null, op -> {
		});
	}

	Op put(String node, String key, String value) {
		return send(node, key, Kind.PUT, value, Cond.NONE, null, op -> {
		});
	}

	/** {@code If-Match} on the version {@code seen} read or wrote. */
	Op putIfMatch(String node, String key, String value, Op seen) {
		Known k = seen.result == Result.FOUND ? new Known(seen.observedVersion, seen.observed)
				: new Known(seen.version, seen.value);
		return send(node, key, Kind.PUT, value, Cond.IF_VALUE, k, op -> {
		});
	}

	Op delete(String node, String key) {
		return send(node, key, Kind.DELETE, null, Cond.NONE, null, op -> {
		});
	}

	private Op send(String node, String key, Kind kind, String value, Cond cond, Known k, Consumer<Op> then) {
		Op op = cluster.history.invoke(id, key, kind, value, cond, k == null ? null : k.value(),
				k == null ? 0 : k.version(), node, cluster.stamp(), cluster.now());
		Consumer<Outcome> reply = outcome -> {
			cluster.history.complete(op, outcome, cluster.stamp(), cluster.now());
			learn(op);
			then.accept(op);
		};
		Precondition precondition = switch (cond) {
			case NONE -> Precondition.NONE;
			case IF_ABSENT -> Precondition.IF_ABSENT;
			case IF_VALUE -> new Precondition.IfVersion(List.of(k.version()));
		};
		switch (kind) {
			case GET -> cluster.read(node, new Query.Get(key), reply);
			case PUT -> cluster.write(node,
					new Command.Put(key, value.getBytes(StandardCharsets.UTF_8), precondition), reply);
			case DELETE -> cluster.write(node, new Command.Delete(key, precondition), reply);
		}
		return op;
	}

	private void learn(Op op) {
		if (op.result == Result.FOUND) {
			known.put(op.key, new Known(op.observedVersion, op.observed));
		}
		else if (op.result == Result.NOT_FOUND || op.result == Result.OK && op.kind == Kind.DELETE) {
			known.remove(op.key);
		}
		else if (op.result == Result.OK && op.kind == Kind.PUT) {
			known.put(op.key, new Known(op.version, op.value));
		}
	}

	// --- the random workload --------------------------------------------------------------------------------

	void start(long at) {
		cluster.at(at, this::next);
	}

	void stop() {
		stopped = true;
	}

	private void next() {
		if (stopped || current != null) {
			return;
		}
		if (random.nextInt(5) == 0) {
			target = cluster.ids().get(random.nextInt(cluster.ids().size()));
		}
		String key = keys.get(random.nextInt(keys.size()));
		Known k = known.get(key);
		int dice = random.nextInt(100);
		Op op;
		if (dice < 35) {
			op = send(target, key, Kind.GET, null, Cond.NONE, null, this::answered);
		}
		else if (dice < 70 || (dice < 80 && k == null)) {
			op = send(target, key, Kind.PUT, "c" + id + "-" + (++written), Cond.NONE, null, this::answered);
		}
		else if (dice < 80) {
			op = send(target, key, Kind.PUT, "c" + id + "-" + (++written), Cond.IF_VALUE, k, this::answered);
		}
		else if (dice < 87) {
			op = send(target, key, Kind.PUT, "c" + id + "-" + (++written), Cond.IF_ABSENT, null, this::answered);
		}
		else if (dice < 95 || k == null) {
			op = send(target, key, Kind.DELETE, null, Cond.NONE, null, this::answered);
		}
		else {
			op = send(target, key, Kind.DELETE, null, Cond.IF_VALUE, k, this::answered);
		}
		current = op;
		cluster.after(TIMEOUT, () -> {
			if (current == op) {
				current = null;
				rotate();
				next();
			}
		});
	}

	private void answered(Op op) {
		if (op.result == Result.FAILED || op.result == Result.UNKNOWN) {
			follow(op);
		}
		if (current == op) {
			current = null;
			cluster.after(random.nextInt(300), this::next);
		}
	}

	/** Goes where a failed request's answer points: the primary it names, or else the next node. */
	private void follow(Op op) {
		Matcher hint = PRIMARY_HINT.matcher(op.detail);
		if (hint.find() && cluster.ids().contains(hint.group(1))) {
			target = hint.group(1);
		}
		else if (!op.detail.contains("in sync")) {
			rotate();
		}
	}

	private void rotate() {
		List<String> ids = cluster.ids();
		target = ids.get((ids.indexOf(target) + 1) % ids.size());
	}

	/** Reads each key in turn until it gets a definite answer: the end-of-run check that the data is there. */
	void readAll(List<String> keys, Runnable done) {
		readFrom(keys, 0, done);
	}

	private void readFrom(List<String> keys, int i, Runnable done) {
		if (i == keys.size()) {
			done.run();
			return;
		}
		send(target, keys.get(i), Kind.GET, null, Cond.NONE, null, op -> {
			if (op.result == Result.FOUND || op.result == Result.NOT_FOUND) {
				readFrom(keys, i + 1, done);
			}
			else {
				follow(op);
				cluster.after(100, () -> readFrom(keys, i, done));
			}
		});
	}

}
