package io.pbkv.core;

import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The configuration of a cluster with three or more voters, versioned: its voters (by URL, this node's included)
 * and its in-sync set, the data nodes (by id) that hold every committed entry, the primary included. A primary
 * changes it only by having a majority of voters durably accept a newer version; versions are ordered by the epoch
 * of the primary that proposed them, then by {@code version} within that epoch. Every voter keeps the newest one
 * it accepted, and votes only for its in-sync members. Empty {@code voters}: the ones {@code kv.peers} names.
 * {@code incarnations} binds a voter's URL to the incarnation of its data dir ({@link HardState#incarnation}): a
 * voter whose data dir is not the bound one lost the votes and promises it made, so it votes for nobody and its
 * answers count for nothing until a configuration a majority holds binds its new incarnation (it is re-admitted).
 */
public record InSyncConfig(long epoch, long version, Set<String> members, Set<String> voters,
		Map<String, String> incarnations) {

	public InSyncConfig {
		if (epoch < 0 || version < 0) {
			throw new IllegalArgumentException("epoch and version must be >= 0");
		}
		// Sorted, so that every walk over them is the same in every run: the simulation replays a seed exactly.
		members = Collections.unmodifiableSortedSet(new TreeSet<>(members));
		voters = Collections.unmodifiableSortedSet(new TreeSet<>(voters));
		incarnations = Collections.unmodifiableSortedMap(new TreeMap<>(incarnations));
	}

	public InSyncConfig(long epoch, long version, Set<String> members, Set<String> voters) {
		this(epoch, version, members, voters, Map.of());
	}

	/** A configuration whose voters are the ones {@code kv.peers} names. */
	public InSyncConfig(long epoch, long version, Set<String> members) {
		this(epoch, version, members, Set.of(), Map.of());
	}

	/**
	 * Whether the voter at {@code url}, with a data dir of {@code incarnation}, is the voter this configuration
	 * means: its incarnation is the bound one, or none is bound yet (it has not answered a primary since it joined).
	 */
	public boolean recognizes(String url, String incarnation) {
		String bound = incarnations.get(url);
		return bound == null || bound.equals(incarnation);
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

	/** The version after this one proposed by the primary of {@code epoch}; bindings of voters kept stay. */
	InSyncConfig next(long epoch, Set<String> members, Set<String> voters) {
		Map<String, String> kept = new TreeMap<>(incarnations);
		kept.keySet().retainAll(voters);
		return new InSyncConfig(epoch, epoch == this.epoch ? version + 1 : 1, members, voters, kept);
	}

	/** The next version, with {@code bindings} (URL to incarnation) added or replacing the ones there were. */
	InSyncConfig binding(long epoch, Map<String, String> bindings) {
		Map<String, String> next = new TreeMap<>(incarnations);
		next.putAll(bindings);
		return new InSyncConfig(epoch, epoch == this.epoch ? version + 1 : 1, members, voters, next);
	}

	/** "epoch.version", as logs and the cluster view show it. */
	public String versionText() {
		return epoch + "." + version;
	}

}
