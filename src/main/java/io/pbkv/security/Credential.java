package io.pbkv.security;

/**
 * One line of the tokens file: a role, the key prefix it is limited to ({@code ""} for every key: {@code *} in the
 * file), and the SHA-256 of its token (never the token itself), with the line it came from for the log.
 */
public record Credential(AccessRole role, String prefix, String sha256, int line) {

	/** Whether a request on {@code key} falls inside this credential's prefix. */
	public boolean coversKey(String key) {
		return key.startsWith(prefix);
	}

	/** Whether a list or watch of every key under {@code prefix} stays inside this credential's prefix. */
	public boolean coversPrefix(String prefix) {
		return prefix.startsWith(this.prefix);
	}

	/** How the log names it: its role, prefix and line, never the token or its hash. */
	public String describe() {
		return role.fileName() + " on " + (prefix.isEmpty() ? "every key" : "'" + prefix + "'") + " (line " + line
				+ " of the tokens file)";
	}

}
