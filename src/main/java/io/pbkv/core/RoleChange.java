package io.pbkv.core;

import java.util.Locale;

/** A role transition, for the runtime to log in one fixed shape and count. */
public record RoleChange(String nodeId, Role from, Role to, long epoch, String reason) {

	@Override
	public String toString() {
		return String.format(Locale.ROOT, "node %s: %s -> %s at epoch %d (%s)", nodeId, from, to, epoch, reason);
	}

}
