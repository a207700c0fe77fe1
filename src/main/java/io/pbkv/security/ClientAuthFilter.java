package io.pbkv.security;

import io.pbkv.api.Problems;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.pbkv.api.KeyPath;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.security.Principal;
import java.util.Collections;
import java.util.Enumeration;
import java.util.Locale;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Client authentication ({@code kv.security.tokens-file} set): every request but the open ones (liveness, readiness,
 * health without details, the peer API, sign-in and the page itself) needs a credential, sent as
 * {@code Authorization: Bearer TOKEN} or as the session cookie of {@code POST /auth/session}, whose role and key
 * prefix allow it ({@link AccessRules}). Refused: {@code 401} (no or unknown credential) or {@code 403} (not
 * allowed), as problem+json, before any handler runs, so nothing changes. Each refusal is counted
 * ({@code kv.security.refusals}) and logged without the token.
 *
 * <p>
 * An authenticated request goes on with the credential as its principal ({@code isUserInRole("admin")} for the
 * actuator's health details), and a cookie session's token as its {@code Authorization} header, so that a backup
 * that forwards the request to the primary forwards the caller's own credential: the primary checks it again, and
 * trusts no node's word for who the caller is.
 */
public final class ClientAuthFilter extends OncePerRequestFilter {

	public static final String SESSION_COOKIE = "pbkv-session";

	/** The request attribute holding the caller's {@link Credential}. */
	public static final String CREDENTIAL = ClientAuthFilter.class.getName() + ".credential";

	private static final Logger log = LoggerFactory.getLogger(ClientAuthFilter.class);

	private static final String BEARER = "Bearer ";

	private final Credentials credentials;

	private final Sessions sessions;

	private final int maxKeyBytes;

	private final FailedAttempts failures;

	private final Counter unauthenticated;

	private final Counter forbidden;

	private final Counter limited;

	public ClientAuthFilter(Credentials credentials, Sessions sessions, int maxKeyBytes, FailedAttempts failures,
			MeterRegistry registry) {
		this.credentials = credentials;
		this.sessions = sessions;
		this.maxKeyBytes = maxKeyBytes;
		this.failures = failures;
		this.unauthenticated = refusals(registry, "unauthenticated");
		this.forbidden = refusals(registry, "forbidden");
		this.limited = refusals(registry, "rate-limited");
	}

	private static Counter refusals(MeterRegistry registry, String reason) {
		return Counter.builder("kv.security.refusals")
			.description("Client requests refused by authentication or authorization, by reason")
			.tag("reason", reason)
			.register(registry);
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		String path = request.getRequestURI().substring(request.getContextPath().length());
		AccessRules.Need need = AccessRules.of(request.getMethod(), path, request.getParameter("prefix"));
		if (need == null) {
			refuse(response, 400, "bad-path", "a path with a '.' or '..' segment is refused", null);
			return;
		}
		String remote = request.getRemoteAddr();
		String token = bearer(request);
		boolean fromCookie = false;
		if (token == null) {
			token = sessions.token(sessionId(request));
			fromCookie = token != null;
		}
		Credential credential = token == null ? null : credentials.find(token);
		if (need.open()) {
			chain.doFilter(credential == null ? request : authenticated(request, credential, fromCookie ? token : null),
					response);
			return;
		}
		if (credential == null && need.operatorTokenAccepted() && request.getHeader("X-Kv-Token") != null
				&& bearer(request) == null) {
			// The operator's calls still take the cluster token, which their controllers check.
			chain.doFilter(request, response);
			return;
		}
		if (credential == null) {
			if (failures.blocked(remote)) {
				limited.increment();
				refuse(response, 429, "too-many-failures", "too many failed sign-ins from " + remote
						+ "; wait a minute", "60");
				return;
			}
			failures.failed(remote);
			unauthenticated.increment();
			log.info("refused {} {} from {}: {}", request.getMethod(), path, remote,
					token == null ? "no credential" : "unknown credential");
			response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"pbkv\"");
			refuse(response, 401, "unauthenticated", token == null
					? "send a credential: Authorization: Bearer TOKEN (kv.security.tokens-file lists them)"
					: "the credential is not one this node knows", null);
			return;
		}
		String denied = denied(need, credential, request);
		if (denied != null) {
			forbidden.increment();
			log.info("refused {} {} from {} to {}: {}", request.getMethod(), path, remote, credential.describe(), denied);
			refuse(response, 403, "forbidden", denied, null);
			return;
		}
		chain.doFilter(authenticated(request, credential, fromCookie ? token : null), response);
	}

	/** Why {@code credential} may not do what {@code need} says, or null when it may. */
	private String denied(AccessRules.Need need, Credential credential, HttpServletRequest request) {
		if (!credential.role().includes(need.role())) {
			return "this needs the " + need.role().fileName() + " role; the credential has " + credential.role().fileName();
		}
		switch (need.scope()) {
			case KEY -> {
				String key;
				try {
					key = KeyPath.keyOf(request, maxKeyBytes);
				}
				catch (RuntimeException ex) {
					// A malformed key: the controller refuses it with 400, and a credential for every key may hear so.
					return credential.prefix().isEmpty() ? null
							: "the key is not a valid key under '" + credential.prefix() + "'";
				}
				return credential.coversKey(key) ? null
						: "the credential is limited to keys under '" + credential.prefix() + "'";
			}
			case LIST -> {
				return credential.coversPrefix(need.listPrefix()) ? null : "the credential is limited to keys under '"
						+ credential.prefix() + "': list or watch with prefix=" + credential.prefix() + "...";
			}
			default -> {
				return null;
			}
		}
	}

	/** The token of an {@code Authorization: Bearer} header, or null. */
	static String bearer(HttpServletRequest request) {
		String header = request.getHeader(HttpHeaders.AUTHORIZATION);
		if (header == null || header.length() <= BEARER.length()
				|| !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
			return null;
		}
		return header.substring(BEARER.length()).strip();
	}

	static String sessionId(HttpServletRequest request) {
		Cookie[] cookies = request.getCookies();
		if (cookies == null) {
			return null;
		}
		for (Cookie cookie : cookies) {
			if (SESSION_COOKIE.equals(cookie.getName())) {
				return cookie.getValue();
			}
		}
		return null;
	}

	private static void refuse(HttpServletResponse response, int status, String problem, String detail,
			String retryAfter) throws IOException {
		if (retryAfter != null) {
			response.setHeader(HttpHeaders.RETRY_AFTER, retryAfter);
		}
		Problems.write(response, HttpStatus.valueOf(status), problem, detail);
	}

	/** The request as the credential's: its principal and roles, and a cookie's token as a bearer header. */
	private static HttpServletRequest authenticated(HttpServletRequest request, Credential credential,
			String cookieToken) {
		request.setAttribute(CREDENTIAL, credential);
		Principal principal = credential::describe;
		return new HttpServletRequestWrapper(request) {

			@Override
			public Principal getUserPrincipal() {
				return principal;
			}

			@Override
			public boolean isUserInRole(String role) {
				AccessRole wanted = AccessRole.named(role.toLowerCase(Locale.ROOT));
				return wanted != null && credential.role().includes(wanted);
			}

			@Override
			public String getHeader(String name) {
				if (cookieToken != null && HttpHeaders.AUTHORIZATION.equalsIgnoreCase(name)) {
					return BEARER + cookieToken;
				}
				return super.getHeader(name);
			}

			@Override
			public Enumeration<String> getHeaders(String name) {
				if (cookieToken != null && HttpHeaders.AUTHORIZATION.equalsIgnoreCase(name)) {
					return Collections.enumeration(java.util.List.of(BEARER + cookieToken));
				}
				return super.getHeaders(name);
			}

		};
	}

}
