package io.pbkv.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class PrometheusTextTest {

	private static final String SCRAPE = """
			# HELP jvm_memory_used_bytes The amount of used memory
			# TYPE jvm_memory_used_bytes gauge
			jvm_memory_used_bytes{area="heap",id="G1 Eden Space"} 1.2E7
			jvm_memory_used_bytes{area="heap",id="G1 Old Gen"} 3000000.0
			jvm_memory_used_bytes{area="nonheap",id="Metaspace"} 5.0E7
			jvm_memory_used_bytes{area="heap",id="G1 Survivor Space"} 1000000.0
			jvm_memory_max_bytes{area="heap",id="G1 Eden Space"} -1.0
			jvm_memory_max_bytes{area="heap",id="G1 Old Gen"} 4.0E9
			# TYPE kv_storage_snapshot_seconds_max gauge
			kv_storage_snapshot_seconds_max 0.25
			kv_storage_snapshot_seconds_count 2.0
			kv_storage_snapshot_seconds_sum 0.4
			kv_replication_lag{peer="http://127.0.0.1:1"} NaN
			kv_storage_fsync_seconds_bucket{le="+Inf",} 17.0
			kv_storage_written_bytes_total{file="log"} 3000.0
			kv_storage_written_bytes_total{file="snapshot"} 500.0
			""";

	@Test
	void sumsTheHeapPoolsAndSkipsTheOthers() {
		PrometheusText text = PrometheusText.parse(SCRAPE);

		assertThat(text.sum("jvm_memory_used_bytes", "area", "heap").orElseThrow()).isCloseTo(1.6e7, within(1.0));
		assertThat(text.sum("jvm_memory_used_bytes", "area", "stack")).isEmpty();
		assertThat(text.sum("jvm_memory_max_bytes", "area", "heap").orElseThrow()).isEqualTo(4.0e9);
	}

	@Test
	void sumsEveryLabelSetOfAMetric() {
		PrometheusText text = PrometheusText.parse(SCRAPE);

		assertThat(text.sum("kv_storage_written_bytes_total").orElseThrow()).isEqualTo(3500.0);
		assertThat(text.sum("kv_storage_written")).isEmpty();
	}

	@Test
	void readsUnlabelledMetricsAndSaysWhenOneIsAbsent() {
		PrometheusText text = PrometheusText.parse(SCRAPE);

		assertThat(text.max("kv_storage_snapshot_seconds_max").orElseThrow()).isEqualTo(0.25);
		assertThat(text.max("kv_storage_snapshot_seconds_count").orElseThrow()).isEqualTo(2.0);
		assertThat(text.max("kv_loop_stall_seconds_max")).isEmpty();
		assertThat(text.max("kv_replication_lag")).isEmpty();
	}

	@Test
	void toleratesATrailingCommaInLabelsAndInfinity() {
		PrometheusText text = PrometheusText.parse(SCRAPE);

		assertThat(text.sum("kv_storage_fsync_seconds_bucket", "le", "+Inf").orElseThrow()).isEqualTo(17.0);
		assertThat(PrometheusText.parse("x{le=\"+Inf\"} +Inf").max("x").orElseThrow()).isInfinite();
	}

}
