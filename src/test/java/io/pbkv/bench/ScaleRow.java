package io.pbkv.bench;

import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * One row of the scale table: a pair loaded with {@code keys} distinct keys through its primary, then its backup
 * restarted three ways. Every figure that could not be read is empty and prints as {@code n/a}.
 *
 * @param keys distinct keys loaded
 * @param load the load of the {@code keys} keys (64 PUTs in flight)
 * @param loadMeters the primary's snapshot and loop stall meters during the load
 * @param loadGap what the extra small-key writer saw during the load
 * @param overwrite every loaded key written once more, after the load
 * @param primaryWritten {@code write_bytes} of the primary's process during the load
 * @param backupWritten {@code write_bytes} of the backup's process during the load
 * @param primaryDirBytes the primary's data dir after the load
 * @param backupDirBytes the backup's data dir after the load
 * @param heapUsedBytes {@code jvm_memory_used_bytes{area="heap"}} of the primary after the load, summed over pools
 * @param heapMaxBytes {@code jvm_memory_max_bytes{area="heap"}} of the primary: what -Xmx (or its default) allows
 * @param rssBytes {@code VmRSS} of the primary's process after the load
 * @param restartToAnswer backup killed and started again with its data: from its start until it answers a GET
 * of a loaded key with {@code consistency=local} with 200
 * @param restartToInSync the same restart: from its start until the primary shows it in sync and caught up
 * @param wipedRejoin backup killed, data dir deleted, started again under a small writer: from its start until the
 * primary shows it in sync with {@code matchIndex} at the primary's {@code lastIndex}
 * @param wipedGap what the small writer saw during {@code wipedRejoin}
 * @param laggingRejoin backup killed, {@code keys / 10} more keys loaded, backup started again: from its start
 * until the primary shows it in sync and caught up
 * @param laggingLoad the load of those {@code keys / 10} keys, with the backup down
 */
record ScaleRow(long keys, KeyLoader.Result load, MeterWatch.Result loadMeters, AckGapWriter.Result loadGap,
		Overwrite overwrite, OptionalLong primaryWritten, OptionalLong backupWritten, OptionalLong primaryDirBytes,
		OptionalLong backupDirBytes, OptionalDouble heapUsedBytes, OptionalDouble heapMaxBytes, OptionalLong rssBytes,
		TimedWait restartToAnswer, TimedWait restartToInSync, TimedWait wipedRejoin, AckGapWriter.Result wipedGap,
		TimedWait laggingRejoin, KeyLoader.Result laggingLoad) {

	/** Key and value bytes the benchmark sent during the load: the keys, retries and the small writer's PUTs. */
	long clientBytes() {
		return this.load.sentBytes() + this.loadGap.sentBytes();
	}

	/** Bytes both processes wrote to storage during the load per key and value byte sent. */
	OptionalDouble diskPerClientByte() {
		if (this.primaryWritten.isEmpty() || this.backupWritten.isEmpty()) {
			return OptionalDouble.empty();
		}
		return perClientByte(this.primaryWritten.getAsLong() + this.backupWritten.getAsLong());
	}

	/** Bytes the primary's process wrote to storage during the load per key and value byte sent. */
	OptionalDouble primaryDiskPerClientByte() {
		return this.primaryWritten.isEmpty() ? OptionalDouble.empty()
				: perClientByte(this.primaryWritten.getAsLong());
	}

	/** Keys the loads did not get acknowledged (after retries), the N/10 of the lagging rejoin included. */
	long failedKeys() {
		return this.load.failed() + this.overwrite.load().failed() + this.laggingLoad.failed();
	}

	/** Whether a wait or a load ended without reaching what it waited for. */
	boolean anyTimeout() {
		return !this.restartToAnswer.reached() || !this.restartToInSync.reached() || !this.wipedRejoin.reached()
				|| !this.laggingRejoin.reached() || this.load.gaveUp() || this.overwrite.load().gaveUp()
				|| this.laggingLoad.gaveUp();
	}

	private OptionalDouble perClientByte(long written) {
		long sent = clientBytes();
		return (sent > 0) ? OptionalDouble.of((double) written / sent) : OptionalDouble.empty();
	}

}
