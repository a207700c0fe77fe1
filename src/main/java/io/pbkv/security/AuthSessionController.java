package io.pbkv.security;

import io.pbkv.api.Problems;
import jakarta.servlet.http.HttpServletRequest;

import java.util.Map;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseCookie;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /auth/session}: a browser (the live page, whose {@code EventSource} cannot send a header) exchanges a
 * token, sent as {@code Authorization: Bearer TOKEN} or as JSON {@code {"token": "..."}}, for a session cookie
 * ({@code HttpOnly}, {@code Secure}, {@code SameSite=Strict}) that then authenticates as the token would.
 * {@code DELETE /auth/session} ends it. Only with client authentication on.
 */
@RestController
@ConditionalOnProperty(prefix = "kv.security", name = "tokens-file")
class AuthSessionController {

	private final Credentials credentials;

	private final Sessions sessions;

	private final FailedAttempts failures;

	AuthSessionController(Credentials credentials, Sessions sessions, FailedAttempts failures) {
		this.credentials = credentials;
		this.sessions = sessions;
		this.failures = failures;
	}

	@PostMapping("/auth/session")
	ResponseEntity<Object> signIn(HttpServletRequest request,
			@RequestBody(required = false) Map<String, Object> body) {
		String remote = request.getRemoteAddr();
		if (failures.blocked(remote)) {
			return Problems.response(HttpStatus.TOO_MANY_REQUESTS, "too-many-failures",
					"too many failed sign-ins from " + remote + "; wait a minute");
		}
		String bearer = ClientAuthFilter.bearer(request);
		String token = bearer != null ? bearer : body != null && body.get("token") instanceof String t ? t : null;
		Credential credential = token == null ? null : credentials.find(token);
		if (credential == null) {
			failures.failed(remote);
			return Problems.response(HttpStatus.UNAUTHORIZED, "unauthenticated", token == null
					? "send the token as Authorization: Bearer TOKEN, or as {\"token\": \"...\"}"
					: "the credential is not one this node knows");
		}
		ResponseCookie cookie = ResponseCookie.from(ClientAuthFilter.SESSION_COOKIE, sessions.open(token))
			.httpOnly(true)
			.secure(true)
			.sameSite("Strict")
			.path("/")
			.maxAge(Sessions.LIFETIME)
			.build();
		return ResponseEntity.ok()
			.header(HttpHeaders.SET_COOKIE, cookie.toString())
			.body(Map.of("role", credential.role().fileName(), "prefix", credential.prefix(), "expiresInSeconds",
					Sessions.LIFETIME.toSeconds()));
	}

	@DeleteMapping("/auth/session")
	ResponseEntity<Void> signOut(HttpServletRequest request) {
		sessions.close(ClientAuthFilter.sessionId(request));
		ResponseCookie gone = ResponseCookie.from(ClientAuthFilter.SESSION_COOKIE, "")
			.httpOnly(true)
			.secure(true)
			.sameSite("Strict")
			.path("/")
			.maxAge(0)
			.build();
		return ResponseEntity.noContent().header(HttpHeaders.SET_COOKIE, gone.toString()).build();
	}

}
