package io.pbkv.core.sim;

import io.pbkv.core.sim.History.Op;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.LongFunction;

/**
 * Checks one key's history against a register that holds a value or nothing, with the Wing-Gong search and
 * Lowe's memoization (as Knossos and Porcupine do): try to linearize each pending call, backtrack at a return
 * that cannot be reached, and never revisit a (set of linearized operations, register value) pair. Operations
 * with an unknown outcome may take effect at any point after their call, or never.
 */
final class LinearizabilityChecker {

	/** Searches this many steps at most; past that the verdict is "inconclusive", never a false alarm. */
	static final long STEP_LIMIT = 2_000_000;

	record Verdict(boolean linearizable, boolean inconclusive, String explanation) {
	}

	/** A marker for "this operation cannot happen in this state". */
	private static final String IMPOSSIBLE = new String("impossible");

	private final LongFunction<String> valueAtVersion;

	/**
	 * @param valueAtVersion the value the committed write at a version set, or null when that is not known: turns
	 * a 412's version into what the failed writer observed
	 */
	LinearizabilityChecker(LongFunction<String> valueAtVersion) {
		this.valueAtVersion = valueAtVersion;
	}

	private static final class Entry {

		final Op op;

		final int index;

		final boolean call;

		Entry match;

		Entry prev;

		Entry next;

		Entry(Op op, int index, boolean call) {
			this.op = op;
			this.index = index;
			this.call = call;
		}

	}

	private record Visited(long[] bits, String state) {
		@Override
		public boolean equals(Object o) {
			return o instanceof Visited v && Arrays.equals(bits, v.bits) && Objects.equals(state, v.state);
		}

		@Override
		public int hashCode() {
			return 31 * Arrays.hashCode(bits) + Objects.hashCode(state);
		}
	}

	private record Frame(Entry call, String stateBefore) {
	}

	Verdict check(List<Op> history) {
		List<Op> ops = history.stream().filter(op -> !op.leftOut()).toList();
		List<Entry> events = new ArrayList<>();
		for (int i = 0; i < ops.size(); i++) {
			Op op = ops.get(i);
			Entry call = new Entry(op, i, true);
			events.add(call);
			if (op.required()) {
				Entry ret = new Entry(op, i, false);
				call.match = ret;
				events.add(ret);
			}
		}
		events.sort(Comparator.comparingLong(e -> e.call ? e.op.invoke : e.op.complete));
		Entry head = new Entry(null, -1, false);
		Entry last = head;
		for (Entry e : events) {
			last.next = e;
			e.prev = last;
			last = e;
		}
		long[] bits = new long[(ops.size() + 63) / 64];
		Set<Visited> visited = new HashSet<>();
		Deque<Frame> stack = new ArrayDeque<>();
		String state = null;
		int deepest = 0;
		Op blocking = null;
		Entry entry = head.next;
		for (long steps = 0; head.next != null && entry != null; steps++) {
			if (steps > STEP_LIMIT) {
				return new Verdict(true, true, "gave up after " + STEP_LIMIT + " steps");
			}
			if (entry.call) {
				String next = step(state, entry.op);
				if (next != IMPOSSIBLE) {
					long[] after = bits.clone();
					after[entry.index / 64] |= 1L << (entry.index % 64);
					if (visited.add(new Visited(after, next))) {
						stack.push(new Frame(entry, state));
						state = next;
						bits = after;
						lift(entry);
						entry = head.next;
						continue;
					}
				}
				entry = entry.next;
			}
			else {
				if (stack.size() >= deepest) {
					deepest = stack.size();
					blocking = entry.op;
				}
				if (stack.isEmpty()) {
					return new Verdict(false, false, explain(history, blocking));
				}
				Frame top = stack.pop();
				state = top.stateBefore();
				bits[top.call().index / 64] &= ~(1L << (top.call().index % 64));
				unlift(top.call());
				entry = top.call().next;
			}
		}
		return new Verdict(true, false, "");
	}

	/** The register after {@code op}, or {@link #IMPOSSIBLE} when {@code op} could not have seen {@code state}. */
	private String step(String state, Op op) {
		boolean holds = switch (op.cond) {
			case NONE -> true;
			case IF_ABSENT -> state == null;
			case IF_VALUE -> op.condValue.equals(state);
		};
		return switch (op.result) {
			case PENDING, UNKNOWN -> switch (op.kind) {
				case PUT -> holds ? op.value : state;
				case DELETE -> holds ? null : state;
				case GET -> state;
			};
			case OK -> switch (op.kind) {
				case PUT -> holds ? op.value : IMPOSSIBLE;
				case DELETE -> holds && state != null ? null : IMPOSSIBLE;
				case GET -> throw new AssertionError(op);
			};
			case FOUND -> op.observed.equals(state) ? state : IMPOSSIBLE;
			case NOT_FOUND -> state == null && holds ? state : IMPOSSIBLE;
			case PRECONDITION_FAILED -> !holds && observes(state, op.observedVersion) ? state : IMPOSSIBLE;
			case FAILED -> throw new AssertionError(op);
		};
	}

	private boolean observes(String state, long version) {
		if (version == 0) {
			return state == null;
		}
		String value = valueAtVersion.apply(version);
		return value == null ? state != null : value.equals(state);
	}

	private static void lift(Entry call) {
		call.prev.next = call.next;
		if (call.next != null) {
			call.next.prev = call.prev;
		}
		Entry ret = call.match;
		if (ret != null) {
			ret.prev.next = ret.next;
			if (ret.next != null) {
				ret.next.prev = ret.prev;
			}
		}
	}

	private static void unlift(Entry call) {
		Entry ret = call.match;
		if (ret != null) {
			ret.prev.next = ret;
			if (ret.next != null) {
				ret.next.prev = ret;
			}
		}
		call.prev.next = call;
		if (call.next != null) {
			call.next.prev = call;
		}
	}

	private static String explain(List<Op> history, Op blocking) {
		StringBuilder sb = new StringBuilder("no linearization reaches the return of " + blocking + "\n");
		for (Op op : history) {
			sb.append("    ").append(op.leftOut() ? "(left out) " : "").append(op).append('\n');
		}
		return sb.toString();
	}

}
