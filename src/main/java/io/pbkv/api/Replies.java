package io.pbkv.api;

import io.pbkv.core.Outcome;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/** Waiting for the node's answer to a client request. */
final class Replies {

	private Replies() {
	}

	/** The outcome; the node answers every request within kv.limits.request-timeout, so no timer is set here. */
	static Outcome await(CompletableFuture<Outcome> reply, boolean write) {
		try {
			return reply.get();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return write ? new Outcome.Indeterminate("interrupted") : new Outcome.Unavailable("interrupted");
		}
		catch (ExecutionException ex) {
			throw new IllegalStateException(ex.getCause());
		}
	}

}
