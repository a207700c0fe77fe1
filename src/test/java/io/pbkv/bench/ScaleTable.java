package io.pbkv.bench;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/** The scale rows: a fixed-width table, one row per key count, printed as each row is measured. */
final class ScaleTable {

	private static final String FORMAT = "%9s %8s %5s %7s %5s %7s %7s %6s %6s %8s %6s %6s %13s %11s %7s %7s %7s %7s %7s"
			+ " %7s%n";

	private static final double MIB = 1024.0 * 1024.0;

	private final List<ScaleRow> rows = new ArrayList<>();

	private final PrintStream out;

	ScaleTable(PrintStream out) {
		this.out = out;
	}

	/** The meaning of every column, for the lines above the table. */
	static List<String> legend() {
		return List.of(
				"keys/s   the load: distinct keys (64 PUTs in flight) through the primary, acknowledged per second;"
						+ " err = keys not acknowledged after " + KeyLoader.ATTEMPTS + " attempts",
				"snap s   the primary's longest snapshot write (kv_storage_snapshot_seconds_max) during the load;"
						+ " snaps = how many it wrote",
				"stall s  the primary's longest loop stall (kv_loop_stall_seconds_max) during the load; n/a: no such"
						+ " meter",
				"gap s    the longest time between two acknowledgements of one more client writing small keys to the"
						+ " primary",
				"disk/B   write_bytes of both nodes' processes (/proc/<pid>/io) during the load per key+value byte"
						+ " sent; prim/B the primary's alone",
				"ovw/s    every key overwritten once more (64 in flight): keys/s; pbkv/B = bytes the primary wrote to"
						+ " its log and snapshot files (kv_storage_written_bytes_total) per key+value byte sent;"
						+ " dev/B = the primary's write_bytes per key+value byte meanwhile",
				"dirs     data dirs of primary/backup after the load; heap = jvm_memory_used_bytes{area=\"heap\"}"
						+ " used/max of the primary after the load; rss = its VmRSS",
				"answer   backup kill -9 and restart with its data: seconds from its start until GET of a loaded key"
						+ " with consistency=local answers 200; in sync = until the primary shows it caught up",
				"wiped    backup kill -9, data dir deleted, restart under a small writer (gap s as above, from when"
						+ " the primary dropped the dead backup): seconds until the primary shows it inSync with"
						+ " matchIndex = lastIndex",
				"10%      backup kill -9, keys/10 more keys loaded, restart: seconds until caught up in the same way");
	}

	/** Records the row and prints it at once (after the column headings, before the first row). */
	void add(ScaleRow row) {
		if (this.rows.isEmpty()) {
			this.out.printf(Locale.ROOT, FORMAT, "keys", "keys/s", "err", "snap s", "snaps", "stall s", "gap s",
					"disk/B", "prim/B", "ovw/s", "pbkv/B", "dev/B", "dirs MiB", "heap MiB", "rss MiB", "answer", "in sync", "wiped", "gap s",
					"10%");
		}
		this.rows.add(row);
		MeterWatch.Result meters = row.loadMeters();
		this.out.printf(Locale.ROOT, FORMAT, row.keys(),
				String.format(Locale.ROOT, "%.0f", row.load().keysPerSecond()) + (row.load().gaveUp() ? "!" : ""),
				row.failedKeys(), snapshotMax(meters), number(meters.snapshots(), "%.0f"),
				number(meters.loopStallMaxSeconds(), "%.3f"), seconds(row.loadGap().longestGap()),
				number(row.diskPerClientByte(), "%.1f"), number(row.primaryDiskPerClientByte(), "%.1f"),
				String.format(Locale.ROOT, "%.0f", row.overwrite().load().keysPerSecond()),
				number(row.overwrite().ownPerClientByte(), "%.2f"), number(row.overwrite().diskPerClientByte(), "%.1f"),
				mebibytes(row.primaryDirBytes()) + "/" + mebibytes(row.backupDirBytes()),
				number(row.heapUsedBytes(), MIB) + "/" + number(row.heapMaxBytes(), MIB),
				number(row.rssBytes(), MIB), row.restartToAnswer().cell(), row.restartToInSync().cell(),
				row.wipedRejoin().cell(), seconds(row.wipedGap().longestGap()), row.laggingRejoin().cell());
	}

	boolean anyFailures() {
		return this.rows.stream().anyMatch((row) -> row.failedKeys() > 0);
	}

	boolean anyTimeout() {
		return this.rows.stream().anyMatch(ScaleRow::anyTimeout);
	}

	/** The longest snapshot write, {@code -} when the load wrote none (the timer's max is then 0). */
	private static String snapshotMax(MeterWatch.Result meters) {
		if (meters.snapshots().isPresent() && meters.snapshots().getAsDouble() == 0) {
			return "-";
		}
		return number(meters.snapshotMaxSeconds(), "%.2f");
	}

	static String number(OptionalDouble value, String format) {
		return value.isPresent() ? String.format(Locale.ROOT, format, value.getAsDouble()) : "n/a";
	}

	private static String number(OptionalDouble bytes, double unit) {
		return bytes.isPresent() ? String.format(Locale.ROOT, "%.0f", bytes.getAsDouble() / unit) : "n/a";
	}

	private static String number(OptionalLong bytes, double unit) {
		return bytes.isPresent() ? String.format(Locale.ROOT, "%.0f", bytes.getAsLong() / unit) : "n/a";
	}

	static String mebibytes(OptionalLong bytes) {
		return bytes.isPresent() ? String.format(Locale.ROOT, "%.1f", bytes.getAsLong() / MIB) : "n/a";
	}

	private static String seconds(Duration duration) {
		return String.format(Locale.ROOT, "%.2f", duration.toNanos() / 1e9);
	}

}
