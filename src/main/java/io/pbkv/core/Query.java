package io.pbkv.core;

/** A read. Reads change nothing and take no log entry. */
public sealed interface Query {

	record Get(String key) implements Query {
	}

	record List(String prefix, boolean withValues) implements Query {
	}

}
