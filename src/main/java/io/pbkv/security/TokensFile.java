package io.pbkv.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The parsed tokens file ({@code kv.security.tokens-file}): one {@code ROLE PREFIX SHA256} line per credential,
 * {@code #} to the end of a line is a comment, blank lines are skipped. Looked up by the SHA-256 of a presented
 * token, so the file holds no secret and a lookup's timing tells nothing about any token.
 */
public final class TokensFile {

	private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");

	private final Map<String, Credential> byHash;

	private TokensFile(Map<String, Credential> byHash) {
		this.byHash = byHash;
	}

	/** Reads and checks {@code file}; an unreadable file or a malformed line is an error naming the line. */
	public static TokensFile read(Path file) throws IOException {
		return parse(Files.readAllLines(file, StandardCharsets.UTF_8), file.toString());
	}

	static TokensFile parse(List<String> lines, String source) {
		Map<String, Credential> byHash = new HashMap<>();
		for (int i = 0; i < lines.size(); i++) {
			String line = lines.get(i);
			int hash = line.indexOf('#');
			String content = (hash >= 0 ? line.substring(0, hash) : line).strip();
			if (content.isEmpty()) {
				continue;
			}
			String[] fields = content.split("\\s+");
			int n = i + 1;
			if (fields.length != 3) {
				throw new IllegalArgumentException(source + " line " + n + ": expected ROLE PREFIX SHA256, found "
						+ fields.length + " field(s)");
			}
			AccessRole role = AccessRole.named(fields[0]);
			if (role == null) {
				throw new IllegalArgumentException(source + " line " + n + ": the role must be read, write or admin, not '"
						+ fields[0] + "'");
			}
			if (!HEX64.matcher(fields[2]).matches()) {
				throw new IllegalArgumentException(source + " line " + n
						+ ": the third field must be the token's SHA-256 as 64 lowercase hex digits (never the token)");
			}
			if (byHash.containsKey(fields[2])) {
				throw new IllegalArgumentException(source + " line " + n + ": the same token is on line "
						+ byHash.get(fields[2]).line());
			}
			byHash.put(fields[2], new Credential(role, fields[1].equals("*") ? "" : fields[1], fields[2], n));
		}
		return new TokensFile(Map.copyOf(byHash));
	}

	/** The credential of {@code token}, or null. */
	public Credential find(String token) {
		return byHash.get(sha256(token));
	}

	public int size() {
		return byHash.size();
	}

	/** The lowercase hex SHA-256 of {@code token}'s UTF-8 bytes: what the tokens file holds for it. */
	public static String sha256(String token) {
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("every Java has SHA-256", ex);
		}
	}

}
