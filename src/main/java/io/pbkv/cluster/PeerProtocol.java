package io.pbkv.cluster;

/**
 * The version of the peer protocol (the message codec and the {@code /internal} endpoints). Every peer request and
 * every answer to one carries it in {@value #HEADER}; a node refuses a request in a version it does not speak, and
 * reports the version each peer answers with ({@code kv_peer_protocol}), so that a release that changes the
 * protocol can tell which peers still speak the old one during a rolling upgrade.
 */
final class PeerProtocol {

	static final String HEADER = "X-Kv-Peer-Protocol";

	static final int VERSION = 1;

	/** The WebSocket subprotocol a replication stream is opened in; the peer names the one it chose. */
	static final String SUBPROTOCOL = "pbkv-peer." + VERSION;

	private PeerProtocol() {
	}

	/** Whether this node speaks the version a request names; a request without the header is version 1. */
	static boolean speaks(String header) {
		return header == null || header.isBlank() || header.strip().equals(Integer.toString(VERSION));
	}

	/** The version of the subprotocol a peer chose for a stream, 0 when it chose none or an unreadable one. */
	static int ofSubprotocol(String subprotocol) {
		return subprotocol != null && subprotocol.startsWith("pbkv-peer.") ? of(subprotocol.substring(10)) : 0;
	}

	/** The version a peer's answer names, 0 when it names none or an unreadable one. */
	static int of(String header) {
		try {
			return header == null ? 0 : Integer.parseInt(header.strip());
		}
		catch (NumberFormatException ex) {
			return 0;
		}
	}

}
