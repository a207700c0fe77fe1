package io.pbkv.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The benchmark the README documents ({@code bin/pbkv-bench}): PUT then GET throughput and latency with 1, 16 and
 * 64 concurrent clients over real HTTP against each {@link Target} (a lone node, then a primary-backup pair with
 * synchronous replication, printed beside it), plus the disk's serial fsync rate, to show the gain of group
 * commit; then kill -9 failovers of the pair under load ({@link FailoverBench}): how long writes fail, and
 * whether any acknowledged write was lost. On request ({@code PBKV_BENCH_TARGETS=scale}), {@link ScaleBench}: a
 * pair loaded with 100k, 1M, ... keys, and what that size costs in snapshots, stalls, disk, memory and restarts.
 * Settings come from the environment, see {@link BenchSettings}.
 *
 * <p>Run with {@code java -cp target/test-classes:target/classes io.pbkv.bench.PbkvBench}; never part of a test
 * run (no class here is named {@code *Test} except the unit tests of its pure logic).
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

		List<Target> chosen = new ArrayList<>();
		if (settings.measures(BenchSettings.TargetKind.LONE)) {
			chosen.add(new LoneNode(settings, workDir.resolve("lone")));
		}
		if (settings.measures(BenchSettings.TargetKind.PAIR)) {
			chosen.add(new PrimaryBackupPair(settings, workDir.resolve("pair")));
		}
		List<Target> targets = List.copyOf(chosen);
		ScaleBench scale = settings.measures(BenchSettings.TargetKind.SCALE) ? new ScaleBench(settings) : null;

		Runnable cleanUp = () -> {
			targets.forEach(Target::close);
			if (scale != null) {
				scale.close();
			}
			if (!settings.keepWorkDir()) {
				BenchFiles.deleteRecursively(workDir, "pbkv-bench");
			}
		};
		// Ctrl-C or kill must not leave a node running or its data behind.
		Thread cleanUpOnExit = new Thread(cleanUp, "pbkv-bench-clean-up");
		Runtime.getRuntime().addShutdownHook(cleanUpOnExit);
		int status;
		try {
			status = run(settings, workDir, targets, scale);
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

	private static int run(BenchSettings settings, Path workDir, List<Target> targets, ScaleBench scale)
			throws Exception {
		FileStore store = Files.getFileStore(workDir);
		out.printf(Locale.ROOT, "jar %s, node java %s%n", settings.jar(), settings.java());
		out.printf(Locale.ROOT, "work dir %s (file system %s on %s)%n", workDir, store.type(), store.name());
		if (List.of("tmpfs", "ramfs").contains(store.type())) {
			out.println("WARNING: " + store.type() + " does not reach a disk on fsync; set PBKV_BENCH_DIR to a"
					+ " directory on the disk you want to judge");
		}
		if (!targets.isEmpty()) {
			out.printf(Locale.ROOT, "%s s per row after a %s s warm-up per operation; clients %s; %d-byte values%n",
					seconds(settings.duration()), seconds(settings.warmup()), settings.clientCounts(),
					settings.valueBytes());
		}
		List<String> names = new ArrayList<>(targets.stream().map(Target::name).toList());
		if (scale != null) {
			names.add("scale " + settings.scaleKeys() + " keys");
		}
		out.printf(Locale.ROOT, "targets: %s%n%n", String.join(", ", names));

		FsyncProbe.Result fsync = null;
		if (!targets.isEmpty()) {
			fsync = FsyncProbe.measure(workDir, settings.fsyncProbe());
			out.printf(Locale.ROOT,
					"serial fsync (append 64 B + force): %.0f/s, p50 %.2f ms, p99 %.2f ms (%d in %s s)%n%n",
					fsync.perSecond(), fsync.latency().p50Millis(), fsync.latency().p99Millis(), fsync.fsyncs(),
					seconds(fsync.elapsed()));
		}

		ResultsTable table = new ResultsTable(out);
		boolean failoverTrouble = false;
		for (Target target : targets) {
			try {
				measure(settings, target, table);
				if (target instanceof PrimaryBackupPair pair) {
					if (targets.size() > 1) {
						out.println();
						table.printComparison(targets.get(0).name(), "lone", pair.name(), "pair");
					}
					if (settings.failovers() > 0) {
						out.println();
						failoverTrouble = !failovers(settings, pair);
					}
				}
			}
			finally {
				target.close();
			}
		}

		int status = 0;
		if (!targets.isEmpty()) {
			out.println();
			printGain(settings, targets, table, fsync);
			if (table.anyFailures()) {
				out.println("Some requests failed (errors column): the figures above are not trustworthy.");
				status = 1;
			}
			if (failoverTrouble) {
				out.println("A failover did not recover, or an acknowledged write was not read back: see above.");
				status = 1;
			}
		}
		if (scale != null) {
			if (!targets.isEmpty()) {
				out.println();
			}
			if (!scaleRows(settings, workDir, scale)) {
				status = 1;
			}
		}
		return status;
	}

	/**
	 * One row per key count, each against a new pair; false when a load had keys not acknowledged or a wait timed
	 * out (the row says which).
	 */
	private static boolean scaleRows(BenchSettings settings, Path workDir, ScaleBench scale) throws Exception {
		out.printf(Locale.ROOT,
				"scale: per key count, a new pair (sync, fsync always, %s) loaded with that many distinct keys of %d-byte"
						+ " values, %d PUTs in flight, then its backup restarted three ways; every wait at most %s s%n",
				settings.scaleXmx().map((xmx) -> "-Xmx" + xmx).orElse("the JVM's default -Xmx"),
				settings.scaleValueBytes(), ScaleBench.IN_FLIGHT, seconds(settings.scaleWait()));
		for (String line : ScaleTable.legend()) {
			out.println("  " + line);
		}
		ScaleTable table = new ScaleTable(out);
		for (long keys : settings.scaleKeys()) {
			table.add(scale.measure(keys, workDir.resolve("scale-" + keys)));
		}
		boolean ok = true;
		if (table.anyFailures()) {
			out.println("Some keys were not acknowledged (err column): the rows above are not trustworthy.");
			ok = false;
		}
		if (table.anyTimeout()) {
			out.println("A wait ended without what it waited for (timeout, exited, or a load that gave up after no"
					+ " acknowledgement for the bound: keys/s marked ! or keys in err): see the row.");
			ok = false;
		}
		return ok;
	}

	/** Starts the target and loads it row by row (each operation warmed up first); the caller stops it. */
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
	}

	/**
	 * Kill -9 rounds against the running pair (the killed node restarted as backup between rounds), their
	 * unavailability against the target, and the read-back of every acknowledged write. False when a round did
	 * not recover or an acknowledged write was not read back.
	 */
	private static boolean failovers(BenchSettings settings, PrimaryBackupPair pair) throws Exception {
		out.printf(Locale.ROOT,
				"failover: %d rounds of %d writers (half via a, half via b) for %s s, then kill -9 of the primary;"
						+ " unavailable = from the kill until a PUT to the survivor (one every %d ms, at most %d s)"
						+ " is answered 200%n",
				settings.failovers(), FailoverBench.WRITERS, seconds(FailoverBench.LOAD_BEFORE_KILL),
				FailoverBench.PROBE_PERIOD.toMillis(), FailoverBench.PROBE_BOUND.toSeconds());
		FailoverBench bench = new FailoverBench(pair);
		List<FailoverStats.Round> rounds = new ArrayList<>();
		for (int number = 1; number <= settings.failovers(); number++) {
			if (number > 1) {
				String restarted = PrimaryBackupPair.id(pair.backup());
				long began = System.nanoTime();
				pair.restartBackup();
				out.printf(Locale.ROOT, "  %s restarted as backup, in sync with %s after %s s%n", restarted,
						PrimaryBackupPair.id(pair.primary()), seconds(Duration.ofNanos(System.nanoTime() - began)));
			}
			FailoverStats.Round round = bench.round(number);
			rounds.add(round);
			out.printf(Locale.ROOT, "  round %d: kill -9 of primary %s -> %s; %d PUTs acknowledged in the round%n",
					round.number(), round.killed(),
					round.unavailable()
						.map((d) -> "first PUT answered 200 by " + round.survivor() + " after " + d.toMillis() + " ms")
						.orElse("no PUT answered 200 by " + round.survivor() + " within "
								+ FailoverBench.PROBE_BOUND.toSeconds() + " s"),
					round.acknowledged());
			if (round.unavailable().isEmpty()) {
				break;
			}
		}
		FailoverStats stats = new FailoverStats(rounds, FailoverBench.DEFAULT_HEARTBEAT_TIMEOUT);
		out.printf(Locale.ROOT, "failover unavailability: %s; max %s (target under heartbeat timeout + 1 s = %s s + 1 s"
				+ " = %s s, kv.heartbeat.timeout left at its default: %s)%n",
				String.join(", ", rounds.stream()
					.map((r) -> r.unavailable().map((d) -> d.toMillis() + " ms").orElse("timed out"))
					.toList()),
				stats.max().map((d) -> d.toMillis() + " ms").orElse("-"), seconds(stats.heartbeatTimeout()),
				seconds(stats.target()), stats.met() ? "met" : "NOT met");

		ReadBack check = bench.readBack();
		String primary = PrimaryBackupPair.id(pair.primary());
		if (check.allPresent()) {
			out.printf(Locale.ROOT,
					"lost-write check: all %d PUTs acknowledged (200) during the failover rounds read back from"
							+ " the primary %s with their values: none lost%n",
					check.checked(), primary);
		}
		else {
			out.printf(Locale.ROOT,
					"lost-write check: of %d PUTs acknowledged (200) during the failover rounds, read back from the"
							+ " primary %s: %d missing, %d with another value (LOST: %d), %d not answered%n",
					check.checked(), primary, check.missing(), check.wrongValue(), check.lost(), check.unanswered());
		}
		return stats.timedOut() == 0 && check.allPresent();
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
		return BenchFiles.seconds(duration);
	}

}
