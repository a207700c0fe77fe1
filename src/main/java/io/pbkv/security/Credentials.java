package io.pbkv.security;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.util.Objects;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client credentials of {@code kv.security.tokens-file}, reloaded when the file changes (its modification time,
 * size or file key), looked at no more than once a second. A file that no longer parses is reported in the log and
 * leaves the credentials as they were; one that cannot be read at start stops the node.
 */
public final class Credentials {

	private static final Logger log = LoggerFactory.getLogger(Credentials.class);

	private static final long CHECK_EVERY_MILLIS = 1000;

	private final Path file;

	private final Clock clock;

	private volatile TokensFile current;

	private volatile Object version;

	private volatile long checkedAt;

	public Credentials(Path file, Clock clock) throws IOException {
		this.file = file;
		this.clock = clock;
		this.version = versionOf(file);
		this.current = TokensFile.read(file);
		this.checkedAt = clock.millis();
		log.info("client authentication is on: {} credential(s) from {}", current.size(), file.toAbsolutePath());
	}

	/** The credential of {@code token}, or null; reloads the file first if it changed. */
	public Credential find(String token) {
		return tokens().find(token);
	}

	TokensFile tokens() {
		long now = clock.millis();
		if (now - checkedAt >= CHECK_EVERY_MILLIS) {
			checkedAt = now;
			reloadIfChanged();
		}
		return current;
	}

	private synchronized void reloadIfChanged() {
		Object seen;
		try {
			seen = versionOf(file);
		}
		catch (IOException ex) {
			log.error("tokens file {} cannot be read ({}); keeping the {} credential(s) loaded before", file, ex.toString(),
					current.size());
			return;
		}
		if (Objects.equals(seen, version)) {
			return;
		}
		version = seen;
		try {
			current = TokensFile.read(file);
			log.info("tokens file {} changed: {} credential(s) now", file, current.size());
		}
		catch (IOException | IllegalArgumentException ex) {
			log.error("tokens file {} changed but is not valid ({}); keeping the {} credential(s) loaded before", file,
					ex.getMessage(), current.size());
		}
	}

	private static Object versionOf(Path file) throws IOException {
		BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
		return attributes.lastModifiedTime().toMillis() + "/" + attributes.size() + "/" + attributes.fileKey();
	}

}
