package io.pbkv.cli;

import java.util.List;
import java.util.Map;

/**
 * The command-line client, run as {@code java -jar pbkv.jar client ...}: plain Java, no Spring context. Returns
 * the exit code; only the application's {@code main} exits the process.
 */
public final class ClientMain {

	/** The first argument that selects the client instead of a node. */
	public static final String COMMAND = "client";

	private ClientMain() {
	}

	public static int run(String... args) {
		return run(List.of(args), Streams.system(), System.getenv()).code();
	}

	static ExitCode run(List<String> args, Streams io, Map<String, String> env) {
		try {
			CommandLine.Invocation invocation = CommandLine.parse(args, env);
			return new CommandRunner(invocation.options(), io).run(invocation.command(), false);
		}
		catch (UsageException ex) {
			io.err().println("pbkv: " + ex.getMessage());
			io.err().println("Run 'pbkv --help' for usage.");
			return ExitCode.USAGE;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			io.err().println("pbkv: interrupted");
			return ExitCode.UNEXPECTED;
		}
		catch (RuntimeException ex) {
			io.err().println("pbkv: internal error, please report it with what follows:");
			ex.printStackTrace(io.err());
			return ExitCode.UNEXPECTED;
		}
		finally {
			io.out().flush();
			io.err().flush();
		}
	}

}
