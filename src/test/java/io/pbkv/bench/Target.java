package io.pbkv.bench;

import java.net.URI;

/**
 * A deployment under test: one or more node processes that the benchmark starts, loads through the client API
 * and stops. A lone node is the first; a primary-backup pair is another implementation, measured in the same
 * run and printed in the same table.
 */
public interface Target extends AutoCloseable {

	/** Short name for the results table, e.g. {@code lone node} or {@code pair (sync)}. */
	String name();

	/**
	 * Starts every process and blocks until the client API answers. Throws if a process exits or does not
	 * become ready in time; {@link #close()} must still be called.
	 */
	void start() throws Exception;

	/** Base URL the load clients send every request to (for a pair: the primary's). */
	URI clientUrl();

	/** Stops every process it started. Idempotent, safe from a shutdown hook, never throws. */
	@Override
	void close();

}
