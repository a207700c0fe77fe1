package io.pbkv.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What Linux says about a node's process: bytes it caused to be written to storage ({@code write_bytes} of
 * {@code /proc/<pid>/io}, counted when a page is dirtied, so page-cache writes count before they reach the disk)
 * and its resident set ({@code VmRSS} of {@code /proc/<pid>/status}). Empty where there is no {@code /proc}
 * (macOS), where it may not be read, or once the process is gone.
 */
final class ProcStats {

	private ProcStats() {
	}

	static OptionalLong writeBytes(long pid) {
		return read(pid, "io").map(ProcStats::parseWriteBytes).orElse(OptionalLong.empty());
	}

	static OptionalLong rssBytes(long pid) {
		return read(pid, "status").map(ProcStats::parseRssBytes).orElse(OptionalLong.empty());
	}

	/** {@code write_bytes: 123} of a {@code /proc/<pid>/io} text. */
	static OptionalLong parseWriteBytes(String io) {
		return field(io, "write_bytes:", 1);
	}

	/** {@code VmRSS: 123 kB} of a {@code /proc/<pid>/status} text, in bytes. */
	static OptionalLong parseRssBytes(String status) {
		return field(status, "VmRSS:", 1024);
	}

	private static OptionalLong field(String text, String prefix, long unit) {
		for (String line : text.split("\n")) {
			if (line.startsWith(prefix)) {
				String[] words = line.substring(prefix.length()).strip().split("\\s+");
				try {
					return OptionalLong.of(Long.parseLong(words[0]) * unit);
				}
				catch (NumberFormatException ex) {
					return OptionalLong.empty();
				}
			}
		}
		return OptionalLong.empty();
	}

	private static Optional<String> read(long pid, String file) {
		try {
			return Optional.of(Files.readString(Path.of("/proc", Long.toString(pid), file)));
		}
		catch (IOException | SecurityException ex) {
			return Optional.empty();
		}
	}

}
