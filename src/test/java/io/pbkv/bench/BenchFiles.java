package io.pbkv.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.Stream;

/** What every benchmark's main class needs: its work dir removed at the end, and durations printed alike. */
public final class BenchFiles {

	private BenchFiles() {
	}

	/** Deletes {@code dir} and all below it; says so on stderr, naming {@code bench}, when it cannot. */
	public static void deleteRecursively(Path dir, String bench) {
		try (Stream<Path> paths = Files.walk(dir)) {
			for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
				Files.deleteIfExists(path);
			}
		}
		catch (NoSuchFileException alreadyGone) {
			// deleted by the other of main and the shutdown hook
		}
		catch (IOException ex) {
			System.err.println(bench + ": could not delete " + dir + ": " + ex.getMessage());
		}
	}

	/** Seconds with one decimal, as the benchmarks print them. */
	public static String seconds(Duration duration) {
		return String.format(Locale.ROOT, "%.1f", duration.toMillis() / 1000.0);
	}

}
