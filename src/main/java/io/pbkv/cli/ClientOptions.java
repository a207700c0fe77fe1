package io.pbkv.cli;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * How the client talks to the cluster.
 *
 * @param nodes the nodes to ask for the primary, in order of preference
 * @param retries how many times a retryable failure is retried (attempts = retries + 1)
 * @param timeout how long one request may take
 * @param quiet whether confirmations and retry notices are left out
 * @param retryUnknown whether an unconditional write whose outcome is unknown may be sent again
 * @param backoff the waits between attempts
 * @param json whether results go to stdout as JSON ({@code -o json}) instead of text
 */
record ClientOptions(List<URI> nodes, int retries, Duration timeout, boolean quiet, boolean retryUnknown,
		Backoff backoff, boolean json) {

	ClientOptions(List<URI> nodes, int retries, Duration timeout, boolean quiet, boolean retryUnknown,
			Backoff backoff) {
		this(nodes, retries, timeout, quiet, retryUnknown, backoff, false);
	}

	static final List<URI> DEFAULT_NODES = List.of(URI.create("http://localhost:8081"),
			URI.create("http://localhost:8082"));

	static final int DEFAULT_RETRIES = 7;

	static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(15);

	ClientOptions {
		nodes = List.copyOf(nodes);
	}

	int attempts() {
		return retries + 1;
	}

}
