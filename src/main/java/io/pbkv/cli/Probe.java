package io.pbkv.cli;

import java.net.URI;

/**
 * One node's answer to {@code GET /cluster}, or why there was none.
 *
 * @param node the URL asked
 * @param view what it said, or {@code null}
 * @param error why it said nothing usable, or {@code null}
 */
record Probe(URI node, ClusterView view, String error) {

	static Probe answered(URI node, ClusterView view) {
		return new Probe(node, view, null);
	}

	static Probe silent(URI node, String error) {
		return new Probe(node, null, error);
	}

	boolean answered() {
		return view != null;
	}

}
