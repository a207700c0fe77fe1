package io.pbkv.bench.compare;

import io.pbkv.bench.BenchSettings;

import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What {@code bin/pbkv-bench compare} measures, from the environment; the node jar, node java, temporary dir
 * ({@code PBKV_BENCH_DIR}), {@code PBKV_BENCH_KEEP} and the fsync probe's length come from {@link BenchSettings}.
 *
 * @param bench the shared settings
 * @param duration measured time per row ({@code PBKV_COMPARE_SECONDS}, 10)
 * @param warmup unmeasured PUT load per system before its first row ({@code PBKV_COMPARE_WARMUP_SECONDS}, 20); a
 * quarter of it before the GET and no-op rows
 * @param systems {@code pbkv}, {@code etcd}, {@code redis} ({@code PBKV_COMPARE_SYSTEMS}, all three)
 * @param connections the closed-loop PUT rows ({@code PBKV_COMPARE_CONNECTIONS}, {@code 1,64,256})
 * @param midConnections connections of the fixed-rate, GET, lone and no-op rows and of the rate's reference
 * ({@code PBKV_COMPARE_MID_CONNECTIONS}, 64)
 * @param rate the fixed rate ({@code PBKV_COMPARE_RATE}); unset: etcd's closed-loop PUT ops/s at
 * {@code midConnections} in this run, or half of pbkv pair's without etcd
 * @param valueBytes value size ({@code PBKV_COMPARE_VALUE_BYTES}, 100)
 * @param floorSeconds length of each c=1 round-trip row of the physical floor ({@code PBKV_COMPARE_FLOOR_SECONDS}, 5)
 * @param outDir where the CSV and SVG go ({@code PBKV_COMPARE_OUT}, {@code target/compare-<timestamp>})
 * @param etcd the etcd binary ({@code PBKV_COMPARE_ETCD}, {@code etcd} on the PATH)
 * @param redis the redis-server binary ({@code PBKV_COMPARE_REDIS}, {@code redis-server} on the PATH)
 */
record CompareSettings(BenchSettings bench, Duration duration, Duration warmup, Set<String> systems,
		List<Integer> connections, int midConnections, Optional<Double> rate, int valueBytes, Duration floorSeconds,
		Path outDir, String etcd, String redis) {

	static final List<String> ALL_SYSTEMS = List.of("pbkv", "etcd", "redis");

	static CompareSettings fromEnvironment(Map<String, String> env) {
		String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT));
		return new CompareSettings(BenchSettings.fromEnvironment(env), seconds(env, "PBKV_COMPARE_SECONDS", "10"),
				seconds(env, "PBKV_COMPARE_WARMUP_SECONDS", "20"), systems(env.getOrDefault("PBKV_COMPARE_SYSTEMS",
						String.join(",", ALL_SYSTEMS))),
				counts("PBKV_COMPARE_CONNECTIONS", env.getOrDefault("PBKV_COMPARE_CONNECTIONS", "1,64,256")),
				counts("PBKV_COMPARE_MID_CONNECTIONS", env.getOrDefault("PBKV_COMPARE_MID_CONNECTIONS", "64")).get(0),
				rate(env.get("PBKV_COMPARE_RATE")),
				counts("PBKV_COMPARE_VALUE_BYTES", env.getOrDefault("PBKV_COMPARE_VALUE_BYTES", "100")).get(0),
				seconds(env, "PBKV_COMPARE_FLOOR_SECONDS", "5"),
				Path.of(env.getOrDefault("PBKV_COMPARE_OUT", "target/compare-" + stamp)),
				env.getOrDefault("PBKV_COMPARE_ETCD", "etcd"), env.getOrDefault("PBKV_COMPARE_REDIS", "redis-server"));
	}

	boolean runs(String system) {
		return this.systems.contains(system);
	}

	/** The most connections any row opens: the size of the key spaces. */
	int maxConnections() {
		return Math.max(this.midConnections, this.connections.stream().mapToInt(Integer::intValue).max().orElse(1));
	}

	static Set<String> systems(String text) {
		Set<String> chosen = new LinkedHashSet<>();
		for (String name : text.split(",")) {
			String system = name.strip().toLowerCase(Locale.ROOT);
			if (system.isEmpty()) {
				continue;
			}
			if (!ALL_SYSTEMS.contains(system)) {
				throw new IllegalArgumentException("PBKV_COMPARE_SYSTEMS must list pbkv, etcd and/or redis, not '" + text + "'");
			}
			chosen.add(system);
		}
		if (chosen.isEmpty()) {
			throw new IllegalArgumentException("PBKV_COMPARE_SYSTEMS must list pbkv, etcd and/or redis");
		}
		return chosen;
	}

	static List<Integer> counts(String name, String text) {
		try {
			List<Integer> counts = Arrays.stream(text.split(",")).map(String::strip).map(Integer::valueOf).toList();
			if (!counts.isEmpty() && counts.stream().allMatch((c) -> c >= 1)) {
				return counts;
			}
		}
		catch (NumberFormatException ex) {
			// reported below
		}
		throw new IllegalArgumentException(name + " must be positive whole numbers, comma-separated, not '" + text + "'");
	}

	private static Optional<Double> rate(String text) {
		if (text == null || text.isBlank()) {
			return Optional.empty();
		}
		try {
			double rate = Double.parseDouble(text.strip());
			if (rate > 0) {
				return Optional.of(rate);
			}
		}
		catch (NumberFormatException ex) {
			// reported below
		}
		throw new IllegalArgumentException("PBKV_COMPARE_RATE must be a positive number of requests per second, not '"
				+ text + "'");
	}

	private static Duration seconds(Map<String, String> env, String name, String fallback) {
		String text = env.getOrDefault(name, fallback);
		try {
			double seconds = Double.parseDouble(text.strip());
			if (seconds >= 0) {
				return Duration.ofMillis(Math.round(seconds * 1000));
			}
		}
		catch (NumberFormatException ex) {
			// reported below
		}
		throw new IllegalArgumentException(name + " must be a number of seconds, not '" + text + "'");
	}

}
