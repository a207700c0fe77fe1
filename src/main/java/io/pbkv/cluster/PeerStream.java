package io.pbkv.cluster;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.pbkv.core.Message;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries one lane of messages to one peer on one long-lived WebSocket to {@code <peer>/internal/replicate}: a
 * bounded queue (when full, the oldest message is dropped) drained by one thread, which writes everything
 * queued as one binary message and goes on at once, without waiting for an answer. Answers come back as messages
 * of the peer's own, on its stream to this node. So a batch costs a frame, not an HTTP request on each side, and
 * batches follow each other as fast as the socket takes them, in order.
 * <p>
 * Every quarter {@code timeout} the sender pings; a stream whose ping is unanswered for {@code timeout}, or whose
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

	private final BlockingDeque<Message> queue = new LinkedBlockingDeque<>(PeerSender.QUEUE_CAPACITY);

	private final PeerLink link;

	private final Thread thread;

	/** Where messages go once the peer turned out not to offer the stream; null until then. */
	private volatile PeerSender fallback;

	private final PeerSender.Factory fallbackFactory;

	/** Whether a stream is open now; for the meter. */
	private volatile boolean open;

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
		// A platform thread: the sender's waits are timed (the next ping, a write's deadline), and a virtual thread's
		// timed park schedules and cancels a timer task each time, which woke the JDK's delay scheduler twice per
		// batch, a few percent of a node's CPU under load.
		this.thread = Thread.ofPlatform()
			.daemon()
			.name("pbkv-peer-" + lane + "-" + url)
			.unstarted(this::run);
	}

	private int queued() {
		PeerSender posts = fallback;
		return queue.size() + (posts == null ? 0 : posts.queued());
	}

	void start() {
		thread.start();
	}

	/** Queues without blocking; when the queue is full the oldest message makes room and is counted as dropped. */
	void enqueue(Message message) {
		PeerSender posts = fallback;
		if (posts != null) {
			posts.enqueue(message);
			return;
		}
		while (!queue.offerLast(message)) {
			if (queue.pollFirst() != null) {
				link.overflowed();
			}
		}
	}

	/** Asks the sender to stop; a write under way is abandoned. */
	void interrupt() {
		thread.interrupt();
		PeerSender posts = fallback;
		if (posts != null) {
			posts.interrupt();
		}
	}

	/** Waits for the sender to stop, until {@link System#nanoTime()} reaches {@code deadlineNanos} at most. */
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

	private void run() {
		Connection connection = null;
		List<Message> drained = new ArrayList<>();
		try {
			while (!Thread.currentThread().isInterrupted()) {
				if (connection == null || connection.broken()) {
					open = false;
					if (connection != null) {
						connection.abort();
					}
					connection = open();
					open = connection != null;
					if (connection == null) {
						if (fallback != null) {
							handOverToFallback();
							return;
						}
						// What waited for this stream is dropped, as a failed request's batch is: the protocol sends
						// again what still matters, and a peer that is down for long cannot fill the heap.
						queue.drainTo(drained);
						if (!drained.isEmpty()) {
							link.failed(drained.size());
							drained.clear();
						}
						Thread.sleep(RECONNECT_BACKOFF);
						continue;
					}
				}
				Message first = queue.pollFirst(connection.untilNextPing(), TimeUnit.NANOSECONDS);
				if (first != null) {
					drained.add(first);
					queue.drainTo(drained);
					int unsent = connection.write(drained);
					if (unsent > 0) {
						link.failed(unsent);
					}
					drained.clear();
				}
				connection.pingIfDue();
			}
		}
		catch (InterruptedException ex) {
			// close(): stop quietly; what is queued is lost, as it would be in a crash.
		}
		finally {
			open = false;
			if (connection != null) {
				connection.abort();
			}
		}
	}

	/** Moves what is queued to the POST sender, which carries this lane from now on. */
	private void handOverToFallback() {
		List<Message> left = new ArrayList<>();
		queue.drainTo(left);
		left.forEach(fallback::enqueue);
	}

	/** A new stream, or null when the peer refused or did not answer (then {@link #fallback} may be set). */
	private Connection open() throws InterruptedException {
		Connection connection = new Connection();
		WebSocket.Builder builder = http.newWebSocketBuilder()
			.connectTimeout(timeout)
			.header(PeerProtocol.HEADER, Integer.toString(PeerProtocol.VERSION))
			.subprotocols(PeerProtocol.SUBPROTOCOL);
		if (token != null) {
			builder.header(PeerSender.TOKEN_HEADER, token);
		}
		CompletableFuture<WebSocket> opening = builder.buildAsync(endpoint, connection);
		try {
			connection.socket = opening.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
			connection.lastPongAt = System.nanoTime();
			link.speaks(PeerProtocol.ofSubprotocol(connection.socket.getSubprotocol()));
			link.answered();
			return connection;
		}
		catch (ExecutionException ex) {
			if (ex.getCause() instanceof WebSocketHandshakeException refused) {
				int status = refused.getResponse().statusCode();
				if (status == 401 || status == 403) {
					link.unanswered("HTTP " + status + PeerSender.hint(status));
					return null;
				}
				if (status / 100 == 4) {
					log.info("peer {} does not offer the replication stream (HTTP {}); the {} lane uses requests",
							url, status, lane);
					PeerSender posts = fallbackFactory.create(lane);
					posts.start();
					fallback = posts;
					return null;
				}
				link.unanswered("HTTP " + status);
				return null;
			}
			Throwable cause = ex.getCause() == null ? ex : ex.getCause();
			link.unanswered(cause.getClass().getSimpleName() + (cause.getMessage() != null ? " " + cause.getMessage()
					: ""));
			return null;
		}
		catch (TimeoutException ex) {
			link.unanswered("no answer to the stream's handshake within " + timeout.toMillis() + " ms");
			// Should it open after all, nobody writes on it: close it rather than leave it to the peer.
			opening.thenAccept(WebSocket::abort);
			return null;
		}
	}

	/** One open stream: its socket, what the peer last answered, and whether it failed. */
	private final class Connection implements WebSocket.Listener {

		private WebSocket socket;

		private volatile boolean failed;

		private volatile long lastPongAt;

		private long pingSentAt = -1;

		private long nextPingAt = System.nanoTime();

		boolean broken() {
			if (failed || socket.isOutputClosed() || socket.isInputClosed()) {
				return true;
			}
			if (pingSentAt >= 0 && lastPongAt < pingSentAt && System.nanoTime() - pingSentAt > timeout.toNanos()) {
				link.unanswered("no answer to a ping within " + timeout.toMillis() + " ms; opening a new stream");
				return true;
			}
			return false;
		}

		long untilNextPing() {
			return Math.max(0, nextPingAt - System.nanoTime());
		}

		void pingIfDue() throws InterruptedException {
			long now = System.nanoTime();
			if (now < nextPingAt) {
				return;
			}
			nextPingAt = now + timeout.toNanos() / 4;
			if (pingSentAt < 0 || lastPongAt >= pingSentAt) {
				pingSentAt = now;
				complete(socket.sendPing(ByteBuffer.allocate(0)), timeout.toNanos());
			}
		}

		/**
		 * Writes the messages as one binary message per {@link PeerSender#TARGET_REQUEST_BYTES} or so; returns how
		 * many were not written because a write failed.
		 */
		int write(List<Message> messages) throws InterruptedException {
			int left = messages.size();
			for (List<byte[]> batch : PeerSender.batches(messages)) {
				if (!writeBatch(batch)) {
					return left;
				}
				left -= batch.size();
			}
			return 0;
		}

		private boolean writeBatch(List<byte[]> encoded) throws InterruptedException {
			byte[] body = MessageCodec.batch(encoded);
			return complete(socket.sendBinary(ByteBuffer.wrap(body), true),
					timeout.toNanos() + nanosPerMegabyte * body.length / (1 << 20));
		}

		private boolean complete(CompletableFuture<WebSocket> write, long waitNanos) throws InterruptedException {
			try {
				write.get(waitNanos, TimeUnit.NANOSECONDS);
				return true;
			}
			catch (ExecutionException ex) {
				fail("the stream failed: " + ex.getCause());
			}
			catch (TimeoutException ex) {
				fail("a write to the stream took longer than " + TimeUnit.NANOSECONDS.toMillis(waitNanos) + " ms");
			}
			return false;
		}

		private void fail(String reason) {
			failed = true;
			link.unanswered(reason);
		}

		void abort() {
			socket.abort();
		}

		@Override
		public void onOpen(WebSocket webSocket) {
			webSocket.request(Long.MAX_VALUE);
		}

		@Override
		public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
			lastPongAt = System.nanoTime();
			link.answered();
			return null;
		}

		@Override
		public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
			fail("the peer closed the stream: " + statusCode + " " + reason);
			return null;
		}

		@Override
		public void onError(WebSocket webSocket, Throwable error) {
			fail("the stream failed: " + error);
		}

	}

}
