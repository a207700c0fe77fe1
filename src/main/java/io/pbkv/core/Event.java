package io.pbkv.core;

/** Something an operator should see in the log and the meters, in one fixed shape per kind. */
public record Event(Kind kind, int count, String text) {

	public enum Kind {

		/** This node's clock jumped: it was paused or its loop stalled. */
		PAUSE_DETECTED,
		/** The primary took a backup into the in-sync set: writes now wait for it, and it may promote. */
		BACKUP_ADMITTED,
		/** The primary stopped waiting for a backup it could not reach. */
		BACKUP_DROPPED,
		/** A backup heard nothing from the primary for a heartbeat interval. */
		HEARTBEAT_MISSED,
		/**
		 * Writes the new primary lacks were removed from this node: an uncommitted tail, or what it committed alone
		 * as a primary cut off from its backup.
		 */
		ENTRIES_DISCARDED,
		/**
		 * This node's committed history differs from a newer primary's (it went on alone during a partition, or in
		 * async mode): it asks for the primary's snapshot, which replaces it.
		 */
		HISTORY_DIVERGED,
		/** An operator made this node primary without the usual guarantees. */
		FORCED_PROMOTION,
		/** A message was refused: another cluster, an older epoch, or a protocol violation. */
		MESSAGE_REJECTED,
		/** A change of the in-sync configuration was accepted by a majority of voters. */
		CONFIG_COMMITTED,
		/** An operator asked the primary to add or remove a voter. */
		MEMBERSHIP_CHANGE

	}

	@Override
	public String toString() {
		return text;
	}

}
