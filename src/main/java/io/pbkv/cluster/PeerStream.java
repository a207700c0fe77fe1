package io.pbkv.cluster;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.pbkv.core.Message;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries one lane of messages to one peer on one long-lived WebSocket to {@code <peer>/internal/replicate}: a
 * bounded queue (when full, the oldest message is dropped) whose messages leave as one binary message per write,
 * without waiting for an answer. Answers come back as messages of the peer's own, on its stream to this node. So a
 * batch costs a frame, not an HTTP request on each side, and batches follow each other as fast as the socket takes
 * them, in order.
 * <p>
 * The thread that queues a message writes it itself when the stream is open and no write is under way: the socket
 * write does not block (the JDK's WebSocket finishes a write the socket cannot take at once on its own), so the
 * loop loses no time, and the message skips the wake-up of a sender thread, which cost a pair about 80 us of every
 * write at one connection. Messages that queue up while a write is under way leave together when it completes, on
 * the lane's own thread, which also opens the stream, pings, and watches the deadlines.
 * <p>
 * Every quarter {@code timeout} the lane pings; a stream whose ping is unanswered for {@code timeout}, or whose
 * write does not complete within it, is abandoned (a link the network silently cut) and a new one is opened. With
 * the request timeout of a third of the heartbeat timeout, a silently dead stream is replaced within about 0.42 of
 * the heartbeat timeout: before the silence can cost a failover or a drop. A
 * batch whose write failed is dropped, and so is what queued while no stream could be opened: the protocol
 * retransmits what still matters. A peer that does not offer the
 * stream (an older release) is sent to with {@link PeerSender}'s POST requests instead, for as long as this node
 * runs.
 */
final class PeerStream {

	private static final Logger log = LoggerFactory.getLogger(PeerStream.class);

	/** Waits between attempts to open a stream to a peer that refused or did not answer. */
	private static final Duration RECONNECT_BACKOFF = Duration.ofMillis(100);

	private final String url;

	private final URI endpoint;

	private final String lane;

	private final HttpClient http;

	private final String token;

	private final Duration timeout;

	/** Extra time a write may take per byte it carries, so that a large batch is not cut off mid-transfer. */
	private final long nanosPerMegabyte;

	private final ReentrantLock lock = new ReentrantLock();

	/** Signalled when the lane's thread has something to do: a write completed late, or the stream failed. */
	private final Condition attention = lock.newCondition();

	/** Guarded by {@link #lock}; at most {@link PeerSender#QUEUE_CAPACITY} messages. */
	private final ArrayDeque<Message> queue = new ArrayDeque<>();

	/** The open stream, or null while there is none; guarded by {@link #lock}, set by the lane's thread. */
	private PeerStreamConnection connection;

	/** The write the socket did not finish at once, or null; guarded by {@link #lock}. */
	private Write inFlight;

	private final PeerLink link;

	private final Thread thread;

	/** Where messages go once the peer turned out not to offer the stream; null until then. */
	private volatile PeerSender fallback;

	private final PeerSender.Factory fallbackFactory;

	/** Whether a stream is open now; for the meter. */
	private volatile boolean open;

	/** A batch the socket is still taking: how many messages it carries and by when it must be written. */
	private record Write(CompletableFuture<WebSocket> future, int messages, long deadlineNanos) {
	}

	PeerStream(String url, String lane, HttpClient http, String token, Duration timeout, Duration perMegabyte,
			PeerLink link, MeterRegistry registry, PeerSender.Factory fallbackFactory) {
		this.url = url;
		this.endpoint = URI.create(url.replaceFirst("^http", "ws") + "/internal/replicate");
		this.lane = lane;
		this.http = http;
		this.token = token;
		this.timeout = timeout;
		this.nanosPerMegabyte = perMegabyte.toNanos();
		this.link = link;
		this.fallbackFactory = fallbackFactory;
		Gauge.builder("kv.peer.queued", this, PeerStream::queued)
			.description("Messages waiting to be sent to a peer")
			.tag("peer", url)
			.tag("lane", lane)
			.register(registry);
		Gauge.builder("kv.peer.streaming", this, stream -> stream.open ? 1 : 0)
			.description("1 while a lane to a peer is an open stream; 0 while it is reconnecting or sends requests "
					+ "(a peer that offers no stream)")
			.tag("peer", url)
			.tag("lane", lane)
			.register(registry);
		// A platform thread: its waits are timed (the next ping, a write's deadline), and a virtual thread's timed
		// park schedules and cancels a timer task each time, which woke the JDK's delay scheduler twice per wait, a
		// few percent of a node's CPU under load.
		this.thread = Thread.ofPlatform()
			.daemon()
			.name("pbkv-peer-" + lane + "-" + url)
			.unstarted(this::run);
	}

	private int queued() {
		PeerSender posts = fallback;
		lock.lock();
		try {
			return queue.size() + (posts == null ? 0 : posts.queued());
		}
		finally {
			lock.unlock();
		}
	}

	void start() {
		thread.start();
	}

	/**
	 * Queues without blocking, and writes what is queued at once when the stream is open and idle; when the queue
	 * is full the oldest message makes room and is counted as dropped.
	 */
	void enqueue(Message message) {
		PeerSender posts = fallback;
		if (posts != null) {
			posts.enqueue(message);
			return;
		}
		lock.lock();
		try {
			if (queue.size() >= PeerSender.QUEUE_CAPACITY) {
				queue.pollFirst();
				link.overflowed();
			}
			queue.addLast(message);
			writeQueued();
		}
		finally {
			lock.unlock();
		}
	}

	/** Asks the lane's thread to stop; a write under way is abandoned. */
	void interrupt() {
		thread.interrupt();
		PeerSender posts = fallback;
		if (posts != null) {
			posts.interrupt();
		}
	}

	/** Waits for the lane's thread to stop, until {@link System#nanoTime()} reaches {@code deadlineNanos} at most. */
	void await(long deadlineNanos) throws InterruptedException {
		long left = deadlineNanos - System.nanoTime();
		if (left > 0) {
			thread.join(Duration.ofNanos(left));
		}
		PeerSender posts = fallback;
		if (posts != null) {
			posts.await(deadlineNanos);
		}
	}

	/**
	 * Writes queued messages, a batch of about {@link PeerSender#TARGET_REQUEST_BYTES} at a time, for as long as
	 * the socket takes each at once; stops at a write it does not, which the lane's thread follows. Lock held.
	 */
	private void writeQueued() {
		while (idle() && !queue.isEmpty()) {
			List<byte[]> batch = takeBatch();
			byte[] body = MessageCodec.batch(batch);
			CompletableFuture<WebSocket> write = connection.send(body);
			if (!write.isDone()) {
				inFlight = new Write(write, batch.size(),
						System.nanoTime() + timeout.toNanos() + nanosPerMegabyte * body.length / (1 << 20));
				write.whenComplete((socket, failure) -> callAttention());
				return;
			}
			if (write.isCompletedExceptionally()) {
				link.failed(batch.size());
				connection.fail("the stream failed: " + failure(write));
			}
		}
	}

	/**
	 * Whether a write may start now: the stream is open and the last write is done. A write that completed since
	 * is accounted for here, and one that failed fails the stream. Lock held.
	 */
	private boolean idle() {
		if (inFlight != null && inFlight.future().isDone()) {
			Write done = inFlight;
			inFlight = null;
			if (done.future().isCompletedExceptionally()) {
				link.failed(done.messages());
				if (connection != null) {
					connection.fail("the stream failed: " + failure(done.future()));
				}
			}
		}
		return inFlight == null && connection != null && !connection.failed();
	}

	/** Takes messages from the head of the queue, encoded, up to about {@link PeerSender#TARGET_REQUEST_BYTES}. */
	private List<byte[]> takeBatch() {
		List<byte[]> batch = new ArrayList<>();
		long bytes = 0;
		while (!queue.isEmpty()) {
			byte[] encoded = MessageCodec.encodeMessage(queue.peekFirst());
			if (!batch.isEmpty() && bytes + encoded.length > PeerSender.TARGET_REQUEST_BYTES) {
				break;
			}
			queue.pollFirst();
			batch.add(encoded);
			bytes += encoded.length;
		}
		return batch;
	}

	private static Throwable failure(CompletableFuture<?> future) {
		try {
			future.join();
			return null;
		}
		catch (CompletionException | CancellationException ex) {
			return ex.getCause() == null ? ex : ex.getCause();
		}
	}

	private void callAttention() {
		lock.lock();
		try {
			attention.signal();
		}
		finally {
			lock.unlock();
		}
	}

	private void run() {
		PeerStreamConnection current = null;
		try {
			while (!Thread.currentThread().isInterrupted()) {
				if (current == null || current.broken()) {
					if (current != null) {
						closed(current);
					}
					current = open();
					if (current == null) {
						if (fallback != null) {
							handOverToFallback();
							return;
						}
						dropQueued();
						Thread.sleep(RECONNECT_BACKOFF);
						continue;
					}
					opened(current);
				}
				current.pingIfDue();
				awaitAttention(current);
			}
		}
		catch (InterruptedException ex) {
			// close(): stop quietly; what is queued is lost, as it would be in a crash.
		}
		finally {
			if (current != null) {
				closed(current);
			}
		}
	}

	/** The stream is the lane's now: what queued while it opened leaves at once. */
	private void opened(PeerStreamConnection current) {
		lock.lock();
		try {
			connection = current;
			open = true;
			writeQueued();
		}
		finally {
			lock.unlock();
		}
	}

	/** The stream is abandoned: a write still under way on it counts as failed. */
	private void closed(PeerStreamConnection current) {
		lock.lock();
		try {
			if (inFlight != null) {
				if (!inFlight.future().isDone() || inFlight.future().isCompletedExceptionally()) {
					link.failed(inFlight.messages());
				}
				inFlight = null;
			}
			connection = null;
			open = false;
		}
		finally {
			lock.unlock();
		}
		current.abort();
	}

	/**
	 * What waited for a stream that could not be opened is dropped, as a failed request's batch is: the protocol
	 * sends again what still matters, and a peer that is down for long cannot fill the heap.
	 */
	private void dropQueued() {
		lock.lock();
		try {
			if (!queue.isEmpty()) {
				link.failed(queue.size());
				queue.clear();
			}
		}
		finally {
			lock.unlock();
		}
	}

	/**
	 * Writes what queued behind a late write once it completed, and waits until the next ping is due, the write
	 * under way passes its deadline (the stream then counts as failed), or something calls for attention.
	 */
	private void awaitAttention(PeerStreamConnection current) throws InterruptedException {
		lock.lock();
		try {
			writeQueued();
			long wait = current.untilNextPing();
			if (inFlight != null) {
				long left = inFlight.deadlineNanos() - System.nanoTime();
				if (left <= 0) {
					current.fail("a write to the stream took longer than " + timeout.toMillis()
							+ " ms and the allowance for its size");
					return;
				}
				wait = Math.min(wait, left);
			}
			if (wait > 0 && !current.failed()) {
				attention.awaitNanos(wait);
			}
		}
		finally {
			lock.unlock();
		}
	}

	/** Moves what is queued to the POST sender, which carries this lane from now on. */
	private void handOverToFallback() {
		List<Message> left;
		lock.lock();
		try {
			left = new ArrayList<>(queue);
			queue.clear();
		}
		finally {
			lock.unlock();
		}
		left.forEach(fallback::enqueue);
	}

	/** A new stream, or null when the peer refused or did not answer (then {@link #fallback} may be set). */
	private PeerStreamConnection open() throws InterruptedException {
		return switch (PeerStreamConnection.open(http, endpoint, token, timeout, link, this::callAttention)) {
			case PeerStreamConnection.Opening.Open open -> open.connection();
			case PeerStreamConnection.Opening.NotOffered notOffered -> {
				log.info("peer {} does not offer the replication stream (HTTP {}); the {} lane uses requests", url,
						notOffered.status(), lane);
				PeerSender posts = fallbackFactory.create(lane);
				posts.start();
				fallback = posts;
				yield null;
			}
			case PeerStreamConnection.Opening.Failed failed -> null;
		};
	}

}
