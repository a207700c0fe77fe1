package io.pbkv.core;

import java.util.Arrays;
import java.util.Objects;

/** A stored value and the version (log index) of the write that set it. */
public record VersionedValue(byte[] value, long version) {

	public VersionedValue {
		Objects.requireNonNull(value, "value");
	}

	@Override
	public boolean equals(Object o) {
		return o instanceof VersionedValue v && version == v.version && Arrays.equals(value, v.value);
	}

	@Override
	public int hashCode() {
		return 31 * Arrays.hashCode(value) + Long.hashCode(version);
	}

	@Override
	public String toString() {
		return "VersionedValue[" + value.length + " bytes, version=" + version + "]";
	}

}
