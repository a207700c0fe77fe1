package io.pbkv.core;

public enum Role {

	/** Takes writes, replicates them, serves reads under its lease. */
	PRIMARY,

	/** Receives the primary's log; forwards client requests to the primary. */
	BACKUP,

	/**
	 * Votes only (kv.role=witness): holds no values and is never primary. Reported by the status; inside the core a
	 * witness follows the primary as a backup does.
	 */
	WITNESS

}
