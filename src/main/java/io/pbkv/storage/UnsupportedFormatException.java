package io.pbkv.storage;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A data dir file is in a format version this pbkv does not know: written by a newer pbkv. Not damage: nothing is
 * cut, deleted or rewritten; the node refuses to start and says which version to run.
 */
public class UnsupportedFormatException extends IOException {

	private final Path file;

	private final int version;

	UnsupportedFormatException(Path file, String what, int version, String known) {
		super(file.toAbsolutePath() + " is in " + what + " version " + version + ", which this pbkv does not know (it "
				+ "reads " + known + "): it was written by a newer pbkv. Run that version (or a later one) on this data "
				+ "dir; pbkv never converts a data dir back to an older format");
		this.file = file;
		this.version = version;
	}

	public Path file() {
		return file;
	}

	/** The version the file says it is in. */
	public int version() {
		return version;
	}

}
