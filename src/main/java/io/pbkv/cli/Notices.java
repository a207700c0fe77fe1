package io.pbkv.cli;

import java.io.PrintStream;
import java.net.URI;

/** What the client tells the user on stderr while it works around a failure; nothing with -q. */
final class Notices {

	private final PrintStream err;

	private final boolean quiet;

	Notices(PrintStream err, boolean quiet) {
		this.err = err;
		this.quiet = quiet;
	}

	void retrying(AttemptFailure failure, URI via, long delayMillis, int attempt, int attempts) {
		say(OutputFormat.retryNotice(failure, via, delayMillis, attempt, attempts));
	}

	void found(Target primary) {
		say(OutputFormat.foundPrimary(primary));
	}

	/** A watch's stream ended and it is about to resume on the next node. */
	void watchResumes(String line) {
		say(line);
	}

	private void say(String line) {
		if (!quiet) {
			err.println("pbkv: " + line);
			err.flush();
		}
	}

}
