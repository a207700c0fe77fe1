package io.pbkv.core.sim;

import io.pbkv.core.Message;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Decides the fate of each message: its delay (random, so messages reorder), whether it is lost or duplicated.
 * Partitions are entries in a set of cut links, as in etcd's raft tests; a scenario can also drop the messages
 * a predicate picks. The random schedules use only delays, duplicates and a low loss rate.
 */
final class SimNetwork {

	private final Random random;

	long minDelay = 1;

	long maxDelay = 50;

	double dropRate;

	double duplicateRate;

	/** Links that carry nothing, as "from->to" node ids. */
	private final Set<String> cut = new HashSet<>();

	private final List<Predicate<Message>> filters = new ArrayList<>();

	SimNetwork(Random random) {
		this.random = random;
	}

	/** The delays after which copies of a message from {@code from} to {@code to} arrive; empty when lost. */
	List<Long> fate(String from, String to, Message message) {
		if (cut.contains(from + "->" + to) || (message != null && filters.stream().anyMatch(f -> f.test(message)))) {
			return List.of();
		}
		if (dropRate > 0 && random.nextDouble() < dropRate) {
			return List.of();
		}
		List<Long> delays = new ArrayList<>(2);
		delays.add(delay());
		if (duplicateRate > 0 && random.nextDouble() < duplicateRate) {
			delays.add(delay());
		}
		return delays;
	}

	long delay() {
		return minDelay + (long) (random.nextDouble() * (maxDelay - minDelay + 1));
	}

	void cut(String from, String to) {
		cut.add(from + "->" + to);
	}

	/** Cuts every link to and from {@code node}, clients included. */
	void isolate(String node, List<String> everyone) {
		for (String other : everyone) {
			if (!other.equals(node)) {
				cut(node, other);
				cut(other, node);
			}
		}
	}

	/** Drops every message {@code filter} accepts until {@link #heal()}. */
	void dropIf(Predicate<Message> filter) {
		filters.add(filter);
	}

	void heal() {
		cut.clear();
		filters.clear();
	}

}
