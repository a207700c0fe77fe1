package io.pbkv.bench.compare;

import io.pbkv.bench.BenchFiles;
import io.pbkv.bench.FsyncProbe;
import io.pbkv.bench.LoneNode;
import io.pbkv.bench.PrimaryBackupPair;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * {@code bin/pbkv-bench compare}: pbkv beside etcd and Redis on the same box, loaded by one driver. Starts, one
 * system at a time, a 3-member etcd cluster, the pbkv pair (sync replication, fsync always), a Redis primary and
 * replica (AOF fsync always, writes confirmed by {@code WAIT 1 0}), and a lone pbkv node with the no-op endpoint
 * (the HTTP ceiling); measures closed-loop PUT at each connection count, PUT at a fixed rate (etcd's throughput),
 * linearizable GET, and the physical floor of a replicated PUT (client round trip + peer round trip + fsync); and
 * prints one table, then writes it as CSV with an SVG plot. Settings: {@link CompareSettings}.
 *
 * <p>Run with {@code java -cp target/test-classes:target/classes io.pbkv.bench.compare.CompareBench}; not a test.
 */
public final class CompareBench {

	static final String PAIR = "pbkv pair";

	static final String ETCD = "etcd";

	static final String REDIS = "redis";

	static final String LONE = "pbkv lone";

	static final String NO_OP = "pbkv no-op";

	static final String FLOOR = "floor";

	static final String PUT = "PUT closed";

	static final String PUT_RATE = "PUT fixed-rate";

	static final String DISK = "disk";

	/** The workload of the {@link DiskTail} rows, whose load column names the system they ran beside. */
	static final String DISK_TAIL = "fsync every " + DiskTail.EVERY.toMillis() + " ms during its fixed rate";

	static final String GET = "GET lin. closed";

	private static final PrintStream out = System.out;

	/** Everything started, stopped at the end, on failure, or by the shutdown hook (Ctrl-C). */
	private final List<AutoCloseable> running = new CopyOnWriteArrayList<>();

	private final List<CompareRow> rows = new ArrayList<>();

	private final CompareSettings settings;

	private final Path workDir;

	private final byte[] value;

	private CompareBench(CompareSettings settings, Path workDir) {
		this.settings = settings;
		this.workDir = workDir;
		this.value = Workload.value(settings.valueBytes());
	}

	public static void main(String[] args) throws IOException {
		CompareSettings settings;
		try {
			settings = CompareSettings.fromEnvironment(System.getenv());
		}
		catch (IllegalArgumentException ex) {
			System.err.println("pbkv-bench compare: " + ex.getMessage());
			System.exit(2);
			return;
		}
		if (settings.runs("pbkv") && !Files.isRegularFile(settings.bench().jar())) {
			System.err.println("pbkv-bench compare: " + settings.bench().jar() + " does not exist");
			System.exit(2);
		}
		Files.createDirectories(settings.bench().workRoot());
		Path workDir = Files.createTempDirectory(settings.bench().workRoot().toAbsolutePath(), "pbkv-compare-");
		CompareBench bench = new CompareBench(settings, workDir);
		Runnable cleanUp = () -> {
			bench.stopAll();
			if (!settings.bench().keepWorkDir()) {
				BenchFiles.deleteRecursively(workDir, "pbkv-bench compare");
			}
		};
		Thread hook = new Thread(cleanUp, "pbkv-compare-clean-up");
		Runtime.getRuntime().addShutdownHook(hook);
		int status;
		try {
			status = bench.run();
		}
		catch (IllegalStateException ex) {
			System.err.println("pbkv-bench compare: " + ex.getMessage());
			status = 1;
		}
		catch (Exception ex) {
			ex.printStackTrace();
			status = 1;
		}
		finally {
			cleanUp.run();
			Runtime.getRuntime().removeShutdownHook(hook);
		}
		if (settings.bench().keepWorkDir()) {
			out.println("kept " + workDir + " (data and logs)");
		}
		System.exit(status);
	}

	private int run() throws Exception {
		FileStore store = Files.getFileStore(this.workDir);
		out.printf(Locale.ROOT, "work dir %s (file system %s on %s)%n", this.workDir, store.type(), store.name());
		out.printf(Locale.ROOT,
				"%s s per row after a %s s PUT warm-up per system (a quarter of it before GET and no-op rows);"
						+ " PUT connections %s; fixed-rate, GET, lone and no-op rows at %d connections; %d-byte"
						+ " values, a new key per PUT%n",
				seconds(this.settings.duration()), seconds(this.settings.warmup()), this.settings.connections(),
				this.settings.midConnections(), this.settings.valueBytes());
		boolean etcd = this.settings.runs("etcd") && available("etcd", this.settings.etcd());
		boolean redis = this.settings.runs("redis") && available("redis", this.settings.redis());
		boolean pbkv = this.settings.runs("pbkv");
		out.println();

		FsyncProbe.Result fsync = FsyncProbe.measure(this.workDir, this.settings.bench().fsyncProbe(),
				this.settings.valueBytes());
		out.printf(Locale.ROOT, "serial fsync (append %d B + force): %.0f/s, p50 %.3f ms, p99 %.3f ms%n%n",
				this.settings.valueBytes(), fsync.perSecond(), fsync.latency().p50Millis(),
				fsync.latency().p99Millis());

		Optional<Double> rate = this.settings.rate();
		if (etcd) {
			rate = etcd(rate);
		}
		if (pbkv) {
			rate = pair(rate, fsync);
		}
		if (redis) {
			redis(rate);
		}
		if (pbkv) {
			lone();
		}
		out.println();
		report(rate, fsync);
		boolean failures = this.rows.stream().anyMatch((row) -> row.errors() > 0);
		if (failures) {
			out.println("Some requests failed (errors column): those rows are not trustworthy.");
		}
		return failures ? 1 : 0;
	}

	// ---- the systems, one at a time --------------------------------------------------------------------------

	private Optional<Double> etcd(Optional<Double> rate) throws Exception {
		EtcdCluster cluster = started(new EtcdCluster(this.settings.etcd(), this.workDir.resolve("etcd")));
		out.println("etcd, 3 members (defaults: WAL fsynced before a write is acknowledged):");
		for (ExternalProcess member : cluster.members()) {
			out.println("  $ " + member.commandLine());
		}
		cluster.start();
		out.printf(Locale.ROOT, "  etcd leader %s at %s, JSON gateway %s/kv/...; load to the leader%n",
				cluster.leaderName(), cluster.leader(), cluster.apiPrefix());
		Workload.Keys keys = new Workload.Keys("cmp", this.settings.maxConnections());
		Workload put = Workload.etcdPut(cluster.leader(), cluster.apiPrefix(), keys, this.value);
		closedRows(ETCD, put);
		if (rate.isEmpty()) {
			rate = find(ETCD, PUT, conns(this.settings.midConnections())).map(CompareRow::opsPerSecond)
				.filter((r) -> r > 0);
		}
		rate.ifPresent((r) -> fixedRateRow(ETCD, put, r));
		getRow(ETCD, Workload.etcdGet(cluster.leader(), cluster.apiPrefix(), keys));
		stop(cluster);
		return rate;
	}

	private Optional<Double> pair(Optional<Double> rate, FsyncProbe.Result fsync) throws Exception {
		PrimaryBackupPair pair = started(new PrimaryBackupPair(this.settings.bench(), this.workDir.resolve("pair")));
		out.println("pbkv pair (sync replication, fsync always):");
		pair.start();
		for (int node = 0; node < 2; node++) {
			out.println("  $ " + ExternalProcess.shellQuote(pair.process(node).command()));
		}
		Workload.Keys keys = new Workload.Keys("cmp", this.settings.maxConnections());
		Workload put = Workload.pbkvPut(pair.clientUrl(), keys, this.value);
		closedRows(PAIR, put);
		if (rate.isEmpty()) {
			rate = find(PAIR, PUT, conns(this.settings.midConnections())).map((row) -> row.opsPerSecond() / 2)
				.filter((r) -> r > 0);
		}
		rate.ifPresent((r) -> fixedRateRow(PAIR, put, r));
		getRow(PAIR, Workload.pbkvGet(pair.clientUrl(), keys));
		floor(pair, fsync);
		stop(pair);
		return rate;
	}

	private void redis(Optional<Double> rate) throws Exception {
		RedisPair redis = started(new RedisPair(this.settings.redis(), this.workDir.resolve("redis")));
		out.println("redis primary + replica (appendfsync always; SET + WAIT 1 0 pipelined per write):");
		for (ExternalProcess process : redis.processes()) {
			out.println("  $ " + process.commandLine());
		}
		redis.start();
		Workload.Keys keys = new Workload.Keys("cmp", this.settings.maxConnections());
		Workload put = Workload.redisSetWait("127.0.0.1", redis.primaryPort(), keys, this.value);
		closedRows(REDIS, put);
		rate.ifPresent((r) -> fixedRateRow(REDIS, put, r));
		stop(redis);
	}

	private void lone() throws Exception {
		LoneNode lone = started(new LoneNode(this.settings.bench(), this.workDir.resolve("lone"),
				List.of("--kv.bench.no-op-endpoint=true")));
		out.println("pbkv lone node (fsync always) with the no-op endpoint (the HTTP ceiling):");
		lone.start();
		out.println("  $ " + ExternalProcess.shellQuote(lone.process().command()));
		int c = this.settings.midConnections();
		Workload.Keys keys = new Workload.Keys("cmp", this.settings.maxConnections());
		warmUp(LONE, Workload.pbkvPut(lone.clientUrl(), keys, this.value), this.settings.warmup());
		measured(LONE, PUT, conns(c), LoadRunner.closedLoop(Workload.pbkvPut(lone.clientUrl(), keys, this.value), c,
				this.settings.duration()));
		Workload noOp = Workload.noOpPut(lone.clientUrl(), this.value);
		warmUp(NO_OP, noOp, this.settings.warmup().dividedBy(4));
		measured(NO_OP, "no-op PUT", conns(c), LoadRunner.closedLoop(noOp, c, this.settings.duration()));
		stop(lone);
	}

	// ---- rows -------------------------------------------------------------------------------------------------

	/** The warm-up, then one closed-loop PUT row per connection count. */
	private void closedRows(String system, Workload put) throws InterruptedException {
		warmUp(system, put, this.settings.warmup());
		for (int c : this.settings.connections()) {
			measured(system, PUT, conns(c), LoadRunner.closedLoop(put, c, this.settings.duration()));
		}
	}

	/** The fixed-rate row, and beside it the disk's own fsync latency in the same seconds ({@link DiskTail}). */
	private void fixedRateRow(String system, Workload put, double rate) {
		int c = this.settings.midConnections();
		DiskTail disk = DiskTail.start(this.workDir, this.settings.valueBytes());
		try {
			measured(system, PUT_RATE, rateLabel(rate, c), LoadRunner.fixedRate(put, rate, c, this.settings.duration()));
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("interrupted");
		}
		finally {
			disk.close();
		}
		DiskTail.Result tail = disk.stop();
		CompareRow row = new CompareRow(DISK, DISK_TAIL, system, tail.fsyncs() / (this.settings.duration().toNanos() / 1e9),
				tail.percentileMillis(50), tail.percentileMillis(99), tail.percentileMillis(99.9), -1, "", "",
				String.format(Locale.ROOT, "max %.1f ms, %d over %d ms", tail.maxMillis(), tail.stalls(),
						DiskTail.STALL.toMillis()));
		this.rows.add(row);
		out.printf(Locale.ROOT, "  %-10s %-33s p50 %7.2f  p99 %7.2f  p99.9 %7.2f ms  (%s)%n", DISK, "fsync beside it",
				row.p50Millis(), row.p99Millis(), row.p999Millis(), row.note());
	}

	private void getRow(String system, Workload get) throws InterruptedException {
		int c = this.settings.midConnections();
		warmUp(system + " GET", get, this.settings.warmup().dividedBy(4));
		measured(system, GET, conns(c), LoadRunner.closedLoop(get, c, this.settings.duration()));
	}

	/**
	 * The physical floor of one replicated PUT at c=1: a client round trip to the HTTP API (GET of a missing key,
	 * local read, on the backup), one peer round trip (the same request to the other node, the primary: the same
	 * HTTP stack and loopback a replication message crosses), and one fsync of a small append.
	 */
	private void floor(PrimaryBackupPair pair, FsyncProbe.Result fsync) throws InterruptedException {
		String path = "/kv/cmp-floor/missing?consistency=local";
		Duration length = this.settings.floorSeconds();
		Workload backup = Workload.httpGet(pair.url(pair.backup()), path, 404);
		Workload primary = Workload.httpGet(pair.url(pair.primary()), path, 404);
		warmUp("floor (a)", backup, length);
		warmUp("floor (b)", primary, length);
		CompareRow a = measured(FLOOR, "(a) client RTT: GET missing key, local, backup", conns(1),
				LoadRunner.closedLoop(backup, 1, length));
		CompareRow b = measured(FLOOR, "(b) peer RTT: same GET to the other node", conns(1),
				LoadRunner.closedLoop(primary, 1, length));
		CompareRow c = new CompareRow(FLOOR, "(c) fsync: " + this.settings.valueBytes() + " B append + force", "1 writer",
				fsync.perSecond(), fsync.latency().p50Millis(), fsync.latency().p99Millis(), Double.NaN, -1, "", "", "");
		this.rows.add(c);
		double sum = a.p50Millis() + b.p50Millis() + c.p50Millis();
		this.rows.add(CompareRow.latencyOnly(FLOOR, "sum (a)+(b)+(c), p50", conns(1), sum, ""));
		find(PAIR, PUT, conns(1)).ifPresent((put) -> this.rows.add(CompareRow.latencyOnly(PAIR,
				"PUT c=1 p50 minus floor", conns(1), put.p50Millis() - sum,
				String.format(Locale.ROOT, "PUT c=1 p50 %.2f ms - floor %.2f ms", put.p50Millis(), sum))));
	}

	private void warmUp(String what, Workload workload, Duration length) throws InterruptedException {
		if (length.isZero()) {
			return;
		}
		int c = Math.min(this.settings.midConnections(), what.startsWith("floor") ? 1 : Integer.MAX_VALUE);
		out.printf(Locale.ROOT, "  warm-up %s: %s s at c=%d%n", what, seconds(length), c);
		LoadRunner.closedLoop(workload, c, length);
	}

	private CompareRow measured(String system, String workload, String load, LoadRunner.Result result) {
		CompareRow row = CompareRow.measured(system, workload, load, result);
		if (result.unsent() > 0) {
			row = row.withNote(result.unsent() + " due but not sent within 1 s after the end (fell behind)");
		}
		this.rows.add(row);
		out.printf(Locale.ROOT, "  %-10s %-16s %-16s %8.0f ops/s  p50 %7.2f  p99 %7.2f  p99.9 %7.2f ms  errors %d%s%n",
				system, workload.length() > 16 ? workload.substring(0, 16) : workload, load, row.opsPerSecond(),
				row.p50Millis(), row.p99Millis(), row.p999Millis(), row.errors(),
				row.note().isEmpty() ? "" : "  (" + row.note() + ")");
		return row;
	}

	// ---- the report -------------------------------------------------------------------------------------------

	private void report(Optional<Double> rate, FsyncProbe.Result fsync) throws IOException {
		List<CompareRow> ordered = ordered();
		List<CompareRow> table = CompareTable.withRatios(ordered, PAIR, ETCD, REDIS);
		int c = this.settings.midConnections();
		table = notes(table, c);
		out.printf(Locale.ROOT,
				"pbkv vs etcd vs Redis (ms; ratios on pbkv pair rows: closed loop = ops/s pbkv / ops/s other, fixed"
						+ " rate = p99 pbkv / p99 other; fixed rate %s, latency from each request's intended send"
						+ " time)%n",
				rate.map((r) -> String.format(Locale.ROOT, "%.0f/s", r)).orElse("not measured"));
		for (String line : CompareTable.format(table)) {
			out.println(line);
		}
		Files.createDirectories(this.settings.outDir());
		Path csv = this.settings.outDir().resolve("compare.csv");
		Files.writeString(csv, CompareTable.csv(table));
		Map<String, Map<Integer, Double>> series = ThroughputPlot.series();
		for (String system : List.of(PAIR, ETCD, REDIS)) {
			Map<Integer, Double> points = new java.util.LinkedHashMap<>();
			for (int n : this.settings.connections()) {
				find(system, PUT, conns(n)).ifPresent((row) -> points.put(n, row.opsPerSecond()));
			}
			if (!points.isEmpty()) {
				series.put(system.equals(REDIS) ? "redis (SET+WAIT 1 0)" : system, points);
			}
		}
		Path svg = this.settings.outDir().resolve("put-throughput.svg");
		Files.writeString(svg, ThroughputPlot.svg("PUT ops/s, closed loop, " + this.settings.valueBytes()
				+ "-byte values, fsync always, 1 replica", this.settings.connections(), series));
		out.println();
		out.println("wrote " + csv.toAbsolutePath());
		out.println("wrote " + svg.toAbsolutePath());
	}

	/** The rows in table order: PUT by connections then system, fixed rate, GET, lone and ceiling, floor. */
	private List<CompareRow> ordered() {
		List<CompareRow> result = new ArrayList<>();
		List<String> systems = List.of(PAIR, ETCD, REDIS);
		for (int c : this.settings.connections()) {
			for (String system : systems) {
				find(system, PUT, conns(c)).ifPresent(result::add);
			}
		}
		for (String workload : List.of(PUT_RATE, DISK_TAIL, GET)) {
			for (String system : systems) {
				this.rows.stream()
					.filter((r) -> r.workload().equals(workload)
							&& (workload.equals(DISK_TAIL) ? r.load() : r.system()).equals(system))
					.forEach(result::add);
			}
		}
		this.rows.stream().filter((r) -> r.system().equals(LONE) || r.system().equals(NO_OP)).forEach(result::add);
		this.rows.stream()
			.filter((r) -> r.system().equals(FLOOR) || (r.system().equals(PAIR) && r.workload().contains("floor")))
			.forEach(result::add);
		return result;
	}

	/** lone/ceiling and pair/lone (ops/s at the mid connection count) on the lone row; "HTTP ceiling" on no-op's. */
	private List<CompareRow> notes(List<CompareRow> table, int c) {
		Optional<CompareRow> lone = find(LONE, PUT, conns(c));
		Optional<CompareRow> ceiling = this.rows.stream().filter((r) -> r.system().equals(NO_OP)).findFirst();
		Optional<CompareRow> pair = find(PAIR, PUT, conns(c));
		List<CompareRow> result = new ArrayList<>();
		for (CompareRow row : table) {
			if (row.system().equals(LONE) && lone.isPresent()) {
				List<String> notes = new ArrayList<>();
				ceiling.ifPresent((ceil) -> notes.add("lone/ceiling "
						+ CompareTable.ratio(lone.get().opsPerSecond(), ceil.opsPerSecond())));
				pair.ifPresent((p) -> notes.add("pair/lone " + CompareTable.ratio(p.opsPerSecond(), lone.get().opsPerSecond())));
				row = row.withNote(String.join(", ", notes));
			}
			else if (row.system().equals(NO_OP)) {
				row = row.withNote("HTTP ceiling: same server, no storage");
			}
			result.add(row);
		}
		return result;
	}

	private Optional<CompareRow> find(String system, String workload, String load) {
		return this.rows.stream()
			.filter((r) -> r.system().equals(system) && r.workload().equals(workload) && r.load().equals(load))
			.findFirst();
	}

	static String conns(int c) {
		return "c=" + c;
	}

	static String rateLabel(double rate, int c) {
		return String.format(Locale.ROOT, "R=%.0f/s c=%d", rate, c);
	}

	// ---- processes --------------------------------------------------------------------------------------------

	private <T extends AutoCloseable> T started(T server) {
		this.running.add(server);
		return server;
	}

	private void stop(AutoCloseable server) {
		this.running.remove(server);
		close(server);
	}

	private void stopAll() {
		for (AutoCloseable server : this.running) {
			close(server);
		}
		this.running.clear();
	}

	private static void close(AutoCloseable server) {
		try {
			server.close();
		}
		catch (Exception ex) {
			System.err.println("pbkv-bench compare: stopping " + server + ": " + ex.getMessage());
		}
	}

	/** Whether {@code binary} can be run (a path, or a name on the PATH); says why not and that its rows are skipped. */
	private static boolean available(String system, String binary) {
		if (binary.contains("/")) {
			if (Files.isExecutable(Path.of(binary))) {
				return true;
			}
		}
		else {
			for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
				if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, binary))) {
					return true;
				}
			}
		}
		out.printf(Locale.ROOT, "%s: %s not found (not installed, or apt-get failed): its rows are skipped%n", system,
				binary);
		return false;
	}

	private static String seconds(Duration duration) {
		return BenchFiles.seconds(duration);
	}

}
