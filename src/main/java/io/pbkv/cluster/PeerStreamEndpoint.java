package io.pbkv.cluster;

import io.pbkv.core.Message;
import io.pbkv.runtime.NodeRuntime;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.http.HttpStatus;

/**
 * The receiving end of a {@link PeerStream}: each binary message is a batch, decoded whole before any of it is
 * handed to the node, in the order the stream carried them. A batch over {@link MessageCodec#MAX_BATCH_BYTES} or one
 * that does not decode closes the stream (the sender opens a new one and the protocol retransmits), so a bad batch
 * changes nothing. Who may open a stream is checked before the upgrade, by {@link PeerStreamGate}.
 */
final class PeerStreamEndpoint extends Endpoint {

	private static final Logger log = LoggerFactory.getLogger(PeerStreamEndpoint.class);

	/** Tomcat hands a binary message over in parts of this size; the parts are joined here, up to the limit. */
	private static final int PART_BYTES = 64 * 1024;

	private final NodeRuntime runtime;

	private final PeerRejections rejections;

	private final long idleTimeoutMillis;

	/**
	 * @param idleTimeout how long a stream may carry nothing before it is closed; its sender pings four times per
	 * request timeout, so twice that timeout only ever closes a stream whose sender is gone or cut off
	 */
	PeerStreamEndpoint(NodeRuntime runtime, PeerRejections rejections, Duration idleTimeout) {
		this.runtime = runtime;
		this.rejections = rejections;
		this.idleTimeoutMillis = idleTimeout.toMillis();
	}

	@Override
	public void onOpen(Session session, EndpointConfig config) {
		session.setMaxBinaryMessageBufferSize(PART_BYTES);
		session.setMaxIdleTimeout(idleTimeoutMillis);
		session.addMessageHandler(ByteBuffer.class, new Batches(session));
	}

	@Override
	public void onError(Session session, Throwable failure) {
		log.debug("peer stream failed", failure);
	}

	/** Joins a binary message's parts and delivers the batch once it is whole. */
	private final class Batches implements MessageHandler.Partial<ByteBuffer> {

		private final Session session;

		/** Only for a batch that comes in several parts; grown as needed. */
		private byte[] buffer = new byte[0];

		private int size;

		Batches(Session session) {
			this.session = session;
		}

		@Override
		public void onMessage(ByteBuffer part, boolean last) {
			if ((long) size + part.remaining() > MessageCodec.MAX_BATCH_BYTES) {
				refuse(HttpStatus.CONTENT_TOO_LARGE, "peer-batch-too-large", CloseReason.CloseCodes.TOO_BIG,
						"a batch exceeds " + MessageCodec.MAX_BATCH_BYTES + " bytes");
				return;
			}
			if (last && size == 0) {
				// The usual case, a batch in one part: read it straight into its own array.
				byte[] batch = new byte[part.remaining()];
				part.get(batch);
				deliver(batch);
				return;
			}
			if (size + part.remaining() > buffer.length) {
				buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, size + part.remaining()));
			}
			int length = part.remaining();
			part.get(buffer, size, length);
			size += length;
			if (last) {
				byte[] batch = Arrays.copyOf(buffer, size);
				size = 0;
				if (buffer.length > 4 * PART_BYTES) {
					buffer = new byte[PART_BYTES];
				}
				deliver(batch);
			}
		}

		private void deliver(byte[] batch) {
			List<Message> messages;
			try {
				messages = MessageCodec.decode(batch);
			}
			catch (MalformedMessageException ex) {
				refuse(HttpStatus.BAD_REQUEST, "peer-batch-malformed", CloseReason.CloseCodes.CANNOT_ACCEPT,
						"a batch is not a message batch: " + ex.getMessage());
				return;
			}
			for (Message message : messages) {
				if (!runtime.deliver(message)) {
					// Dropped like a lost message: the protocol retransmits what still matters.
					rejections.count("node-unavailable");
					return;
				}
			}
		}

		private void refuse(HttpStatus status, String problem, CloseReason.CloseCode code, String detail) {
			rejections.count(problem);
			log.debug("peer stream closed with {}: {}", status.value(), detail);
			size = 0;
			try {
				// A close reason is at most 123 bytes.
				session.close(new CloseReason(code, problem));
			}
			catch (IOException ex) {
				// already gone
			}
		}

	}

}
