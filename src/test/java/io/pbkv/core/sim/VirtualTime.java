package io.pbkv.core.sim;

import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.function.BooleanSupplier;

/**
 * The simulation's clock and agenda: actions run in the order of their virtual time (milliseconds), ties in the
 * order they were scheduled, so a run is a pure function of its seed. Also hands out stamps, one global order for
 * what clients see.
 */
final class VirtualTime {

	private record Scheduled(long at, long seq, Runnable action) {
	}

	private final PriorityQueue<Scheduled> agenda = new PriorityQueue<>(
			Comparator.comparingLong(Scheduled::at).thenComparingLong(Scheduled::seq));

	private long now;

	private long seq;

	private long stamps;

	long now() {
		return now;
	}

	/** A point in the one global order of client events. */
	long stamp() {
		return ++stamps;
	}

	void at(long time, Runnable action) {
		agenda.add(new Scheduled(Math.max(time, now), ++seq, action));
	}

	/** Runs every action due up to {@code until}; then the clock reads {@code until}. */
	void runUntil(long until) {
		for (long guard = 0; !agenda.isEmpty() && agenda.peek().at() <= until; guard++) {
			if (guard > 50_000_000) {
				throw new AssertionError("event storm before " + until + " ms");
			}
			runNext();
		}
		now = Math.max(now, until);
	}

	/** Runs until {@code condition} holds, checking after every action; false if {@code millis} pass first. */
	boolean runUntil(BooleanSupplier condition, long millis) {
		long deadline = now + millis;
		while (!condition.getAsBoolean()) {
			if (agenda.isEmpty() || agenda.peek().at() > deadline) {
				now = deadline;
				return condition.getAsBoolean();
			}
			runNext();
		}
		return true;
	}

	private void runNext() {
		Scheduled next = agenda.poll();
		now = next.at();
		next.action().run();
	}

}
