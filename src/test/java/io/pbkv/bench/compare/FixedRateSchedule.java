package io.pbkv.bench.compare;

/**
 * When each request of an open-loop (fixed-rate) run is meant to be sent: a total rate spread over
 * {@code connections}, request {@code k} of connection {@code c} being request number {@code k * connections + c}
 * of one evenly spaced stream, due {@code start + (k * connections + c) / rate}. Latency is measured from that
 * intended time, not from the actual send, so a server that falls behind is charged for the wait it caused
 * (coordinated omission corrected).
 *
 * @param perSecond the total target rate, requests per second, positive
 * @param connections the connections sharing it, at least 1
 */
record FixedRateSchedule(double perSecond, int connections) {

	FixedRateSchedule {
		if (!(perSecond > 0) || Double.isInfinite(perSecond)) {
			throw new IllegalArgumentException("rate must be positive, not " + perSecond);
		}
		if (connections < 1) {
			throw new IllegalArgumentException("connections must be at least 1, not " + connections);
		}
	}

	/** Nanoseconds from the start of the run at which request {@code k} of {@code connection} is due. */
	long intendedOffsetNanos(int connection, long k) {
		double index = (double) k * this.connections + connection;
		return Math.round(index * 1e9 / this.perSecond);
	}

	/** How many requests {@code connection} is due to send before {@code durationNanos} after the start. */
	long dueWithin(int connection, long durationNanos) {
		// the k with offset(k) < duration: k * connections + connection < duration * rate / 1e9
		double limit = durationNanos * this.perSecond / 1e9;
		long count = (long) Math.ceil((limit - connection) / this.connections);
		count = Math.max(count, 0);
		// correct the rounding of the boundary either way
		while (count > 0 && intendedOffsetNanos(connection, count - 1) >= durationNanos) {
			count--;
		}
		while (intendedOffsetNanos(connection, count) < durationNanos) {
			count++;
		}
		return count;
	}

	/** The interval between two requests of one connection, nanoseconds. */
	double perConnectionIntervalNanos() {
		return this.connections * 1e9 / this.perSecond;
	}

}
