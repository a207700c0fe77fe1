package io.pbkv.cluster;

import io.micrometer.core.instrument.MeterRegistry;
import io.pbkv.api.RequestBodies;
import io.pbkv.config.KvProperties;
import io.pbkv.core.Message;
import io.pbkv.runtime.NodeRuntime;
import io.pbkv.security.FailedAttempts;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import io.pbkv.storage.FileLogStore;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /internal/replicate}: the receiving end of {@link PeerClient}. Checks the token before reading
 * anything, then the size, then decodes the whole batch before handing any message to the node, so a bad request
 * changes nothing. {@code 204} means every message was queued for the node; {@code 503} means the node refused
 * one (stopped or its queue full) and it and the rest were dropped, which the protocol's retransmission repairs.
 */
@RestController
class PeerController {

	private static final Logger log = LoggerFactory.getLogger(PeerController.class);

	private final NodeRuntime runtime;

	private final KvProperties.Cluster cluster;

	private final PeerRejections rejections;

	/** Missing or wrong tokens per address: past a limit a minute, the address gets 429 until the minute ends. */
	private final FailedAttempts tokenFailures;

	private final Path dataDir;

	/** Bounded: no response is proportional to the state. */
	static final int SNAPSHOT_CHUNK_BYTES = 4 << 20;

	private final AckWaiters ackWaiters;

	/** How long a request carrying appends waits for the node's results, to answer them in its response. */
	private final long awaitResultsMillis;

	private final PeerClient peerClient;

	PeerController(NodeRuntime runtime, KvProperties properties, MeterRegistry registry, AckWaiters ackWaiters,
			PeerClient peerClient) {
		this.runtime = runtime;
		this.ackWaiters = ackWaiters;
		this.peerClient = peerClient;
		this.awaitResultsMillis = Math.min(250, PeerConfiguration.requestTimeout(properties.heartbeat()).toMillis() / 4);
		this.cluster = properties.cluster();
		this.rejections = new PeerRejections(registry);
		this.tokenFailures = new FailedAttempts(Clock.systemUTC());
		this.dataDir = properties.resolvedDataDir();
	}

	@PostMapping("/internal/replicate")
	ResponseEntity<Object> replicate(HttpServletRequest request, HttpServletResponse response) {
		response.setHeader(PeerProtocol.HEADER, Integer.toString(PeerProtocol.VERSION));
		PeerAccess.Refusal unsupported = PeerAccess.version(request);
		if (unsupported != null) {
			return rejections.reject(unsupported);
		}
		try {
			return take(request);
		}
		catch (Exception ex) {
			log.error("unexpected failure while taking a peer request", ex);
			return rejections.reject(HttpStatus.INTERNAL_SERVER_ERROR, "internal-error",
					"the node failed to take this request: " + ex.getClass().getSimpleName());
		}
	}

	/**
	 * {@code GET /internal/snapshot/<lastIndex>?offset=N}: up to {@value #SNAPSHOT_CHUNK_BYTES} bytes of this node's
	 * snapshot file from {@code offset} on, with the file's whole size in {@code X-Kv-Snapshot-Size}; {@code 404}
	 * when that snapshot is gone (a newer one replaced it and no backup pins it). Read by a Tomcat thread straight
	 * from the file: the node's loop takes no part.
	 */
	@GetMapping("/internal/snapshot/{lastIndex}")
	ResponseEntity<Object> snapshotChunk(HttpServletRequest request, @PathVariable long lastIndex,
			@RequestParam(defaultValue = "0") long offset) {
		ResponseEntity<Object> refused = checkToken(request);
		if (refused != null) {
			return refused;
		}
		Path file = FileLogStore.snapshotFile(dataDir, lastIndex);
		try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
			long size = channel.size();
			if (offset < 0 || offset > size) {
				return rejections.reject(HttpStatus.BAD_REQUEST, "snapshot-offset",
						"offset " + offset + " is outside the file's " + size + " bytes");
			}
			ByteBuffer chunk = ByteBuffer.allocate((int) Math.min(SNAPSHOT_CHUNK_BYTES, size - offset));
			while (chunk.hasRemaining() && channel.read(chunk, offset + chunk.position()) >= 0) {
				// read until the chunk is full
			}
			return ResponseEntity.ok()
				.header(SnapshotFetcher.SIZE_HEADER, Long.toString(size))
				.contentType(MediaType.APPLICATION_OCTET_STREAM)
				.body(Arrays.copyOf(chunk.array(), chunk.position()));
		}
		catch (NoSuchFileException ex) {
			return rejections.reject(HttpStatus.NOT_FOUND, "snapshot-gone",
					"this node no longer has snapshot " + lastIndex);
		}
		catch (IOException ex) {
			return rejections.reject(HttpStatus.INTERNAL_SERVER_ERROR, "snapshot-unreadable", ex.toString());
		}
	}

	/** Null when the request carries the token (or none is needed), else the refusal. */
	private ResponseEntity<Object> checkToken(HttpServletRequest request) {
		PeerAccess.Refusal refusal = PeerAccess.token(cluster, request, tokenFailures);
		return refusal == null ? null : rejections.reject(refusal);
	}

	private ResponseEntity<Object> take(HttpServletRequest request) throws InterruptedException {
		ResponseEntity<Object> refused = checkToken(request);
		if (refused != null) {
			return refused;
		}
		byte[] body;
		try {
			body = RequestBodies.readAtMost(request, MessageCodec.MAX_BATCH_BYTES);
		}
		catch (IOException ex) {
			return rejections.reject(HttpStatus.BAD_REQUEST, "peer-body-unreadable", "the body could not be read");
		}
		if (body == null) {
			return rejections.reject(HttpStatus.CONTENT_TOO_LARGE, "peer-batch-too-large",
					"the body exceeds " + MessageCodec.MAX_BATCH_BYTES + " bytes");
		}
		List<Message> messages;
		try {
			messages = MessageCodec.decode(body);
		}
		catch (MalformedMessageException ex) {
			return rejections.reject(HttpStatus.BAD_REQUEST, "peer-batch-malformed",
					"the body is not a message batch: " + ex.getMessage());
		}
		List<AckWaiters.Pending> pending = ackWaiters.register(messages);
		boolean awaited = false;
		try {
			for (Message message : messages) {
				if (!runtime.deliver(message)) {
					return rejections.reject(HttpStatus.SERVICE_UNAVAILABLE, "node-unavailable",
							"the node is stopped or its queue is full; messages were dropped");
				}
			}
			long epoch = runtime.status().epoch();
			if (!messages.isEmpty() && messages.stream().allMatch(m -> fromOlderPrimary(m, epoch))) {
				// Still delivered: the node changes nothing for them and answers with its epoch, so the sender learns.
				return rejections.reject(HttpStatus.CONFLICT, "stale-epoch",
						"this node is at epoch " + epoch + "; replication from an older epoch is refused");
			}
			// The node's results to these appends go back in this response: one round trip instead of two.
			List<Message> results = ackWaiters.await(pending, awaitResultsMillis);
			awaited = true;
			if (results.isEmpty()) {
				return ResponseEntity.noContent().build();
			}
			List<byte[]> encoded = results.stream().map(MessageCodec::encodeMessage).toList();
			return ResponseEntity.ok()
				.contentType(MediaType.parseMediaType(MessageCodec.MEDIA_TYPE))
				.body(MessageCodec.batch(encoded));
		}
		finally {
			if (!awaited) {
				giveUp(pending);
			}
		}
	}

	/** The request ends without results: whatever the node answers goes out on its own. */
	private void giveUp(List<AckWaiters.Pending> pending) throws InterruptedException {
		// Results taken for this request just now are sent the usual way.
		peerClient.send(ackWaiters.await(pending, 0));
	}

	private static boolean fromOlderPrimary(Message m, long epoch) {
		return (m instanceof Message.Append || m instanceof Message.InstallSnapshot) && m.epoch() < epoch;
	}

}
