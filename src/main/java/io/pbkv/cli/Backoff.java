package io.pbkv.cli;

import java.time.Duration;

import org.springframework.util.backoff.ExponentialBackOff;

/** The waits between attempts: exponential, capped, with jitter so that many clients do not retry in step. */
record Backoff(Duration initial, double multiplier, Duration max, Duration jitter) {

	/** 250 ms, 500 ms, 1 s, then 2 s: seven retries span about 10 s, more than a failover takes by default. */
	static final Backoff DEFAULT = new Backoff(Duration.ofMillis(250), 2.0, Duration.ofSeconds(2),
			Duration.ofMillis(100));

	ExponentialBackOff toSpring(int retries) {
		ExponentialBackOff backOff = new ExponentialBackOff(initial.toMillis(), multiplier);
		backOff.setMaxInterval(max.toMillis());
		backOff.setJitter(jitter.toMillis());
		backOff.setMaxAttempts(retries);
		return backOff;
	}

}
