package io.pbkv.cli;

/** One thing the client was asked to do, from the command line or a prompt line. */
sealed interface ClientCommand {

	record Set(String key, Value value, Condition condition) implements ClientCommand {
	}

	record Get(String key) implements ClientCommand {
	}

	record Del(String key, Condition condition) implements ClientCommand {
	}

	record Dump(String prefix) implements ClientCommand {
	}

	/** Follows the changes under {@code prefix} after version {@code since} (null: from now on) until stopped. */
	record Watch(String prefix, Long since) implements ClientCommand {
	}

	record Cluster() implements ClientCommand {
	}

	/** A new random client token, and the tokens-file line for it: the token is printed once and kept nowhere. */
	record NewToken(String role, String prefix) implements ClientCommand {
	}

	record Help() implements ClientCommand {
	}

	/** Prints the client's version. */
	record Version() implements ClientCommand {
	}

	/** Prints a bash completion script. */
	record Completion() implements ClientCommand {
	}

	/** No command: read commands from stdin at a prompt. */
	record Interactive() implements ClientCommand {
	}

	/** Where a value to store comes from. */
	sealed interface Value {

		/** An argument or the rest of a prompt line, stored as UTF-8. */
		record Text(String text) implements Value {
		}

		/** {@code -}: every byte of stdin, as it is. */
		record Stdin() implements Value {
		}

	}

}
