package io.pbkv.bench;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The client-visible unavailability of a series of kill -9 failovers, judged against the design's target: a
 * write succeeds again on the survivor in under the heartbeat timeout plus one second (the timeout to notice the
 * primary is gone, the rest to take over).
 *
 * @param rounds in the order they ran
 * @param heartbeatTimeout the nodes' {@code kv.heartbeat.timeout}
 */
record FailoverStats(List<Round> rounds, Duration heartbeatTimeout) {

	/** What the design allows on top of the heartbeat timeout. */
	static final Duration TAKE_OVER_ALLOWANCE = Duration.ofSeconds(1);

	/**
	 * One kill -9 of the primary.
	 *
	 * @param number from 1
	 * @param killed the node id of the killed primary
	 * @param survivor the node id that should take over
	 * @param unavailable from the kill until the first PUT the survivor answered 200; empty when none did within
	 * the bound
	 * @param acknowledged PUTs answered 200 during the round (writers and probes)
	 */
	record Round(int number, String killed, String survivor, Optional<Duration> unavailable, long acknowledged) {
	}

	FailoverStats {
		rounds = List.copyOf(rounds);
	}

	Duration target() {
		return this.heartbeatTimeout.plus(TAKE_OVER_ALLOWANCE);
	}

	/** The longest unavailability among the rounds that recovered; empty when none did. */
	Optional<Duration> max() {
		return this.rounds.stream()
			.map(Round::unavailable)
			.flatMap(Optional::stream)
			.max(Duration::compareTo);
	}

	/** Rounds in which no PUT succeeded on the survivor within the bound. */
	long timedOut() {
		return this.rounds.stream().filter((round) -> round.unavailable().isEmpty()).count();
	}

	long acknowledged() {
		return this.rounds.stream().mapToLong(Round::acknowledged).sum();
	}

	/** Every round recovered, each strictly under {@link #target()}; false without rounds. */
	boolean met() {
		return !this.rounds.isEmpty() && timedOut() == 0
				&& max().map((longest) -> longest.compareTo(target()) < 0).orElse(false);
	}

}
