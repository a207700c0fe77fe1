package io.pbkv.bench;

import java.time.Duration;

/**
 * One row of the results: {@code clients} concurrent clients doing {@code operation} against {@code target} for
 * {@code elapsed}.
 *
 * @param target the {@link Target#name()}
 * @param operation what the clients did
 * @param clients how many clients ran at once
 * @param succeeded requests answered with success, the only ones in {@code latency}
 * @param failed requests that got another status or no answer
 * @param elapsed from the start signal until the last client finished its last request
 * @param latency of the successful requests
 */
record Measurement(String target, Operation operation, int clients, long succeeded, long failed, Duration elapsed,
		LatencyStats latency) {

	double opsPerSecond() {
		return this.elapsed.isZero() ? 0 : this.succeeded / (this.elapsed.toNanos() / 1e9);
	}

}
