package io.pbkv.cli;

import java.util.List;

/**
 * Whether a failed attempt is tried again. 503s, refused connections and an unreachable cluster did nothing, so
 * they are retried whatever the request. A failure after which a write may have happened (504, no answer, a broken
 * connection) is retried for reads only; an unconditional write may be repeated when the user allowed it with
 * {@code --retry-unknown}; a conditional write never is, since repeating it could fail its own condition or
 * overwrite a newer value.
 *
 * @param retry whether to try again
 * @param outcomeUnknown whether the write may have happened
 */
record RetryDecision(boolean retry, boolean outcomeUnknown) {

	static RetryDecision decide(Operation operation, Failure failure, boolean retryUnknown) {
		if (!failure.mayHaveHappened() || operation == Operation.READ) {
			return new RetryDecision(true, false);
		}
		return new RetryDecision(operation == Operation.WRITE && retryUnknown, true);
	}

	/** The exit code once attempts stop without an answer: unknown if any attempt may have written. */
	static ExitCode exitCode(List<RetryDecision> history) {
		return history.stream().anyMatch(RetryDecision::outcomeUnknown) ? ExitCode.OUTCOME_UNKNOWN
				: ExitCode.UNAVAILABLE;
	}

}
