package io.pbkv.cli;

import java.util.List;

/** How sending one request ended, after any retries. */
sealed interface Delivery {

	/**
	 * A final answer (which may be 404 or 412).
	 * @param afterUnknown whether an earlier attempt of this write may have happened (--retry-unknown)
	 */
	record Answered(HttpAnswer answer, boolean afterUnknown) implements Delivery {
	}

	/**
	 * No final answer: retries ran out, or the last failure may not be retried.
	 * @param failures every failed attempt, oldest first
	 */
	record GaveUp(List<AttemptFailure> failures, ExitCode exitCode) implements Delivery {

		public GaveUp {
			failures = List.copyOf(failures);
		}

		AttemptFailure last() {
			return failures.getLast();
		}

	}

}
