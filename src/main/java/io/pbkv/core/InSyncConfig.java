package io.pbkv.core;

import java.util.Set;
import java.util.TreeSet;

/**
 * The configuration of a cluster with three or more voters, versioned: its voters (by URL, this node's included)
 * and its in-sync set, the data nodes (by id) that hold every committed entry, the primary included. A primary
 * changes it only by having a majority of voters durably accept a newer version; versions are ordered by the epoch
 * of the primary that proposed them, then by {@code version} within that epoch. Every voter keeps the newest one
 * it accepted, and votes only for its in-sync members. Empty {@code voters}: the ones {@code kv.peers} names.
 */
public record InSyncConfig(long epoch, long version, Set<String> members, Set<String> voters) {

	public InSyncConfig {
		if (epoch < 0 || version < 0) {
			throw new IllegalArgumentException("epoch and version must be >= 0");
		}
		members = Set.copyOf(new TreeSet<>(members));
		voters = Set.copyOf(new TreeSet<>(voters));
	}

	/** A configuration whose voters are the ones {@code kv.peers} names. */
	public InSyncConfig(long epoch, long version, Set<String> members) {
		this(epoch, version, members, Set.of());
	}

	/** Whether this is newer than {@code other}; anything is newer than none. */
	public boolean newerThan(InSyncConfig other) {
		return other == null || compare(epoch, version, other.epoch, other.version) > 0;
	}

	/** Whether this version is at least ({@code epoch}, {@code version}). */
	boolean reaches(long epoch, long version) {
		return compare(this.epoch, this.version, epoch, version) >= 0;
	}

	static int compare(long epochA, long versionA, long epochB, long versionB) {
		return epochA != epochB ? Long.compare(epochA, epochB) : Long.compare(versionA, versionB);
	}

	InSyncConfig with(String member, long epoch) {
		Set<String> next = new TreeSet<>(members);
		next.add(member);
		return next(epoch, next, voters);
	}

	InSyncConfig without(String member, long epoch) {
		Set<String> next = new TreeSet<>(members);
		next.remove(member);
		return next(epoch, next, voters);
	}

	/** The version after this one proposed by the primary of {@code epoch}. */
	InSyncConfig next(long epoch, Set<String> members, Set<String> voters) {
		return new InSyncConfig(epoch, epoch == this.epoch ? version + 1 : 1, members, voters);
	}

	/** "epoch.version", as logs and the cluster view show it. */
	public String versionText() {
		return epoch + "." + version;
	}

}
