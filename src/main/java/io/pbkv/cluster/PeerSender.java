package io.pbkv.cluster;

import io.pbkv.core.Message;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries one lane of messages to one peer: a bounded queue (when full, the oldest message is dropped) drained by
 * one virtual thread that POSTs everything queued as one request (the JDK's HttpURLConnection, blocking, on a
 * kept-alive connection), waits for the answer, then sends what queued meanwhile. One request at a time keeps the
 * lane's messages in order. A request that finds its pooled connection closed by the peer is sent once more on a
 * new one; any other failure drops the batch: the protocol retransmits what still matters. A request that gets no
 * answer within its timeout is abandoned with its connection, so a link the network silently cut costs one timeout,
 * not every request after it.
 */
final class PeerSender {

	private static final Logger log = LoggerFactory.getLogger(PeerSender.class);

	static final int QUEUE_CAPACITY = 10_000;

	/** A drained queue is split into requests of about this size, so no one request carries a huge backlog. */
	static final int TARGET_REQUEST_BYTES = 8 << 20;

	static final String TOKEN_HEADER = "X-Kv-Token";

	/** Makes the sender for a lane ({@code control} or {@code data}) of one peer, unstarted. */
	@FunctionalInterface
	interface Factory {

		PeerSender create(String lane);

	}

	private final String url;

	private final URL endpoint;

	private final int connectTimeoutMillis;

	private final String token;

	private final Duration timeout;

	/** Extra time a request may take per byte it carries, so that a large batch is not cut off mid-transfer. */
	private final long nanosPerMegabyte;

	private final BlockingDeque<Message> queue = new LinkedBlockingDeque<>(QUEUE_CAPACITY);

	private final PeerLink link;

	private final Thread thread;

	/** Takes the messages a peer answers in its response. */
	private final Consumer<Message> inbound;

	private final PeerTls tls;

	/**
	 * @param lane names the lane in the thread and meters ({@code control} or {@code data})
	 * @param token sent as {@value #TOKEN_HEADER}, or null for none
	 * @param timeout how long a request may wait for its answer, plus {@code perMegabyte} for each MiB it carries
	 */
	PeerSender(String url, String lane, Duration connectTimeout, String token, Duration timeout, Duration perMegabyte,
			PeerLink link, Consumer<Message> inbound) {
		this(url, lane, connectTimeout, token, timeout, perMegabyte, link, inbound, PeerTls.JVM_DEFAULT);
	}

	PeerSender(String url, String lane, Duration connectTimeout, String token, Duration timeout, Duration perMegabyte,
			PeerLink link, Consumer<Message> inbound, PeerTls tls) {
		this.tls = tls;
		this.inbound = inbound;
		this.url = url;
		this.endpoint = toUrl(url + "/internal/replicate");
		this.connectTimeoutMillis = (int) connectTimeout.toMillis();
		this.token = token;
		this.timeout = timeout;
		this.nanosPerMegabyte = perMegabyte.toNanos();
		this.link = link;
		// Its queue is reported by the PeerStream it stands in for, as kv.peer.queued.
		this.thread = Thread.ofVirtual().name("pbkv-peer-" + lane + "-" + url).unstarted(this::run);
	}

	void start() {
		thread.start();
	}

	/** Queues without blocking; when the queue is full the oldest message makes room and is counted as dropped. */
	void enqueue(Message message) {
		while (!queue.offerLast(message)) {
			if (queue.pollFirst() != null) {
				link.overflowed();
			}
		}
	}

	/** Messages waiting to be sent. */
	int queued() {
		return queue.size();
	}

	/** Asks the sender to stop; a request under way is abandoned. */
	void interrupt() {
		thread.interrupt();
	}

	/** Waits for the sender to stop, until {@link System#nanoTime()} reaches {@code deadlineNanos} at most. */
	void await(long deadlineNanos) throws InterruptedException {
		long left = deadlineNanos - System.nanoTime();
		if (left > 0) {
			thread.join(Duration.ofNanos(left));
		}
	}

	private void run() {
		List<Message> drained = new ArrayList<>();
		try {
			while (!Thread.currentThread().isInterrupted()) {
				drained.add(queue.takeFirst());
				queue.drainTo(drained);
				try {
					sendAll(drained);
				}
				catch (RuntimeException ex) {
					link.failed(drained.size());
					log.warn("peer {}: dropped {} messages that could not be sent", url, drained.size(), ex);
				}
				drained.clear();
			}
		}
		catch (InterruptedException ex) {
			// close(): stop quietly; what is queued is lost, as it would be in a crash.
		}
	}

	/** Sends in requests of about {@link #TARGET_REQUEST_BYTES}; after a failure the rest is dropped too. */
	private void sendAll(List<Message> messages) throws InterruptedException {
		int left = messages.size();
		for (List<byte[]> batch : batches(messages)) {
			if (!post(batch)) {
				link.failed(left);
				return;
			}
			left -= batch.size();
		}
	}

	/** The messages encoded, in order, in batches of about {@link #TARGET_REQUEST_BYTES} (at least one each). */
	static List<List<byte[]>> batches(List<Message> messages) {
		List<List<byte[]>> batches = new ArrayList<>();
		List<byte[]> batch = new ArrayList<>();
		long batchBytes = 0;
		for (Message message : messages) {
			byte[] encoded = MessageCodec.encodeMessage(message);
			if (!batch.isEmpty() && batchBytes + encoded.length > TARGET_REQUEST_BYTES) {
				batches.add(batch);
				batch = new ArrayList<>();
				batchBytes = 0;
			}
			batch.add(encoded);
			batchBytes += encoded.length;
		}
		if (!batch.isEmpty()) {
			batches.add(batch);
		}
		return batches;
	}

	private boolean post(List<byte[]> encodedMessages) throws InterruptedException {
		byte[] body = MessageCodec.batch(encodedMessages);
		Duration wait = timeout.plusNanos(nanosPerMegabyte * body.length / (1 << 20));
		try {
			Answer answer;
			try {
				answer = exchange(body, wait);
			}
			catch (IOException ex) {
				if (ex instanceof SocketTimeoutException || Thread.currentThread().isInterrupted()) {
					throw ex;
				}
				// Most often a pooled connection the peer closed while idle (or a restart): once more, on a new one.
				// Safe: every message may arrive twice.
				link.retried();
				answer = exchange(body, wait);
			}
			// 409: the peer took the batch but holds a newer epoch; it answers that through the protocol.
			if (answer.status() / 100 == 2 || answer.status() == 409) {
				link.answered();
				if (answer.status() == 200) {
					deliverAnswers(answer.body());
				}
				return true;
			}
			link.unanswered("HTTP " + answer.status() + hint(answer.status()));
		}
		catch (IOException ex) {
			if (Thread.currentThread().isInterrupted()) {
				throw new InterruptedException("closed");
			}
			link.unanswered(ex.getClass().getSimpleName() + (ex.getMessage() != null ? " " + ex.getMessage() : ""));
		}
		return false;
	}

	private record Answer(int status, byte[] body) {
	}

	/**
	 * One POST on this thread, over a kept-alive connection: blocking I/O on the sender's virtual thread, with no
	 * hand-off to a selector thread and back. The body is not streamed: the connection buffers it and sends it with
	 * the headers in one write, since a second small write waits for the peer's delayed ACK (Nagle), which cost
	 * 1.5 ms per request at one write in flight, more than both fsyncs. A request unanswered within {@code wait}
	 * is abandoned with its connection.
	 */
	private Answer exchange(byte[] body, Duration wait) throws IOException {
		HttpURLConnection connection = (HttpURLConnection) endpoint.openConnection();
		tls.apply(connection);
		boolean reusable = false;
		try {
			connection.setRequestMethod("POST");
			connection.setDoOutput(true);
			connection.setUseCaches(false);
			connection.setConnectTimeout(connectTimeoutMillis);
			connection.setReadTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, wait.toMillis())));
			connection.setRequestProperty("Content-Type", MessageCodec.MEDIA_TYPE);
			connection.setRequestProperty(PeerProtocol.HEADER, Integer.toString(PeerProtocol.VERSION));
			if (token != null) {
				connection.setRequestProperty(TOKEN_HEADER, token);
			}
			try (OutputStream out = connection.getOutputStream()) {
				out.write(body);
			}
			int status = connection.getResponseCode();
			link.speaks(PeerProtocol.of(connection.getHeaderField(PeerProtocol.HEADER)));
			InputStream in = status < 400 ? connection.getInputStream() : connection.getErrorStream();
			byte[] answer = new byte[0];
			if (in != null) {
				try (in) {
					answer = in.readAllBytes();
				}
			}
			reusable = true;
			return new Answer(status, answer);
		}
		finally {
			if (!reusable) {
				connection.disconnect();
			}
		}
	}

	private static URL toUrl(String url) {
		try {
			return URI.create(url).toURL();
		}
		catch (java.net.MalformedURLException ex) {
			throw new IllegalArgumentException("not a peer URL: " + url, ex);
		}
	}

	/** The peer's results to what this request carried, answered in its response. */
	private void deliverAnswers(byte[] body) {
		if (body == null || body.length == 0) {
			return;
		}
		try {
			MessageCodec.decode(body).forEach(inbound);
		}
		catch (MalformedMessageException ex) {
			log.warn("peer {}: an unreadable answer was ignored: {}", url, ex.getMessage());
		}
	}

	/** Why a peer refused a request, in words an operator can act on. */
	static String hint(int status) {
		return switch (status) {
			case 401 -> " (the peer requires kv.cluster.token, this node sends none)";
			case 403 -> " (the peer has a different kv.cluster.token)";
			case 413 -> " (batch too large for the peer)";
			default -> "";
		};
	}

}
