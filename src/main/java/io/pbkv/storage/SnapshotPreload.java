package io.pbkv.storage;

import io.pbkv.core.Snapshot;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.Stream;

/**
 * The newest snapshot file of a data dir, read on a thread of its own from as early in start-up as the data dir is
 * known, so that reading a large state and starting the framework overlap instead of adding up (at 1 M keys the
 * read takes about as long as the rest of start-up on two cores). Recovery takes the result only for the very file
 * it would read itself (the newest, by name); anything else, or a read that failed, is simply read again there,
 * where failures are reported as they always were.
 */
public final class SnapshotPreload {

	private static final SnapshotPreload NONE = new SnapshotPreload(null, null);

	private final Path file;

	private CompletableFuture<Snapshot> read;

	private SnapshotPreload(Path file, CompletableFuture<Snapshot> read) {
		this.file = file;
		this.read = read;
	}

	/** Nothing preloaded: recovery reads the file itself. */
	public static SnapshotPreload none() {
		return NONE;
	}

	/** Starts reading the newest snapshot file in {@code dataDir}, if it holds one; never throws. */
	public static SnapshotPreload start(Path dataDir) {
		Path newest;
		try (Stream<Path> files = Files.list(dataDir.resolve("log"))) {
			newest = files.filter(f -> f.getFileName().toString().endsWith(".snap"))
				.filter(f -> SnapshotFile.lastIndexOf(f) >= 0)
				.max(Comparator.comparingLong(SnapshotFile::lastIndexOf))
				.orElse(null);
		}
		catch (IOException | RuntimeException ex) {
			return NONE; // no data dir yet, or unreadable: recovery says why
		}
		if (newest == null) {
			return NONE;
		}
		CompletableFuture<Snapshot> read = new CompletableFuture<>();
		Thread.ofPlatform().daemon().name("pbkv-snapshot-preload").start(() -> {
			try {
				read.complete(SnapshotFile.read(newest));
			}
			catch (IOException | RuntimeException ex) {
				read.completeExceptionally(ex);
			}
		});
		return new SnapshotPreload(newest, read);
	}

	/**
	 * The snapshot read from {@code snapshotFile}, waiting for the read to finish, or null when this preload did
	 * not read that file or its read failed (the caller then reads it itself). Hands the snapshot over once.
	 */
	synchronized Snapshot take(Path snapshotFile) {
		if (read == null || !snapshotFile.equals(file)) {
			return null;
		}
		CompletableFuture<Snapshot> taken = read;
		read = null;
		try {
			return taken.join();
		}
		catch (CompletionException | UncheckedIOException ex) {
			return null;
		}
	}

}
