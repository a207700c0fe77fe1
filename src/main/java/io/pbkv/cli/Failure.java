package io.pbkv.cli;

import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.util.concurrent.CompletionException;

/** The ways one attempt can fail without a final answer. */
enum Failure {

	/** 503: the cluster did not do it (no primary reachable, no backup in sync). */
	UNAVAILABLE(false),

	/** 504: sent for replication, fate not learned. */
	OUTCOME_UNKNOWN(true),

	/** The connection was refused or not made in time, or the host is unknown: nothing was sent. */
	REFUSED(false),

	/** The request was sent and no answer came within --timeout. */
	NO_ANSWER(true),

	/** The request was sent and the connection broke before the answer. */
	CONNECTION_LOST(true),

	/** No node answered {@code GET /cluster}, so there was nobody to send to. */
	NO_NODE(false);

	private final boolean mayHaveHappened;

	Failure(boolean mayHaveHappened) {
		this.mayHaveHappened = mayHaveHappened;
	}

	/** Whether a write that failed this way may have been done anyway. */
	boolean mayHaveHappened() {
		return mayHaveHappened;
	}

	static Failure of(IOException ex) {
		if (ex instanceof ConnectException || ex instanceof HttpConnectTimeoutException
				|| ex instanceof UnknownHostException || ex.getCause() instanceof UnresolvedAddressException) {
			return REFUSED;
		}
		if (ex instanceof HttpTimeoutException) {
			return NO_ANSWER;
		}
		return CONNECTION_LOST;
	}

	/** A short reason for an exception from the HTTP client, such as {@code connection refused}. */
	static String describe(Throwable ex) {
		Throwable cause = ex instanceof CompletionException && ex.getCause() != null ? ex.getCause() : ex;
		if (cause instanceof IOException io) {
			return switch (of(io)) {
				case REFUSED -> cause instanceof HttpConnectTimeoutException ? "connect timed out"
						: cause instanceof ConnectException ? "connection refused" : "unknown host";
				case NO_ANSWER -> "timed out";
				default -> "connection lost" + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
			};
		}
		return cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
	}

}
