package io.pbkv.cli;

/** A command line or prompt line that cannot be run as given; exit code 2. */
final class UsageException extends Exception {

	UsageException(String message) {
		super(message);
	}

}
