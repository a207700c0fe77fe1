package io.pbkv.cli;

import org.springframework.util.backoff.BackOff;
import org.springframework.util.backoff.BackOffExecution;

/**
 * A {@link BackOff} that tells a listener each wait before the retry template sleeps it, so that the user learns
 * what the client is doing while it waits rather than after.
 */
final class AnnouncedBackOff implements BackOff {

	interface Listener {

		/** Called before the wait that precedes retry number {@code retry} (1 for the second attempt). */
		void waiting(long delayMillis, int retry);

	}

	private final BackOff delegate;

	private final Listener listener;

	AnnouncedBackOff(BackOff delegate, Listener listener) {
		this.delegate = delegate;
		this.listener = listener;
	}

	@Override
	public BackOffExecution start() {
		BackOffExecution execution = delegate.start();
		return new BackOffExecution() {

			private int retries;

			@Override
			public long nextBackOff() {
				long delay = execution.nextBackOff();
				if (delay != STOP) {
					listener.waiting(delay, ++retries);
				}
				return delay;
			}

		};
	}

}
