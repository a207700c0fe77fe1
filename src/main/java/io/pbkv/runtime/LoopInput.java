package io.pbkv.runtime;

import io.pbkv.core.Command;
import io.pbkv.core.Message;
import io.pbkv.core.Outcome;
import io.pbkv.core.Query;
import io.pbkv.core.Snapshot;
import io.pbkv.core.SnapshotFetch;

import java.util.concurrent.CompletableFuture;

/** What other threads hand to the node's loop: client requests, peers' messages, and the loop's own wake-ups. */
sealed interface LoopInput {

	/** Answers the client waiting for this input, if any, with {@code outcome}: the loop will not take it. */
	default void refuse(Outcome outcome) {
		switch (this) {
			case Write w -> w.reply().complete(outcome);
			case Read r -> r.reply().complete(outcome);
			case ForcePromote f -> f.reply().complete(outcome);
			case HandOver h -> h.reply().complete(outcome);
			case ChangeVoters c -> c.reply().complete(outcome);
			case Deliver d -> {
			}
			case Fetched f -> {
			}
			case TakeSnapshot t -> {
			}
			case Wake w -> {
			}
		}
	}

	record Write(Command command, CompletableFuture<Outcome> reply) implements LoopInput {
	}

	record Read(Query query, boolean local, CompletableFuture<Outcome> reply) implements LoopInput {
	}

	record ForcePromote(CompletableFuture<Outcome> reply) implements LoopInput {
	}

	/** Adds the voter at {@code voter} (a URL), or removes the one it names (a node id or URL). */
	record ChangeVoters(String voter, boolean add, CompletableFuture<Outcome> reply) implements LoopInput {
	}

	record HandOver(String to, CompletableFuture<Outcome> reply) implements LoopInput {
	}

	record Deliver(Message message) implements LoopInput {
	}

	/** The snapshot fetched for {@code request}, verified and durable. */
	record Fetched(SnapshotFetch request, Snapshot snapshot) implements LoopInput {
	}

	/** Take a snapshot now (an operator downloads one). */
	record TakeSnapshot() implements LoopInput {
	}

	/** Nothing to do but look again: a snapshot write finished. */
	record Wake() implements LoopInput {
	}

}
