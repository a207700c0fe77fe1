package io.pbkv.security;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Browser sessions made by {@code POST /auth/session}: a random id, kept in a cookie, for a token. The token stays
 * in memory only, and is looked up in the tokens file on every request, so that removing it from the file ends
 * its sessions too. Sessions end after {@link #LIFETIME}, and with the node.
 */
public final class Sessions {

	public static final Duration LIFETIME = Duration.ofHours(12);

	private static final int MAX_SESSIONS = 10_000;

	private final SecureRandom random = new SecureRandom();

	private final Clock clock;

	private final Map<String, Session> sessions = new ConcurrentHashMap<>();

	private record Session(String token, long expiresAt) {
	}

	public Sessions(Clock clock) {
		this.clock = clock;
	}

	/** A new session for {@code token}; its id goes in the cookie. */
	public String open(String token) {
		long now = clock.millis();
		if (sessions.size() >= MAX_SESSIONS) {
			sessions.values().removeIf(s -> s.expiresAt <= now);
		}
		if (sessions.size() >= MAX_SESSIONS) {
			// The oldest would be best; any one keeps memory bounded against a flood of sign-ins.
			Iterator<String> any = sessions.keySet().iterator();
			any.next();
			any.remove();
		}
		byte[] id = new byte[32];
		random.nextBytes(id);
		String sessionId = HexFormat.of().formatHex(id);
		sessions.put(sessionId, new Session(token, now + LIFETIME.toMillis()));
		return sessionId;
	}

	/** The token of session {@code id}, or null when there is none or it ended. */
	public String token(String id) {
		Session s = id == null ? null : sessions.get(id);
		if (s == null) {
			return null;
		}
		if (s.expiresAt <= clock.millis()) {
			sessions.remove(id);
			return null;
		}
		return s.token;
	}

	public void close(String id) {
		if (id != null) {
			sessions.remove(id);
		}
	}

}
