package io.pbkv.security;

import java.util.Locale;

/** What a client credential may do; each role includes the ones before it. */
public enum AccessRole {

	/** GET of keys, lists, watches, the cluster's state and the meters. */
	READ,

	/** Also PUT and DELETE of keys. */
	WRITE,

	/** Also membership, hand-over, forced recovery, snapshots and the actuator's details. */
	ADMIN;

	public boolean includes(AccessRole needed) {
		return compareTo(needed) >= 0;
	}

	/** The role named {@code name} in a tokens file ({@code read}, {@code write}, {@code admin}), or null. */
	static AccessRole named(String name) {
		return switch (name) {
			case "read" -> READ;
			case "write" -> WRITE;
			case "admin" -> ADMIN;
			default -> null;
		};
	}

	public String fileName() {
		return name().toLowerCase(Locale.ROOT);
	}

}
