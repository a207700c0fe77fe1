package io.pbkv.cli;

import java.net.URI;

/**
 * The node a request is sent to, and why it was chosen.
 *
 * @param url where to send
 * @param kind why this node
 * @param view what the node (or the node that named it) said, or {@code null}
 * @param silentPrimary the primary the answering nodes name but which did not answer, or {@code null}
 */
record Target(URI url, Kind kind, ClusterView view, URI silentPrimary) {

	enum Kind {

		/** It answered that it is primary. */
		PRIMARY,

		/** Another node names it as primary; it is not in the node list, so it was not asked. */
		NAMED_PRIMARY,

		/** No primary answered: a node that forwards to the primary it knows, or answers 503. */
		FALLBACK

	}

	boolean believedPrimary() {
		return kind != Kind.FALLBACK;
	}

}
