package io.pbkv.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A new, empty data dir for a test class's node, made once when the class loads. */
final class TempDataDirs {

	private TempDataDirs() {
	}

	static Path create(String prefix) {
		try {
			return Files.createTempDirectory(prefix);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("could not make a temporary data dir", ex);
		}
	}

}
