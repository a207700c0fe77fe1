package io.pbkv.core;

public enum Role {

	/** Takes writes, replicates them, serves reads under its lease. */
	PRIMARY,

	/** Receives the primary's log; forwards client requests to the primary. */
	BACKUP

}
