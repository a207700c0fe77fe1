package io.pbkv.cluster;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.pbkv.core.Message;
import io.pbkv.runtime.Transport;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Transport} over HTTP: each configured peer gets two {@link PeerSender}s that POST batches to
 * {@code <peer>/internal/replicate}, each on its own connection: a {@code data} lane for appends that carry entries
 * and snapshots, and a {@code control} lane for everything else (heartbeats, acknowledgements, votes). A large or
 * stuck data request then never holds back the heartbeats that keep a backup from promoting and the primary from
 * dropping it. The protocol tolerates the reordering between lanes. Senders start with the client and stop at
 * {@link #close}.
 */
public final class PeerClient implements Transport {

	private static final Logger log = LoggerFactory.getLogger(PeerClient.class);

	private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);

	private static final Duration CLOSE_WAIT = Duration.ofSeconds(2);

	/** Time a data request may take per MiB it carries, on top of the request timeout: 8 MiB/s at worst. */
	private static final Duration PER_MEGABYTE = Duration.ofMillis(125);

	private final Map<String, PeerLink> links = Collections.synchronizedMap(new LinkedHashMap<>());

	private final Map<String, PeerStream> control = new ConcurrentHashMap<>();

	private final Map<String, PeerStream> data = new ConcurrentHashMap<>();

	private final Duration connectTimeout;

	private final String sentToken;

	private final Duration requestTimeout;

	private final MeterRegistry registry;

	private final Consumer<Message> inbound;

	private final HttpClient http;

	private final Counter unknownPeer;

	private final AckWaiters ackWaiters;

	private final PeerTls tls;

	private volatile boolean warnedUnknownPeer;

	/**
	 * @param peers the peers' URLs; a message goes to the one equal to its {@link Message#to()}
	 * @param token sent as {@code X-Kv-Token} with every request; null or blank sends none
	 * @param requestTimeout how long one request may wait for its answer before it counts as failed (data requests
	 * get more time per byte they carry)
	 */
	public PeerClient(List<URI> peers, String token, Duration requestTimeout, MeterRegistry registry) {
		this(peers, token, requestTimeout, registry, new AckWaiters(), message -> {
		});
	}

	/**
	 * @param ackWaiters where results that a waiting {@link PeerController} answers in its response go, instead of
	 * a request of their own
	 * @param inbound takes the messages a peer answers in a response (its results to our appends)
	 */
	PeerClient(List<URI> peers, String token, Duration requestTimeout, MeterRegistry registry, AckWaiters ackWaiters,
			Consumer<Message> inbound) {
		this(peers, token, requestTimeout, registry, ackWaiters, inbound, PeerTls.JVM_DEFAULT);
	}

	/** {@code tls}: how this node's requests to peers do TLS (see {@link PeerTls}). */
	PeerClient(List<URI> peers, String token, Duration requestTimeout, MeterRegistry registry, AckWaiters ackWaiters,
			Consumer<Message> inbound, PeerTls tls) {
		this.tls = tls;
		this.ackWaiters = ackWaiters;
		this.connectTimeout = CONNECT_TIMEOUT.compareTo(requestTimeout) < 0 ? CONNECT_TIMEOUT : requestTimeout;
		this.sentToken = token == null || token.isBlank() ? null : token;
		this.requestTimeout = requestTimeout;
		this.registry = registry;
		this.inbound = inbound;
		this.http = tls.apply(HttpClient.newBuilder())
			.connectTimeout(connectTimeout)
			.executor(Executors.newVirtualThreadPerTaskExecutor())
			.build();
		for (URI peer : peers) {
			open(withoutTrailingSlash(peer.toString()));
		}
		this.unknownPeer = PeerLink.dropped(registry, "unknown", "unknown-peer");
	}

	/**
	 * Opens the two lanes to {@code url}, unless they are open. Peers that {@code kv.peers} does not name are opened
	 * when the node first addresses them: voters a membership change added, learned from the configuration.
	 */
	private synchronized PeerLink open(String url) {
		PeerLink existing = links.get(url);
		if (existing != null) {
			return existing;
		}
		PeerLink link = new PeerLink(url, registry);
		links.put(url, link);
		PeerSender.Factory requests = lane -> new PeerSender(url, lane, connectTimeout, sentToken, requestTimeout,
				lane.equals("data") ? PER_MEGABYTE : Duration.ZERO, link, inbound, tls);
		PeerStream controlLane = new PeerStream(url, "control", http, sentToken, requestTimeout, Duration.ZERO, link,
				registry, requests);
		PeerStream dataLane = new PeerStream(url, "data", http, sentToken, requestTimeout, PER_MEGABYTE, link,
				registry, requests);
		control.put(url, controlLane);
		data.put(url, dataLane);
		controlLane.start();
		dataLane.start();
		return link;
	}

	private List<PeerStream> senders() {
		return java.util.stream.Stream.concat(control.values().stream(), data.values().stream()).toList();
	}

	/** Entries and snapshots go on the data lane; everything small and urgent on the control lane. */
	private static boolean bulky(Message message) {
		return message instanceof Message.InstallSnapshot
				|| message instanceof Message.Append append && !append.entries().isEmpty();
	}

	/**
	 * Queues each message for its peer and returns at once: never blocks, never throws. A message for a URL that
	 * is not a configured peer is dropped and counted; when a peer's queue is full its oldest message is dropped.
	 */
	@Override
	public void send(List<Message> messages) {
		for (Message message : messages) {
			if (ackWaiters.offer(message)) {
				continue; // answered in the response to the request that carried the append
			}
			String to = message.to() == null ? null : withoutTrailingSlash(message.to());
			if (to != null && !control.containsKey(to) && isPeerUrl(to)) {
				open(to);
			}
			PeerStream sender = to == null ? null : (bulky(message) ? data : control).get(to);
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

	/** The state of the link to each peer, configured ones first. */
	List<PeerStatus> peers() {
		synchronized (links) {
			return links.values().stream().map(PeerLink::status).toList();
		}
	}

	/** Stops every sender, waiting at most two seconds in all; queued messages are lost. */
	@Override
	public void close() {
		long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
		senders().forEach(PeerStream::interrupt);
		try {
			for (PeerStream sender : senders()) {
				sender.await(deadline);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		http.shutdownNow();
	}

	private static boolean isPeerUrl(String url) {
		try {
			URI uri = URI.create(url);
			return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null;
		}
		catch (IllegalArgumentException ex) {
			return false;
		}
	}

	private static String withoutTrailingSlash(String url) {
		return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
	}

}
