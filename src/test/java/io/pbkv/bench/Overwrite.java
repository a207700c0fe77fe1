package io.pbkv.bench;

import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * The scale row's steady overwrites: every loaded key written once more through the primary, which makes its log
 * grow past the state and be compacted (a snapshot), as a store under constant updates does.
 *
 * @param load the overwrites (64 PUTs in flight)
 * @param ownWritten bytes the primary says it wrote to its log and snapshot files meanwhile
 * ({@code kv_storage_written_bytes_total}, both files)
 * @param diskWritten {@code write_bytes} of the primary's process meanwhile (what the kernel sent to the device
 * for it: the file system's own writes included)
 */
record Overwrite(KeyLoader.Result load, OptionalDouble ownWritten, OptionalLong diskWritten) {

	/** pbkv's own write amplification: bytes it wrote per key and value byte sent. */
	OptionalDouble ownPerClientByte() {
		return perClientByte(this.ownWritten);
	}

	/** The device's view of it: the process's {@code write_bytes} per key and value byte sent. */
	OptionalDouble diskPerClientByte() {
		return perClientByte(this.diskWritten.isPresent() ? OptionalDouble.of(this.diskWritten.getAsLong())
				: OptionalDouble.empty());
	}

	private OptionalDouble perClientByte(OptionalDouble written) {
		long sent = this.load.sentBytes();
		return (written.isPresent() && sent > 0) ? OptionalDouble.of(written.getAsDouble() / sent)
				: OptionalDouble.empty();
	}

}
