package io.pbkv.bench;

import java.util.Arrays;

/**
 * Latencies in nanoseconds, appended by one thread (each load client owns one) and merged after the run.
 * Not thread-safe.
 */
final class LatencySamples {

	private long[] nanos = new long[1024];

	private int size;

	void add(long latencyNanos) {
		if (this.size == this.nanos.length) {
			this.nanos = Arrays.copyOf(this.nanos, this.size * 2);
		}
		this.nanos[this.size++] = latencyNanos;
	}

	void addAll(LatencySamples other) {
		for (int i = 0; i < other.size; i++) {
			add(other.nanos[i]);
		}
	}

	int size() {
		return this.size;
	}

	LatencyStats stats() {
		return LatencyStats.of(Arrays.copyOf(this.nanos, this.size));
	}

}
