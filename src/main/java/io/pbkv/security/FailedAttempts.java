package io.pbkv.security;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Failed authentications per remote address, in windows of a minute: past {@link #LIMIT} in one window, the address
 * gets {@code 429} until the window ends, so that guessing tokens costs a minute per {@value #LIMIT} guesses.
 */
public final class FailedAttempts {

	static final int LIMIT = 20;

	private static final long WINDOW_MILLIS = 60_000;

	private static final int MAX_ADDRESSES = 100_000;

	private final Clock clock;

	private final Map<String, long[]> byAddress = new ConcurrentHashMap<>();

	public FailedAttempts(Clock clock) {
		this.clock = clock;
	}

	public boolean blocked(String address) {
		long[] window = byAddress.get(address);
		return window != null && clock.millis() - window[0] < WINDOW_MILLIS && window[1] >= LIMIT;
	}

	public void failed(String address) {
		long now = clock.millis();
		if (byAddress.size() >= MAX_ADDRESSES) {
			byAddress.values().removeIf(w -> now - w[0] >= WINDOW_MILLIS);
		}
		byAddress.compute(address, (a, window) -> {
			if (window == null || now - window[0] >= WINDOW_MILLIS) {
				return new long[] { now, 1 };
			}
			window[1]++;
			return window;
		});
	}

}
