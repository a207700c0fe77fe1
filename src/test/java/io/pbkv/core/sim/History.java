package io.pbkv.core.sim;

import io.pbkv.core.Outcome;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the clients saw: every operation with the moments it was invoked and completed, as stamps of one global
 * order (virtual milliseconds kept for the reader). An operation whose outcome is unknown never completes.
 */
final class History {

	enum Kind {
		PUT, DELETE, GET
	}

	enum Cond {
		NONE, IF_ABSENT, IF_VALUE
	}

	enum Result {
		/** No answer (yet): may or may not have taken effect. */
		PENDING,
		/** A PUT wrote its value, a DELETE removed the key. */
		OK,
		/** A GET found {@code observed}. */
		FOUND,
		/** A GET found nothing; a DELETE found nothing to remove. */
		NOT_FOUND,
		/** The condition did not hold; the key was at {@code observedVersion}. Nothing changed. */
		PRECONDITION_FAILED,
		/** Definitely not done (503, connection refused): left out of the check. */
		FAILED,
		/** 504 or a connection reset: may or may not have taken effect. */
		UNKNOWN
	}

	static final class Op {

		final int id;

		final int client;

		final String key;

		final Kind kind;

		/** The value a PUT writes; unique per PUT. */
		final String value;

		final Cond cond;

		/** For {@link Cond#IF_VALUE}: the value the client read at {@code condVersion}. */
		final String condValue;

		final long condVersion;

		final String node;

		final long invoke;

		final long invokeMillis;

		long complete = Long.MAX_VALUE;

		long completeMillis = -1;

		Result result = Result.PENDING;

		String observed;

		long observedVersion;

		/** The version a successful write created. */
		long version;

		String detail = "";

		Op(int id, int client, String key, Kind kind, String value, Cond cond, String condValue, long condVersion,
				String node, long invoke, long invokeMillis) {
			this.id = id;
			this.client = client;
			this.key = key;
			this.kind = kind;
			this.value = value;
			this.cond = cond;
			this.condValue = condValue;
			this.condVersion = condVersion;
			this.node = node;
			this.invoke = invoke;
			this.invokeMillis = invokeMillis;
		}

		/** Whether the check must place this operation: it has a definite outcome. */
		boolean required() {
			return result != Result.PENDING && result != Result.UNKNOWN && result != Result.FAILED;
		}

		boolean leftOut() {
			return result == Result.FAILED;
		}

		@Override
		public String toString() {
			String what = switch (kind) {
				case PUT -> "PUT " + key + "=" + value;
				case DELETE -> "DELETE " + key;
				case GET -> "GET " + key;
			};
			String condition = switch (cond) {
				case NONE -> "";
				case IF_ABSENT -> " if-none-match:*";
				case IF_VALUE -> " if-match:" + condVersion + "(" + condValue + ")";
			};
			String outcome = switch (result) {
				case FOUND -> "FOUND " + observed + "@" + observedVersion;
				case PRECONDITION_FAILED -> "412 at version " + observedVersion;
				case OK -> "OK" + (version > 0 ? " v" + version : "");
				default -> result.name();
			};
			return String.format("#%d c%d %s%s via %s [%d ms .. %s] -> %s %s", id, client, what, condition, node,
					invokeMillis, completeMillis < 0 ? "?" : completeMillis + " ms", outcome, detail).trim();
		}

	}

	private final List<Op> ops = new ArrayList<>();

	Op invoke(int client, String key, Kind kind, String value, Cond cond, String condValue, long condVersion,
			String node, long stamp, long millis) {
		Op op = new Op(ops.size() + 1, client, key, kind, value, cond, condValue, condVersion, node, stamp, millis);
		ops.add(op);
		return op;
	}

	/** Records what came back. A second answer for the same operation (a duplicate) is an error. */
	void complete(Op op, Outcome outcome, long stamp, long millis) {
		if (op.result != Result.PENDING) {
			throw new AssertionError("operation answered twice: " + op + " then " + outcome);
		}
		switch (outcome) {
			case Outcome.Written w -> {
				op.result = Result.OK;
				op.version = w.version();
			}
			case Outcome.Deleted d -> {
				op.result = Result.OK;
				op.version = d.version();
			}
			case Outcome.Found f -> {
				op.result = Result.FOUND;
				op.observed = new String(f.value().value(), StandardCharsets.UTF_8);
				op.observedVersion = f.value().version();
			}
			case Outcome.NotFound n -> op.result = Result.NOT_FOUND;
			case Outcome.PreconditionFailed p -> {
				op.result = Result.PRECONDITION_FAILED;
				op.observedVersion = p.currentVersion();
			}
			case Outcome.Unavailable u -> {
				op.result = Result.FAILED;
				op.detail = u.reason();
			}
			case Outcome.Indeterminate i -> {
				op.result = Result.UNKNOWN;
				op.detail = i.reason();
			}
			default -> throw new AssertionError("unexpected answer to " + op + ": " + outcome);
		}
		if (op.result != Result.UNKNOWN) {
			op.complete = stamp;
			op.completeMillis = millis;
		}
	}

	List<Op> ops() {
		return ops;
	}

	Map<String, List<Op>> byKey() {
		Map<String, List<Op>> map = new LinkedHashMap<>();
		for (Op op : ops) {
			map.computeIfAbsent(op.key, k -> new ArrayList<>()).add(op);
		}
		return map;
	}

}
