package io.pbkv.cli;

import java.io.BufferedOutputStream;
import java.io.Console;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Where the client reads and writes: results to {@code out}, diagnostics to {@code err}.
 *
 * @param terminal whether a person is at a terminal (prompt shown, a newline after a value that lacks one)
 */
record Streams(InputStream in, PrintStream out, PrintStream err, boolean terminal) {

	/** The process's own streams, text as UTF-8 whatever the locale. */
	static Streams system() {
		PrintStream out = new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16),
				false, StandardCharsets.UTF_8);
		PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
		return new Streams(System.in, out, err, attachedToTerminal());
	}

	/**
	 * Whether stdin and stdout are a terminal. Java 21 has a console only then; Java 22 and later always have one
	 * and say through {@code Console.isTerminal()}, which a Java 21 build can only call reflectively.
	 */
	private static boolean attachedToTerminal() {
		Console console = System.console();
		if (console == null) {
			return false;
		}
		try {
			return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
		}
		catch (ReflectiveOperationException ex) {
			return true;
		}
	}

}
