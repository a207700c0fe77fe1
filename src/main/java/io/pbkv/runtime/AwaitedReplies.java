package io.pbkv.runtime;

import io.pbkv.core.Outcome;
import io.pbkv.core.Reply;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The client requests the loop has handed to the core and not answered yet, each with the future its caller waits
 * on and its deadline. A request the core has not answered when its deadline passes is answered here: "unknown"
 * for a write (it may still commit), "unavailable" for a read; the core's later reply then reaches nobody. So the
 * threads waiting for replies need no timers of their own. Loop thread only.
 */
final class AwaitedReplies {

	private record Deadline(long requestId, long atNanos, boolean write) {
	}

	private final Duration timeout;

	private final Map<Long, CompletableFuture<Outcome>> awaiting = new HashMap<>();

	/** In arrival order, which with one timeout for all is also deadline order. */
	private final ArrayDeque<Deadline> deadlines = new ArrayDeque<>();

	AwaitedReplies(Duration timeout) {
		this.timeout = timeout;
	}

	void add(long requestId, CompletableFuture<Outcome> reply, boolean write, long nowNanos) {
		awaiting.put(requestId, reply);
		deadlines.add(new Deadline(requestId, nowNanos + timeout.toNanos(), write));
	}

	/** Delivers the core's reply, if its caller still waits. */
	void complete(Reply reply) {
		CompletableFuture<Outcome> future = awaiting.remove(reply.requestId());
		if (future != null) {
			future.complete(reply.outcome());
		}
	}

	/** Answers the requests whose deadline has passed at {@code nowNanos}. */
	void expire(long nowNanos) {
		while (!deadlines.isEmpty() && deadlines.peekFirst().atNanos() - nowNanos <= 0) {
			Deadline d = deadlines.pollFirst();
			CompletableFuture<Outcome> reply = awaiting.remove(d.requestId());
			if (reply != null) {
				String reason = "no outcome within " + timeout.toMillis() + " ms";
				reply.complete(d.write() ? new Outcome.Indeterminate(reason) : new Outcome.Unavailable(reason));
			}
		}
		if (deadlines.size() > 2 * awaiting.size() + 1024) {
			deadlines.removeIf(d -> !awaiting.containsKey(d.requestId()));
		}
	}

	/** The node stopped: every caller still waiting learns that the outcome is unknown. */
	void failAll(Outcome outcome) {
		awaiting.values().forEach(f -> f.complete(outcome));
		awaiting.clear();
		deadlines.clear();
	}

}
