package io.pbkv.security;

/**
 * Which role each request needs, from its method and path: the one place that maps the HTTP API onto roles. The path
 * is taken as Spring MVC matches it (path parameters after {@code ;} dropped from each segment) and with repeated
 * slashes collapsed, so that no spelling of a path reaches a handler under a weaker rule than the handler's own.
 */
public final class AccessRules {

	/** What a request needs: nothing ({@link #OPEN}), or a role, and for key requests the key or list prefix. */
	public record Need(AccessRole role, Scope scope, String listPrefix, boolean operatorTokenAccepted) {

		static final Need OPEN = new Need(null, Scope.NONE, null, false);

		boolean open() {
			return role == null;
		}

	}

	/** What the credential's key prefix applies to. */
	public enum Scope {

		/** Not a key request. */
		NONE,
		/** {@code /kv/{key}}: the key, as the controller decodes it. */
		KEY,
		/** {@code GET /kv}: the {@code prefix} parameter of the list or watch. */
		LIST

	}

	private AccessRules() {
	}

	/**
	 * The need of {@code method} on {@code path} (the request URI without the context path, not decoded);
	 * {@code prefix} is the request's {@code prefix} parameter (null: none). Null for a path with a {@code .} or
	 * {@code ..} segment, which is refused.
	 */
	public static Need of(String method, String path, String prefix) {
		String p = normalize(path);
		if (hasDotSegment(p)) {
			// Servers differ on whether /kv/../x is /x: with authentication on, such a path is refused outright.
			return null;
		}
		if (p.equals("/actuator/health/liveness") || p.equals("/actuator/health/readiness")
				|| p.equals("/actuator/health") || p.startsWith("/actuator/health/") || p.startsWith("/internal/")
				|| p.equals("/internal") || p.equals("/auth/session") || p.equals("/") || p.equals("/index.html")
				|| p.equals("/app.js") || p.equals("/app.css") || p.equals("/favicon.ico")) {
			// Health shows its details to admin credentials only (management.endpoint.health.show-details); the
			// peer API has the cluster token; the page holds no data, which it fetches with its session.
			return Need.OPEN;
		}
		boolean reads = method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS");
		if (p.startsWith("/kv/")) {
			return new Need(reads ? AccessRole.READ : AccessRole.WRITE, Scope.KEY, null, false);
		}
		if (p.equals("/kv")) {
			return new Need(reads ? AccessRole.READ : AccessRole.WRITE, Scope.LIST, prefix == null ? "" : prefix,
					false);
		}
		if (p.equals("/cluster") || p.equals("/cluster/overview")) {
			return new Need(reads ? AccessRole.READ : AccessRole.ADMIN, Scope.NONE, null, !reads);
		}
		if (p.startsWith("/cluster/") || p.equals("/admin") || p.startsWith("/admin/")) {
			// The operator's calls: an admin credential, or the cluster token they have always taken.
			return new Need(AccessRole.ADMIN, Scope.NONE, null, true);
		}
		if (p.equals("/actuator/prometheus") || p.equals("/actuator/info") || p.equals("/actuator/metrics")
				|| p.startsWith("/actuator/metrics/")) {
			return new Need(AccessRole.READ, Scope.NONE, null, false);
		}
		if (p.equals("/actuator") || p.startsWith("/actuator/")) {
			return new Need(AccessRole.ADMIN, Scope.NONE, null, false);
		}
		if (p.startsWith("/bench/")) {
			return new Need(AccessRole.WRITE, Scope.NONE, null, false);
		}
		return new Need(reads ? AccessRole.READ : AccessRole.ADMIN, Scope.NONE, null, false);
	}

	private static boolean hasDotSegment(String path) {
		for (String segment : path.split("/")) {
			if (segment.equals(".") || segment.equals("..")) {
				return true;
			}
		}
		return false;
	}

	/** Drops {@code ;...} path parameters from each segment and collapses repeated slashes. */
	static String normalize(String raw) {
		String path = percentDecoded(raw);
		StringBuilder out = new StringBuilder(path.length());
		boolean inParameters = false;
		for (int i = 0; i < path.length(); i++) {
			char c = path.charAt(i);
			if (c == '/') {
				inParameters = false;
				if (out.isEmpty() || out.charAt(out.length() - 1) != '/') {
					out.append('/');
				}
			}
			else if (c == ';') {
				inParameters = true;
			}
			else if (!inParameters) {
				out.append(c);
			}
		}
		if (out.length() > 1 && out.charAt(out.length() - 1) == '/') {
			out.setLength(out.length() - 1);
		}
		return out.isEmpty() ? "/" : out.toString();
	}

	/** Percent-escapes decoded (as Spring MVC decodes each segment before matching); a malformed one is kept. */
	private static String percentDecoded(String raw) {
		if (raw.indexOf('%') < 0) {
			return raw;
		}
		java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(raw.length());
		for (int i = 0; i < raw.length(); i++) {
			char c = raw.charAt(i);
			if (c == '%' && i + 2 < raw.length() && Character.digit(raw.charAt(i + 1), 16) >= 0
					&& Character.digit(raw.charAt(i + 2), 16) >= 0) {
				bytes.write(Character.digit(raw.charAt(i + 1), 16) * 16 + Character.digit(raw.charAt(i + 2), 16));
				i += 2;
			}
			else {
				byte[] encoded = String.valueOf(c).getBytes(java.nio.charset.StandardCharsets.UTF_8);
				bytes.write(encoded, 0, encoded.length);
			}
		}
		return bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
	}

}
