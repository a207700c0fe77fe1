package io.pbkv.core;

import java.util.Collections;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The whole key-value state after applying every entry up to {@code lastIndex}, whose epoch was
 * {@code lastEpoch}. Immutable once made.
 */
public record Snapshot(long lastIndex, long lastEpoch, NavigableMap<String, VersionedValue> data) {

	public static final Snapshot EMPTY = new Snapshot(0, 0, new TreeMap<>());

	public Snapshot {
		Objects.requireNonNull(data, "data");
		data = Collections.unmodifiableNavigableMap(new TreeMap<>(data));
	}

}
