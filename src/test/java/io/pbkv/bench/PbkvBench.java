package io.pbkv.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The benchmark the README documents ({@code bin/pbkv-bench}): PUT then GET throughput and latency with 1, 16 and
 * 64 concurrent clients over real HTTP against each {@link Target}, plus the disk's serial fsync rate, to show the
 * gain of group commit. Settings come from the environment, see {@link BenchSettings}.
 *
 * <p>Run with {@code java -cp target/test-classes:target/classes io.pbkv.bench.PbkvBench}; never part of a test
 * run (no class here is named {@code *Test} except the unit test of the statistics).
 */
public final class PbkvBench {

	/** The group-commit gain the design aims for: PUT ops/s at 64 clients over serial fsyncs/s. */
	private static final double TARGET_GAIN = 5.0;

	private static final PrintStream out = System.out;

	private PbkvBench() {
	}

	public static void main(String[] args) throws IOException {
		BenchSettings settings;
		try {
			settings = BenchSettings.fromEnvironment(System.getenv());
		}
		catch (IllegalArgumentException ex) {
			System.err.println("pbkv-bench: " + ex.getMessage());
			System.exit(2);
			return;
		}
		if (!Files.isRegularFile(settings.jar())) {
			System.err.println("pbkv-bench: " + settings.jar() + " does not exist; ./mvnw -B -q package -DskipTests builds it");
			System.exit(2);
		}
		Files.createDirectories(settings.workRoot());
		Path workDir = Files.createTempDirectory(settings.workRoot().toAbsolutePath(), "pbkv-bench-");

		// A primary-backup pair joins this list once replication works, measured in the same run.
		List<Target> targets = List.of(new LoneNode(settings, workDir.resolve("lone")));

		Runnable cleanUp = () -> {
			targets.forEach(Target::close);
			if (!settings.keepWorkDir()) {
				deleteRecursively(workDir);
			}
		};
		// Ctrl-C or kill must not leave a node running or its data behind.
		Thread cleanUpOnExit = new Thread(cleanUp, "pbkv-bench-clean-up");
		Runtime.getRuntime().addShutdownHook(cleanUpOnExit);
		int status;
		try {
			status = run(settings, workDir, targets);
		}
		catch (IllegalStateException ex) {
			// A node that does not start or serve: the message says why, with its log; a stack trace adds nothing.
			System.err.println("pbkv-bench: " + ex.getMessage());
			status = 1;
		}
		catch (Exception ex) {
			ex.printStackTrace();
			status = 1;
		}
		finally {
			cleanUp.run();
			Runtime.getRuntime().removeShutdownHook(cleanUpOnExit);
		}
		if (settings.keepWorkDir()) {
			out.println("kept " + workDir + " (node data and logs)");
		}
		System.exit(status);
	}

	private static int run(BenchSettings settings, Path workDir, List<Target> targets) throws Exception {
		FileStore store = Files.getFileStore(workDir);
		out.printf(Locale.ROOT, "jar %s, node java %s%n", settings.jar(), settings.java());
		out.printf(Locale.ROOT, "work dir %s (file system %s on %s)%n", workDir, store.type(), store.name());
		if (List.of("tmpfs", "ramfs").contains(store.type())) {
			out.println("WARNING: " + store.type() + " does not reach a disk on fsync; set PBKV_BENCH_DIR to a"
					+ " directory on the disk you want to judge");
		}
		out.printf(Locale.ROOT, "%s s per row after a %s s warm-up per operation; clients %s; %d-byte values%n%n",
				seconds(settings.duration()), seconds(settings.warmup()), settings.clientCounts(), settings.valueBytes());

		FsyncProbe.Result fsync = FsyncProbe.measure(workDir, settings.fsyncProbe());
		out.printf(Locale.ROOT, "serial fsync (append 64 B + force): %.0f/s, p50 %.2f ms, p99 %.2f ms (%d in %s s)%n%n",
				fsync.perSecond(), fsync.latency().p50Millis(), fsync.latency().p99Millis(), fsync.fsyncs(),
				seconds(fsync.elapsed()));

		ResultsTable table = new ResultsTable(out);
		for (Target target : targets) {
			measure(settings, target, table);
		}

		out.println();
		printGain(settings, targets, table, fsync);
		if (table.anyFailures()) {
			out.println("Some requests failed (errors column): the figures above are not trustworthy.");
			return 1;
		}
		return 0;
	}

	/** Starts the target, loads it row by row (each operation warmed up first), and stops it. */
	private static void measure(BenchSettings settings, Target target, ResultsTable table) throws Exception {
		target.start();
		LoadGenerator load = new LoadGenerator(settings.valueBytes(), settings.maxClients());
		load.checkRoundTrip(target);
		for (Operation operation : Operation.values()) {
			if (!settings.warmup().isZero()) {
				load.run(target, operation, settings.maxClients(), settings.warmup());
			}
			for (int clients : settings.clientCounts()) {
				table.add(load.run(target, operation, clients, settings.duration()));
			}
		}
		target.close();
	}

	private static void printGain(BenchSettings settings, List<Target> targets, ResultsTable table,
			FsyncProbe.Result fsync) {
		int clients = settings.clientCounts().contains(64) ? 64 : settings.maxClients();
		for (Target target : targets) {
			table.find(target.name(), Operation.PUT, clients).ifPresent((put) -> {
				double gain = put.opsPerSecond() / fsync.perSecond();
				out.printf(Locale.ROOT,
						"group-commit gain (%s): %.1fx = PUT %.0f ops/s at %d clients / %.0f serial fsyncs/s"
								+ " (target >= %.0fx: %s)%n",
						target.name(), gain, put.opsPerSecond(), clients, fsync.perSecond(), TARGET_GAIN,
						(gain >= TARGET_GAIN) ? "met" : "NOT met");
			});
		}
	}

	private static String seconds(Duration duration) {
		return String.format(Locale.ROOT, "%.1f", duration.toMillis() / 1000.0);
	}

	private static void deleteRecursively(Path dir) {
		try (Stream<Path> paths = Files.walk(dir)) {
			for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
				Files.deleteIfExists(path);
			}
		}
		catch (NoSuchFileException alreadyGone) {
			// deleted by the other of main and the shutdown hook
		}
		catch (IOException ex) {
			System.err.println("pbkv-bench: could not delete " + dir + ": " + ex.getMessage());
		}
	}

}
