package io.pbkv.bench.compare;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CompareTableTest {

	private static CompareRow row(String system, String workload, String load, double ops, double p99) {
		return new CompareRow(system, workload, load, ops, p99 / 4, p99, p99 * 2, 0, "", "", "");
	}

	@Test
	void ratioIsPbkvOverOtherWithTwoDecimalsOrADash() {
		assertThat(CompareTable.ratio(50, 200)).isEqualTo("0.25x");
		assertThat(CompareTable.ratio(300, 200)).isEqualTo("1.50x");
		assertThat(CompareTable.ratio(50, 0)).isEqualTo("-");
		assertThat(CompareTable.ratio(Double.NaN, 10)).isEqualTo("-");
	}

	@Test
	void ratiosGoOnPbkvRowsOpsForClosedLoopAndP99ForFixedRate() {
		List<CompareRow> rows = List.of(row("pbkv pair", "PUT closed", "c=64", 3000, 20),
				row("etcd", "PUT closed", "c=64", 2000, 30), row("redis", "PUT closed", "c=64", 6000, 5),
				row("pbkv pair", "PUT fixed-rate", "R=2000/s c=64", 2000, 10),
				row("etcd", "PUT fixed-rate", "R=2000/s c=64", 2000, 40), row("pbkv pair", "GET lin. closed", "c=64", 9000, 3));
		List<CompareRow> withRatios = CompareTable.withRatios(rows, "pbkv pair", "etcd", "redis");
		assertThat(withRatios.get(0).vsEtcd()).isEqualTo("1.50x");
		assertThat(withRatios.get(0).vsRedis()).isEqualTo("0.50x");
		assertThat(withRatios.get(1).vsEtcd()).isEmpty();
		assertThat(withRatios.get(3).vsEtcd()).isEqualTo("0.25x p99");
		assertThat(withRatios.get(3).vsRedis()).isEmpty();
		assertThat(withRatios.get(5).vsEtcd()).isEmpty();
	}

	@Test
	void formatAlignsColumnsUnderHeadingsWithDashesForWhatDoesNotApply() {
		List<CompareRow> rows = List.of(row("pbkv pair", "PUT closed", "c=1", 512.4, 3.456).withRatios("1.20x", "0.80x"),
				CompareRow.latencyOnly("floor", "sum (a)+(b)+(c), p50", "c=1", 1.5, "note here"));
		List<String> lines = CompareTable.format(rows);
		assertThat(lines).hasSize(4);
		assertThat(lines.get(0)).startsWith("system     workload              conns/rate  ops/s  p50 ms  p99 ms");
		assertThat(lines.get(1)).matches("[- ]+");
		assertThat(lines.get(2)).isEqualTo("pbkv pair  PUT closed            c=1           512    0.86    3.46"
				+ "      6.91       0      1.20x       0.80x");
		assertThat(lines.get(3)).isEqualTo("floor      sum (a)+(b)+(c), p50  c=1             -    1.50       -"
				+ "         -       -          -           -  note here");
		// every line is as wide as the rule up to its last non-empty cell: columns line up
		assertThat(lines.get(0).indexOf("ops/s") + "ops/s".length()).isEqualTo(lines.get(2).indexOf("512") + 3);
	}

	@Test
	void csvQuotesFieldsWithCommasAndLeavesMissingNumbersEmpty() {
		String csv = CompareTable.csv(List.of(CompareRow.latencyOnly("floor", "a, b", "c=1", 1.5, "say \"hi\"")));
		assertThat(csv.lines().toList()).containsExactly(
				"system,workload,conns/rate,ops/s,p50 ms,p99 ms,p99.9 ms,errors,pbkv/etcd,pbkv/Redis,note",
				"floor,\"a, b\",c=1,,1.500,,,,,,\"say \"\"hi\"\"\"");
	}

	@Test
	void plotHasAPolylinePerSystemAndALegend() {
		Map<String, Map<Integer, Double>> series = ThroughputPlot.series();
		series.put("pbkv pair", Map.of(1, 100.0, 64, 3000.0, 256, 3500.0));
		series.put("etcd", Map.of(1, 200.0, 64, 2500.0));
		String svg = ThroughputPlot.svg("PUT <ops/s>", List.of(1, 64, 256), series);
		assertThat(svg).startsWith("<svg").endsWith("</svg>\n");
		assertThat(svg.split("stroke-width=\"2\"/>").length - 1).isEqualTo(4); // 2 polylines + 2 legend lines
		assertThat(svg).contains(">pbkv pair<").contains(">etcd<").contains("PUT &lt;ops/s&gt;");
		assertThat(ThroughputPlot.niceCeiling(3500)).isEqualTo(5000);
		assertThat(ThroughputPlot.niceCeiling(180)).isEqualTo(200);
		assertThat(ThroughputPlot.niceCeiling(0)).isEqualTo(1);
	}

}
