package io.pbkv.cluster;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What is known of the link to one peer: whether its last request was answered, when one last was, and the
 * meters. Logs once per change of state (WARN when the peer stops answering, INFO when it answers again), so a
 * peer that is down for an hour costs one line, not one per heartbeat. Tags: the configured peer URL, a bounded set.
 */
final class PeerLink {

	private static final Logger log = LoggerFactory.getLogger(PeerLink.class);

	private enum State {

		UNKNOWN, REACHABLE, UNREACHABLE

	}

	private final String url;

	private final Counter ok;

	private final Counter error;

	private final Counter overflow;

	private final Counter failed;

	private final Counter retried;

	private volatile State state = State.UNKNOWN;

	private volatile long lastSuccessMillis;

	private volatile int protocol;

	PeerLink(String url, MeterRegistry registry) {
		this.url = url;
		this.ok = requests(registry, url, "ok");
		this.error = requests(registry, url, "error");
		this.overflow = dropped(registry, url, "overflow");
		this.failed = dropped(registry, url, "failed");
		this.retried = requests(registry, url, "retried");
		Gauge.builder("kv.peer.protocol", () -> protocol)
			.description("The peer protocol version a peer answered with (0 until it answers)")
			.tag("peer", url)
			.register(registry);
	}

	/** The peer protocol version the peer answered with (0: none named). */
	void speaks(int version) {
		int before = protocol;
		protocol = version;
		if (version != before && version != 0 && version != PeerProtocol.VERSION) {
			log.warn("peer {} speaks peer protocol {}, this node {}", url, version, PeerProtocol.VERSION);
		}
	}

	void answered() {
		ok.increment();
		lastSuccessMillis = System.currentTimeMillis();
		if (state == State.UNREACHABLE) {
			log.info("peer {} answers again", url);
		}
		state = State.REACHABLE;
	}

	void unanswered(String reason) {
		error.increment();
		if (state != State.UNREACHABLE) {
			log.warn("peer {} unreachable: {}", url, reason);
		}
		state = State.UNREACHABLE;
	}

	/** A request sent again on a new connection after its first connection failed. */
	void retried() {
		retried.increment();
	}

	/** Messages dropped unsent because their request failed. */
	void failed(int messages) {
		failed.increment(messages);
	}

	/** A message dropped to make room in a full queue. */
	void overflowed() {
		overflow.increment();
	}

	PeerStatus status() {
		return new PeerStatus(url, state == State.REACHABLE, lastSuccessMillis);
	}

	private static Counter requests(MeterRegistry registry, String peer, String outcome) {
		return Counter.builder("kv.peer.requests")
			.description("Requests sent to a peer, by outcome (retried: sent again on a new connection)")
			.tag("peer", peer)
			.tag("outcome", outcome)
			.register(registry);
	}

	static Counter dropped(MeterRegistry registry, String peer, String reason) {
		return Counter.builder("kv.peer.dropped")
			.description("Messages for a peer dropped unsent: queue full, request failed, or no such peer")
			.tag("peer", peer)
			.tag("reason", reason)
			.register(registry);
	}

}
