package io.pbkv.cli;

/** What a request does to the store, which decides whether it may be sent again after an unclear failure. */
enum Operation {

	/** Reads change nothing: always safe to repeat. */
	READ,

	/** An unconditional set or del: repeating it after an unknown outcome is allowed only on request. */
	WRITE,

	/** A set or del with --if-version or --create: never repeated after an unknown outcome. */
	CONDITIONAL_WRITE

}
