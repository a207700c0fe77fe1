package io.pbkv.cluster;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One open replication stream of a {@link PeerStream} lane: its WebSocket, what the peer last answered to a ping,
 * and whether it failed. A failure is reported to the {@link PeerLink} once and calls the lane's attention, so that
 * its thread opens a new stream.
 */
final class PeerStreamConnection implements WebSocket.Listener {

	/** What an attempt to open a stream came to. */
	sealed interface Opening {

		record Open(PeerStreamConnection connection) implements Opening {
		}

		/** The peer answered the upgrade with this 4xx other than 401 and 403: a release that offers no stream. */
		record NotOffered(int status) implements Opening {
		}

		/** Refused or unanswered; the link says why. */
		record Failed() implements Opening {
		}

	}

	private final Duration timeout;

	private final PeerLink link;

	private final Runnable callAttention;

	private WebSocket socket;

	private volatile boolean failed;

	private volatile long lastPongAt;

	private long pingSentAt = -1;

	private long nextPingAt = System.nanoTime();

	private PeerStreamConnection(Duration timeout, PeerLink link, Runnable callAttention) {
		this.timeout = timeout;
		this.link = link;
		this.callAttention = callAttention;
	}

	/**
	 * Opens a stream to {@code endpoint}, waiting for the handshake for {@code timeout} at most.
	 * {@code callAttention} runs whenever the stream fails.
	 */
	static Opening open(HttpClient http, URI endpoint, String token, Duration timeout, PeerLink link,
			Runnable callAttention) throws InterruptedException {
		PeerStreamConnection stream = new PeerStreamConnection(timeout, link, callAttention);
		WebSocket.Builder builder = http.newWebSocketBuilder()
			.connectTimeout(timeout)
			.header(PeerProtocol.HEADER, Integer.toString(PeerProtocol.VERSION))
			.subprotocols(PeerProtocol.SUBPROTOCOL);
		if (token != null) {
			builder.header(PeerSender.TOKEN_HEADER, token);
		}
		CompletableFuture<WebSocket> opening = builder.buildAsync(endpoint, stream);
		try {
			stream.socket = opening.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
			stream.lastPongAt = System.nanoTime();
			link.speaks(PeerProtocol.ofSubprotocol(stream.socket.getSubprotocol()));
			link.answered();
			return new Opening.Open(stream);
		}
		catch (ExecutionException ex) {
			if (ex.getCause() instanceof WebSocketHandshakeException refused) {
				int status = refused.getResponse().statusCode();
				if (status == 401 || status == 403) {
					link.unanswered("HTTP " + status + PeerSender.hint(status));
					return new Opening.Failed();
				}
				if (status / 100 == 4) {
					return new Opening.NotOffered(status);
				}
				link.unanswered("HTTP " + status);
				return new Opening.Failed();
			}
			Throwable cause = ex.getCause() == null ? ex : ex.getCause();
			link.unanswered(cause.getClass().getSimpleName() + (cause.getMessage() != null ? " " + cause.getMessage()
					: ""));
			return new Opening.Failed();
		}
		catch (TimeoutException ex) {
			link.unanswered("no answer to the stream's handshake within " + timeout.toMillis() + " ms");
			// Should it open after all, nobody writes on it: close it rather than leave it to the peer.
			opening.thenAccept(WebSocket::abort);
			return new Opening.Failed();
		}
	}

	/** Writes one batch as one binary message; the future completes once the socket took all of it. */
	CompletableFuture<WebSocket> send(byte[] batch) {
		return socket.sendBinary(ByteBuffer.wrap(batch), true);
	}

	boolean failed() {
		return failed;
	}

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

	/** Pings when a ping is due and the last one was answered; the pong, not the write, is what counts. */
	void pingIfDue() {
		long now = System.nanoTime();
		if (now < nextPingAt) {
			return;
		}
		nextPingAt = now + timeout.toNanos() / 4;
		if (pingSentAt < 0 || lastPongAt >= pingSentAt) {
			pingSentAt = now;
			socket.sendPing(ByteBuffer.allocate(0)).whenComplete((socket, failure) -> {
				if (failure != null) {
					fail("the stream failed: " + failure);
				}
			});
		}
	}

	/** Marks the stream failed, so that the lane's thread opens a new one. */
	void fail(String reason) {
		if (!failed) {
			failed = true;
			link.unanswered(reason);
		}
		callAttention.run();
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
