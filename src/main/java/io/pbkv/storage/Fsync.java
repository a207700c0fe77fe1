package io.pbkv.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Makes directory changes (created, renamed and deleted files) durable. */
final class Fsync {

	private static final boolean WINDOWS = System.getProperty("os.name", "").startsWith("Windows");

	private Fsync() {
	}

	static void directory(Path dir) throws IOException {
		if (WINDOWS) {
			// A directory cannot be opened as a channel there; NTFS journals its metadata instead.
			return;
		}
		try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
			channel.force(true);
		}
	}

}
