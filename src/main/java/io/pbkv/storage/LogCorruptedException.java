package io.pbkv.storage;

import java.io.IOException;
import java.nio.file.Path;

/** A log segment or snapshot file holds damaged data that is not a torn tail from a crash. */
public class LogCorruptedException extends IOException {

	private final Path file;

	private final long offset;

	LogCorruptedException(Path file, long offset, String reason) {
		super(file.toAbsolutePath() + " is corrupted" + (offset >= 0 ? " at offset " + offset : "") + ": " + reason);
		this.file = file;
		this.offset = offset;
	}

	LogCorruptedException(Path file, long offset, String reason, Throwable cause) {
		this(file, offset, reason);
		initCause(cause);
	}

	public Path file() {
		return file;
	}

	/** Byte offset of the damaged record in {@link #file()}, or -1 when not known. */
	public long offset() {
		return offset;
	}

}
