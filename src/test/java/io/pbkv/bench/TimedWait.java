package io.pbkv.bench;

import java.time.Duration;
import java.util.Locale;

/**
 * How a bounded wait of the scale rows ended: reached after {@code elapsed}, or not within its bound, or cut
 * short because the node waited on exited.
 *
 * @param state how it ended
 * @param elapsed from the start of the wait until it ended
 */
record TimedWait(State state, Duration elapsed) {

	enum State {

		/** What was waited for happened. */
		REACHED,

		/** It did not happen within the bound. */
		TIMEOUT,

		/** The node waited on exited first. */
		EXITED

	}

	static TimedWait reached(long startNanos) {
		return new TimedWait(State.REACHED, Duration.ofNanos(System.nanoTime() - startNanos));
	}

	static TimedWait ended(State state, long startNanos) {
		return new TimedWait(state, Duration.ofNanos(System.nanoTime() - startNanos));
	}

	boolean reached() {
		return this.state == State.REACHED;
	}

	/** Seconds with one decimal when reached, else {@code timeout} or {@code exited}. */
	String cell() {
		return switch (this.state) {
			case REACHED -> String.format(Locale.ROOT, "%.1f", this.elapsed.toMillis() / 1000.0);
			case TIMEOUT -> "timeout";
			case EXITED -> "exited";
		};
	}

}
