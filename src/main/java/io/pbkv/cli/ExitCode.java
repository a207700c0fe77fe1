package io.pbkv.cli;

/** The exit codes a script can rely on; {@code pbkv --help} and the README list them. */
enum ExitCode {

	OK(0, "done"),

	NOT_FOUND(1, "the key does not exist"),

	USAGE(2, "bad command line"),

	PRECONDITION_FAILED(3, "--if-version or --create did not hold (412)"),

	UNAVAILABLE(4, "no primary answered within the retries (503, refused or timed-out connections); nothing was done"),

	OUTCOME_UNKNOWN(5, "the write may or may not have happened (504, or the answer was lost); read before retrying"),

	BAD_INPUT(6, "the server refused the key or value (400, 413)"),

	UNEXPECTED(7, "anything else: an answer pbkv does not understand, or a local error such as unreadable stdin"),

	COMPACTED(8, "watch: the cluster no longer holds the changes after --since (410), or the watch fell behind; "
			+ "dump, then watch --since the version the dump ends with");

	private final int code;

	private final String meaning;

	ExitCode(int code, String meaning) {
		this.code = code;
		this.meaning = meaning;
	}

	int code() {
		return code;
	}

	String meaning() {
		return meaning;
	}

	/** The exit code of a final answer (one that is not retried) with this HTTP status. */
	static ExitCode ofStatus(int status) {
		if (status >= 200 && status < 300) {
			return OK;
		}
		return switch (status) {
			case 404 -> NOT_FOUND;
			case 412 -> PRECONDITION_FAILED;
			case 503 -> UNAVAILABLE;
			case 504 -> OUTCOME_UNKNOWN;
			default -> status >= 400 && status < 500 ? BAD_INPUT : UNEXPECTED;
		};
	}

}
