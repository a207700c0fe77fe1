package io.pbkv.cli;

/** What a write requires of the key's current state: nothing, a version ({@code If-Match}), or absence. */
sealed interface Condition {

	None NONE = new None();

	/** Whether the write is conditional: such a write is never repeated after an unknown outcome. */
	default boolean conditional() {
		return !(this instanceof None);
	}

	record None() implements Condition {
	}

	/** {@code --if-version N}: {@code If-Match: "N"}. */
	record IfVersion(long version) implements Condition {
	}

	/** {@code --create}: {@code If-None-Match: *}. */
	record CreateOnly() implements Condition {
	}

}
