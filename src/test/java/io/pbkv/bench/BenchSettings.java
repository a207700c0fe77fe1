package io.pbkv.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

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
 */
record BenchSettings(Path jar, Path java, Path workRoot, Duration duration, Duration warmup, List<Integer> clientCounts,
		int valueBytes, Duration fsyncProbe, boolean keepWorkDir) {

	static BenchSettings fromEnvironment(Map<String, String> env) {
		Path currentJava = ProcessHandle.current().info().command().map(Path::of).orElse(Path.of("java"));
		return new BenchSettings(Path.of(env.getOrDefault("PBKV_JAR", "target/pbkv.jar")),
				Path.of(env.getOrDefault("PBKV_JAVA", currentJava.toString())),
				Path.of(env.getOrDefault("PBKV_BENCH_DIR", "target")), seconds(env, "PBKV_BENCH_SECONDS", "10"),
				seconds(env, "PBKV_BENCH_WARMUP_SECONDS", "2"), clients(env.getOrDefault("PBKV_BENCH_CLIENTS", "1,16,64")),
				Integer.parseInt(env.getOrDefault("PBKV_BENCH_VALUE_BYTES", "100")),
				seconds(env, "PBKV_BENCH_FSYNC_SECONDS", "3"), "1".equals(env.get("PBKV_BENCH_KEEP")));
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

}
