package io.pbkv.bench;

import io.pbkv.process.NodeProcess;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What one benchmark run measures and how long, read from the environment so that {@code bin/pbkv-bench}
 * and a plain {@code java -cp ...} behave the same.
 *
 * @param jar the node jar ({@code PBKV_JAR}, default {@code target/pbkv.jar})
 * @param java the java that runs the nodes ({@code PBKV_JAVA}, default the one running the benchmark)
 * @param workRoot where the temporary directory for data and fsync probe is created ({@code PBKV_BENCH_DIR},
 * default {@code target}); it must be on the disk being judged, not a tmpfs
 * @param duration measured time per row ({@code PBKV_BENCH_SECONDS}, default 10)
 * @param warmup unmeasured load per operation before the first row ({@code PBKV_BENCH_WARMUP_SECONDS}, default 2)
 * @param clientCounts concurrent clients per row ({@code PBKV_BENCH_CLIENTS}, default {@code 1,16,64})
 * @param valueBytes size of every value written ({@code PBKV_BENCH_VALUE_BYTES}, default 100)
 * @param fsyncProbe how long the serial fsync loop runs ({@code PBKV_BENCH_FSYNC_SECONDS}, default 3)
 * @param keepWorkDir keep the temporary directory, with the node logs ({@code PBKV_BENCH_KEEP=1})
 * @param targets what to measure ({@code PBKV_BENCH_TARGETS}, default {@code lone,pair}); always in the order of
 * {@link TargetKind}, whatever the order given
 * @param failovers kill -9 rounds after the pair's rows ({@code PBKV_BENCH_FAILOVERS}, default 3; 0 skips them)
 * @param scaleKeys the key counts of the scale rows, one pair each ({@code PBKV_BENCH_SCALE_KEYS}, default
 * {@code 100000,1000000}; 10M only when listed)
 * @param scaleValueBytes size of every value the scale rows load ({@code PBKV_BENCH_SCALE_VALUE_BYTES}, default 100)
 * @param scaleXmx the {@code -Xmx} of the scale rows' nodes, such as {@code 2g} ({@code PBKV_BENCH_SCALE_XMX}); empty
 * for the JVM's default
 * @param scaleWait the bound of every wait of a scale row ({@code PBKV_BENCH_SCALE_WAIT_SECONDS}, default 600)
 */
public record BenchSettings(Path jar, Path java, Path workRoot, Duration duration, Duration warmup, List<Integer> clientCounts,
		int valueBytes, Duration fsyncProbe, boolean keepWorkDir, Set<TargetKind> targets, int failovers,
		List<Long> scaleKeys, int scaleValueBytes, Optional<String> scaleXmx, Duration scaleWait) {

	/** The deployments {@code PBKV_BENCH_TARGETS} can name. */
	enum TargetKind {

		/** {@link LoneNode}. */
		LONE,

		/** {@link PrimaryBackupPair}. */
		PAIR,

		/** {@link ScaleBench}: a pair per key count, loaded with that many keys, then its backup restarted. */
		SCALE

	}

	public BenchSettings {
		targets = Set.copyOf(targets);
		scaleKeys = List.copyOf(scaleKeys);
	}

	public static BenchSettings fromEnvironment(Map<String, String> env) {
		Path currentJava = ProcessHandle.current().info().command().map(Path::of).orElse(Path.of("java"));
		return new BenchSettings(Path.of(env.getOrDefault("PBKV_JAR", "target/pbkv.jar")),
				Path.of(env.getOrDefault("PBKV_JAVA", currentJava.toString())),
				Path.of(env.getOrDefault("PBKV_BENCH_DIR", "target")), seconds(env, "PBKV_BENCH_SECONDS", "10"),
				seconds(env, "PBKV_BENCH_WARMUP_SECONDS", "2"), clients(env.getOrDefault("PBKV_BENCH_CLIENTS", "1,16,64")),
				Integer.parseInt(env.getOrDefault("PBKV_BENCH_VALUE_BYTES", "100")),
				seconds(env, "PBKV_BENCH_FSYNC_SECONDS", "3"), "1".equals(env.get("PBKV_BENCH_KEEP")),
				targets(env.getOrDefault("PBKV_BENCH_TARGETS", "lone,pair")), failovers(env),
				scaleKeys(env.getOrDefault("PBKV_BENCH_SCALE_KEYS", "100000,1000000")),
				Integer.parseInt(env.getOrDefault("PBKV_BENCH_SCALE_VALUE_BYTES", "100").strip()),
				Optional.ofNullable(env.get("PBKV_BENCH_SCALE_XMX")).map(String::strip).filter((x) -> !x.isEmpty()),
				seconds(env, "PBKV_BENCH_SCALE_WAIT_SECONDS", "600"));
	}

	boolean measures(TargetKind kind) {
		return this.targets.contains(kind);
	}

	/**
	 * A node as the benchmark runs it: this jar and java, and no JVM options (default heap, full JIT), unlike the
	 * process tests' {@link NodeProcess#TEST_JVM_OPTIONS}, which trade peak speed for start-up time.
	 */
	NodeProcess node(String nodeId, int port, Path workDir, List<String> args) {
		return node(nodeId, port, workDir, List.of(), args);
	}

	/** A node as {@link #node(String, int, Path, List)} makes it, with these JVM options (the scale rows' -Xmx). */
	NodeProcess node(String nodeId, int port, Path workDir, List<String> jvmOptions, List<String> args) {
		List<String> options = new java.util.ArrayList<>(nodeJavaOptions(System.getenv()));
		options.addAll(jvmOptions);
		return new NodeProcess(this.java, this.jar, options, nodeId, port, workDir, args);
	}

	/** {@code PBKV_BENCH_NODE_JAVA_OPTS}: JVM options for the nodes alone (not the load generator), to compare. */
	static List<String> nodeJavaOptions(Map<String, String> env) {
		String options = env.getOrDefault("PBKV_BENCH_NODE_JAVA_OPTS", "").strip();
		return options.isEmpty() ? List.of() : List.of(options.split("\\s+"));
	}

	/** The JVM options of the scale rows' nodes: {@code -Xmx} when {@link #scaleXmx()} is set, else none. */
	List<String> scaleJvmOptions() {
		return this.scaleXmx.map((xmx) -> List.of("-Xmx" + xmx)).orElse(List.of());
	}

	int maxClients() {
		return this.clientCounts.stream().mapToInt(Integer::intValue).max().orElseThrow();
	}

	private static Duration seconds(Map<String, String> env, String name, String fallback) {
		String text = env.getOrDefault(name, fallback);
		double seconds;
		try {
			seconds = Double.parseDouble(text);
		}
		catch (NumberFormatException ex) {
			throw new IllegalArgumentException(name + " must be a number of seconds, not '" + text + "'");
		}
		if (seconds < 0) {
			throw new IllegalArgumentException(name + " must not be negative");
		}
		return Duration.ofMillis(Math.round(seconds * 1000));
	}

	private static List<Integer> clients(String text) {
		List<Integer> counts = Arrays.stream(text.split(",")).map(String::strip).map(Integer::valueOf).toList();
		if (counts.isEmpty() || counts.stream().anyMatch((count) -> count < 1)) {
			throw new IllegalArgumentException("PBKV_BENCH_CLIENTS must list positive client counts, not '" + text + "'");
		}
		return counts;
	}

	static Set<TargetKind> targets(String text) {
		Set<TargetKind> kinds = EnumSet.noneOf(TargetKind.class);
		for (String name : text.split(",")) {
			String kind = name.strip().toUpperCase(Locale.ROOT);
			if (kind.isEmpty()) {
				continue;
			}
			try {
				kinds.add(TargetKind.valueOf(kind));
			}
			catch (IllegalArgumentException ex) {
				throw new IllegalArgumentException(
						"PBKV_BENCH_TARGETS must list lone, pair and/or scale, not '" + text + "'");
			}
		}
		if (kinds.isEmpty()) {
			throw new IllegalArgumentException(
					"PBKV_BENCH_TARGETS must list lone, pair and/or scale, not '" + text + "'");
		}
		return kinds;
	}

	/** Positive key counts, in the order given; {@code _} may group digits ({@code 1_000_000}). */
	static List<Long> scaleKeys(String text) {
		List<Long> counts;
		try {
			counts = Arrays.stream(text.split(","))
				.map((count) -> count.strip().replace("_", ""))
				.filter((count) -> !count.isEmpty())
				.map(Long::valueOf)
				.toList();
		}
		catch (NumberFormatException ex) {
			counts = List.of();
		}
		if (counts.isEmpty() || counts.stream().anyMatch((count) -> count < 1)) {
			throw new IllegalArgumentException(
					"PBKV_BENCH_SCALE_KEYS must list positive key counts, such as 100000,1000000, not '" + text + "'");
		}
		return counts;
	}

	private static int failovers(Map<String, String> env) {
		String text = env.getOrDefault("PBKV_BENCH_FAILOVERS", "3");
		try {
			int rounds = Integer.parseInt(text.strip());
			if (rounds >= 0) {
				return rounds;
			}
		}
		catch (NumberFormatException ex) {
			// reported below
		}
		throw new IllegalArgumentException("PBKV_BENCH_FAILOVERS must be a count of 0 or more, not '" + text + "'");
	}

}
