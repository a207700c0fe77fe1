package io.pbkv.api;

import io.pbkv.config.KvProperties;
import io.pbkv.runtime.NodeRuntime;
import io.pbkv.storage.SnapshotBackups;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /admin/snapshot}: the node's state at one applied index, as a snapshot file that
 * {@code pbkv restore} turns into the data dir of a new cluster. Protected like forced promotion
 * ({@link OperatorToken}).
 *
 * <p>Consistent by construction: a snapshot file is the whole state at exactly its last index (an immutable view
 * taken by the node's loop in one turn), and it gets its name only once it is complete and never changes after.
 * The node first takes a fresh snapshot unless its newest one is already of its applied index, waits for the
 * file, then streams it through a channel opened on it, which keeps the bytes even if a compaction deletes the
 * file meanwhile. Writes applied after the snapshot's index ({@value #INDEX_HEADER}) are not in it.
 */
@RestController
class AdminSnapshotController {

	static final String INDEX_HEADER = "X-Kv-Snapshot-Index";

	static final String EPOCH_HEADER = "X-Kv-Snapshot-Epoch";

	private static final Logger log = LoggerFactory.getLogger(AdminSnapshotController.class);

	/** How long to wait for the fresh snapshot's file before settling for the newest one there is. */
	static final Duration FRESH_SNAPSHOT_WAIT = Duration.ofSeconds(30);

	private static final long POLL_MILLIS = 25;

	private final NodeRuntime runtime;

	private final KvProperties.Cluster cluster;

	private final Path dataDir;

	private final String nodeId;

	private final Duration freshWait;

	@Autowired
	AdminSnapshotController(NodeRuntime runtime, KvProperties properties) {
		this(runtime, properties, FRESH_SNAPSHOT_WAIT);
	}

	AdminSnapshotController(NodeRuntime runtime, KvProperties properties, Duration freshWait) {
		this.runtime = runtime;
		this.cluster = properties.cluster();
		this.dataDir = properties.resolvedDataDir();
		this.nodeId = properties.resolvedNodeId();
		this.freshWait = freshWait;
	}

	@GetMapping("/admin/snapshot")
	void snapshot(@RequestHeader(name = OperatorToken.HEADER, required = false) String given,
			HttpServletResponse response) throws IOException, InterruptedException {
		OperatorToken.require(cluster, given, "downloading a snapshot");
		long applied = runtime.status().appliedIndex();
		Path file = SnapshotBackups.newestSnapshot(dataDir);
		boolean requested = false;
		if (applied > 0 && indexOf(file) < applied) {
			requested = runtime.requestSnapshot();
			if (requested) {
				file = awaitSnapshot(applied, file);
			}
		}
		for (int attempt = 0; file != null; attempt++) {
			try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
				stream(file, channel, response);
				return;
			}
			catch (NoSuchFileException ex) {
				// A newer snapshot replaced it between the listing and the open: take that one.
				if (attempt == 10) {
					throw ex;
				}
				file = SnapshotBackups.newestSnapshot(dataDir);
			}
		}
		if (applied > 0 && !requested) {
			throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "unavailable", "node " + nodeId
					+ " has no snapshot yet and cannot take one now: it is stopped or overloaded");
		}
		throw new ApiException(HttpStatus.CONFLICT, "no-snapshot", "node " + nodeId + " holds no state to "
				+ "snapshot yet (applied index " + applied + "): it has not joined a cluster or caught up");
	}

	/**
	 * Polls the log directory until a snapshot of at least {@code index} is there. A node under heavy load or with
	 * a large state may take longer than {@link #freshWait}: then the newest snapshot there is will do (it is
	 * consistent too, only older), and without one the client is told to retry.
	 */
	private Path awaitSnapshot(long index, Path newest) throws IOException, InterruptedException {
		long deadline = System.nanoTime() + freshWait.toNanos();
		while (System.nanoTime() < deadline) {
			Thread.sleep(POLL_MILLIS);
			newest = SnapshotBackups.newestSnapshot(dataDir);
			if (indexOf(newest) >= index) {
				return newest;
			}
		}
		if (newest == null) {
			throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "unavailable", "node " + nodeId
					+ " is still writing its first snapshot after " + freshWait.toSeconds() + " s; retry later");
		}
		log.warn("node {}: no snapshot of applied index {} within {} s; serving the newest, of index {}", nodeId,
				index, freshWait.toSeconds(), indexOf(newest));
		return newest;
	}

	private void stream(Path file, FileChannel channel, HttpServletResponse response) throws IOException {
		SnapshotBackups.Header header = SnapshotBackups.header(channel, file);
		long size = channel.size();
		response.setStatus(HttpServletResponse.SC_OK);
		response.setContentType(MediaType.APPLICATION_OCTET_STREAM_VALUE);
		response.setContentLengthLong(size);
		response.setHeader(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment()
			.filename("pbkv-" + nodeId + "-" + header.lastIndex() + ".snap")
			.build()
			.toString());
		response.setHeader(HttpHeaders.CACHE_CONTROL, "no-store");
		response.setHeader(INDEX_HEADER, Long.toString(header.lastIndex()));
		response.setHeader(EPOCH_HEADER, Long.toString(header.lastEpoch()));
		log.info("node {}: an operator downloads snapshot {} (epoch {}, {} bytes)", nodeId, header.lastIndex(),
				header.lastEpoch(), size);
		long sent = 0;
		try {
			OutputStream out = response.getOutputStream();
			InputStream in = Channels.newInputStream(channel);
			byte[] buffer = new byte[1 << 16];
			for (int n; sent < size && (n = in.read(buffer, 0, (int) Math.min(buffer.length, size - sent))) > 0;) {
				out.write(buffer, 0, n);
				sent += n;
			}
			out.flush();
		}
		catch (IOException ex) {
			// The client went away: nothing to answer, and nothing on the node depends on it.
			log.info("node {}: download of snapshot {} stopped after {} of {} bytes: {}", nodeId, header.lastIndex(),
					sent, size, ex.toString());
		}
	}

	private static long indexOf(Path file) {
		return file == null ? -1 : SnapshotBackups.lastIndexOf(file);
	}

}
