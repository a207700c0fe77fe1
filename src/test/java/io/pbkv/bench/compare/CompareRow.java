package io.pbkv.bench.compare;

/**
 * One line of the comparison table. Numbers that do not apply are NaN (printed {@code -}).
 *
 * @param system {@code pbkv pair}, {@code etcd}, {@code redis}, {@code pbkv lone}, {@code pbkv no-op} or
 * {@code floor}
 * @param workload what was sent, such as {@code PUT closed} or {@code PUT fixed-rate}
 * @param load connections, or the target rate and connections
 * @param opsPerSecond achieved operations per second
 * @param p50Millis median latency
 * @param p99Millis 99th percentile
 * @param p999Millis 99.9th percentile
 * @param errors failed, timed-out or (fixed rate) unsent requests; -1 when it does not apply
 * @param vsEtcd ratio of this pbkv row to etcd's same row, or empty
 * @param vsRedis ratio of this pbkv row to Redis's same row, or empty
 * @param note anything else, such as the ratios lone/ceiling and pair/lone
 */
record CompareRow(String system, String workload, String load, double opsPerSecond, double p50Millis,
		double p99Millis, double p999Millis, long errors, String vsEtcd, String vsRedis, String note) {

	/** A measured row without ratios or note. */
	static CompareRow measured(String system, String workload, String load, LoadRunner.Result result) {
		return new CompareRow(system, workload, load, result.opsPerSecond(), result.percentileMillis(50),
				result.percentileMillis(99), result.percentileMillis(99.9), result.errors(), "", "", "");
	}

	/** A row with only a latency, such as a part of the physical floor. */
	static CompareRow latencyOnly(String system, String workload, String load, double millis, String note) {
		return new CompareRow(system, workload, load, Double.NaN, millis, Double.NaN, Double.NaN, -1, "", "", note);
	}

	boolean closedLoop() {
		return !this.workload.contains("fixed-rate");
	}

	CompareRow withRatios(String vsEtcd, String vsRedis) {
		return new CompareRow(this.system, this.workload, this.load, this.opsPerSecond, this.p50Millis, this.p99Millis,
				this.p999Millis, this.errors, vsEtcd, vsRedis, this.note);
	}

	CompareRow withNote(String note) {
		return new CompareRow(this.system, this.workload, this.load, this.opsPerSecond, this.p50Millis, this.p99Millis,
				this.p999Millis, this.errors, this.vsEtcd, this.vsRedis, note);
	}

}
