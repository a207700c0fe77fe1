package io.pbkv.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import javax.net.ssl.HttpsURLConnection;

/**
 * The command-line client: a program of its own, which the server never imports. It runs on the class path of
 * {@code pbkv-client.jar} and a few libraries (see {@code bin/pbkv}), plain Java with no Spring context, so that
 * each command starts at once. {@link #run} returns the exit code; only {@link #main} exits the process.
 */
public final class ClientMain {

	private ClientMain() {
	}

	public static void main(String[] args) {
		// Spring's retry logs through Commons Logging, whose discovery of a logging backend costs tens of
		// milliseconds at start; the client reports on stderr itself and logs nothing.
		if (System.getProperty("org.apache.commons.logging.LogFactory") == null) {
			System.setProperty("org.apache.commons.logging.LogFactory", "org.apache.commons.logging.impl.LogFactoryImpl");
			System.setProperty("org.apache.commons.logging.Log", "org.apache.commons.logging.impl.NoOpLog");
		}
		System.exit(run(args));
	}

	/** The client's version, from its jar's manifest; a build from the source tree has none. */
	static String version() {
		String version = ClientMain.class.getPackage().getImplementationVersion();
		return version != null ? version : "(development build)";
	}

	public static int run(String... args) {
		return run(List.of(args), Streams.system(), System.getenv()).code();
	}

	static ExitCode run(List<String> args, Streams io, Map<String, String> env) {
		try {
			CommandLine.Invocation invocation = CommandLine.parse(args, env);
			Path caCert = invocation.caCert();
			if (caCert != null) {
				// The client is a process per command: its trust is the process's.
				HttpsURLConnection.setDefaultSSLSocketFactory(TrustedAuthorities.fromPem(caCert).getSocketFactory());
			}
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
