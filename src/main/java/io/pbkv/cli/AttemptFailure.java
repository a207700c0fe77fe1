package io.pbkv.cli;

/** One attempt that ended without a final answer, with the decision whether to try again. */
final class AttemptFailure extends Exception {

	private final Target target;

	private final Failure failure;

	private final String detail;

	private final RetryDecision decision;

	AttemptFailure(Target target, Failure failure, String detail, RetryDecision decision) {
		super(failure + (target == null ? "" : " at " + target.url()) + ": " + detail, null, false, false);
		this.target = target;
		this.failure = failure;
		this.detail = detail;
		this.decision = decision;
	}

	/** The node the attempt went to, or {@code null} when no node answered. */
	Target target() {
		return target;
	}

	Failure failure() {
		return failure;
	}

	/** The server's problem detail, or the connection error. */
	String detail() {
		return detail;
	}

	RetryDecision decision() {
		return decision;
	}

}
