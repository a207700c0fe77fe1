package io.pbkv.cluster;

import io.pbkv.core.Message;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Lets a backup answer a primary's appends in the HTTP response of the request that carried them, instead of in a
 * request of its own: one round trip between the nodes per batch rather than two. {@link PeerController} registers
 * each append it delivers; when the node sends the matching result (same primary, same {@code sentAt}),
 * {@link PeerClient} hands it here instead of queueing it; the controller waits a short while for the results and
 * returns them. Whoever removes a waiter first owns it, so a result is either in the response or sent on its own
 * afterwards, never lost and never both.
 */
final class AckWaiters {

	private final ConcurrentHashMap<String, CompletableFuture<Message>> waiting = new ConcurrentHashMap<>();

	private static String key(String primaryUrl, long sentAt) {
		return primaryUrl + " " + sentAt;
	}

	/** An append whose result is awaited. */
	record Pending(String key, CompletableFuture<Message> result) {
	}

	/** Registers the appends of a batch, before they are delivered to the node; for {@link #await}. */
	List<Pending> register(List<Message> delivered) {
		List<Pending> pending = new ArrayList<>();
		for (Message m : delivered) {
			if (m instanceof Message.Append a && !a.entries().isEmpty() && a.fromUrl() != null) {
				String key = key(a.fromUrl(), a.sentAt());
				CompletableFuture<Message> result = new CompletableFuture<>();
				if (waiting.putIfAbsent(key, result) == null) {
					pending.add(new Pending(key, result));
				}
			}
		}
		return pending;
	}

	/** Takes a result someone is waiting for; false when nobody is (the caller sends it on its own). */
	boolean offer(Message message) {
		if (!(message instanceof Message.AppendResult r) || r.to() == null) {
			return false;
		}
		CompletableFuture<Message> waiter = waiting.remove(key(r.to(), r.sentAt()));
		if (waiter == null) {
			return false;
		}
		waiter.complete(message);
		return true;
	}

	/**
	 * The results of {@code pending} that arrive within {@code maxMillis}, in order; the others are given up, so that
	 * their results go out on their own when they come.
	 */
	List<Message> await(List<Pending> pending, long maxMillis) throws InterruptedException {
		long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxMillis);
		List<Message> results = new ArrayList<>();
		for (Pending p : pending) {
			try {
				p.result().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
			}
			catch (TimeoutException | ExecutionException ex) {
				// given up below, unless offer() takes it in the meantime
			}
			if (!waiting.remove(p.key(), p.result())) {
				// offer() took it: it completes the future right after removing it, if it has not yet.
				results.add(p.result().join());
			}
		}
		return results;
	}

	/** How many waiters are registered now (for tests). */
	int size() {
		return waiting.size();
	}

}
