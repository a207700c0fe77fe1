package io.pbkv.core;

/**
 * The core asks the runtime to fetch the snapshot a primary offered: the file of the primary at {@code fromUrl}
 * that ends at {@code lastIndex} (in {@code lastEpoch}). The runtime streams it in bounded chunks off the loop
 * thread, verifies it and makes it durable, then hands it back with {@link Node#snapshotFetched}. Fetching the
 * same one again continues where it stopped; a fetch that fails is simply dropped (the primary offers again).
 */
public record SnapshotFetch(String from, String fromUrl, long lastIndex, long lastEpoch, long sentAt) {
}
