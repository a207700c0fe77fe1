package io.pbkv.cluster;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.pbkv.core.Message;
import io.pbkv.runtime.Transport;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Transport} over HTTP: each configured peer gets a {@link PeerSender} that POSTs batches to
 * {@code <peer>/internal/replicate}. Senders start with the client and stop at {@link #close}.
 */
public final class PeerClient implements Transport {

	private static final Logger log = LoggerFactory.getLogger(PeerClient.class);

	private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);

	private static final Duration CLOSE_WAIT = Duration.ofSeconds(2);

	private final HttpClient http;

	private final Map<String, PeerSender> senders = new LinkedHashMap<>();

	private final Counter unknownPeer;

	private volatile boolean warnedUnknownPeer;

	/**
	 * @param peers the peers' URLs; a message goes to the one equal to its {@link Message#to()}
	 * @param token sent as {@code X-Kv-Token} with every request; null or blank sends none
	 * @param requestTimeout how long one request may take before it counts as failed
	 */
	public PeerClient(List<URI> peers, String token, Duration requestTimeout, MeterRegistry registry) {
		this.http = HttpClient.newBuilder()
			.version(HttpClient.Version.HTTP_1_1)
			.connectTimeout(CONNECT_TIMEOUT.compareTo(requestTimeout) < 0 ? CONNECT_TIMEOUT : requestTimeout)
			.build();
		String sentToken = token == null || token.isBlank() ? null : token;
		for (URI peer : peers) {
			String url = withoutTrailingSlash(peer.toString());
			senders.computeIfAbsent(url, u -> new PeerSender(u, http, sentToken, requestTimeout, registry));
		}
		this.unknownPeer = PeerLink.dropped(registry, "unknown", "unknown-peer");
		senders.values().forEach(PeerSender::start);
	}

	/**
	 * Queues each message for its peer and returns at once: never blocks, never throws. A message for a URL that
	 * is not a configured peer is dropped and counted; when a peer's queue is full its oldest message is dropped.
	 */
	@Override
	public void send(List<Message> messages) {
		for (Message message : messages) {
			PeerSender sender = message.to() == null ? null : senders.get(withoutTrailingSlash(message.to()));
			if (sender != null) {
				sender.enqueue(message);
			}
			else {
				unknownPeer.increment();
				if (!warnedUnknownPeer) {
					warnedUnknownPeer = true;
					log.warn("dropped a message for {}, which is not in kv.peers (further drops are only counted)",
							message.to());
				}
			}
		}
	}

	/** The state of the link to each configured peer, in configuration order. */
	List<PeerStatus> peers() {
		return senders.values().stream().map(PeerSender::status).toList();
	}

	/** Stops every sender, waiting at most two seconds in all; queued messages are lost. */
	@Override
	public void close() {
		long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
		senders.values().forEach(PeerSender::interrupt);
		try {
			for (PeerSender sender : senders.values()) {
				sender.await(deadline);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		http.shutdownNow();
	}

	private static String withoutTrailingSlash(String url) {
		return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
	}

}
