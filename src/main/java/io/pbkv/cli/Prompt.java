package io.pbkv.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * The interactive prompt of the Python original's client.py: one command per line, case-insensitive, {@code SET key
 * value} taking the rest of the line as the value (blanks inside it kept, around it dropped). A failed command is
 * reported and the prompt goes on; EXIT, QUIT and the end of input leave with 0.
 */
final class Prompt {

	/** One line read at the prompt. */
	sealed interface Line {

		record Run(ClientCommand command) implements Line {
		}

		record Exit() implements Line {
		}

		record Blank() implements Line {
		}

		record Invalid(String message) implements Line {
		}

	}

	private final CommandRunner runner;

	private final Streams io;

	Prompt(CommandRunner runner, Streams io) {
		this.runner = runner;
		this.io = io;
	}

	static Line parse(String line) {
		String text = line.strip();
		if (text.isEmpty()) {
			return new Line.Blank();
		}
		String[] head = text.split("\\s+", 2);
		String word = head[0].toUpperCase(Locale.ROOT);
		String rest = head.length > 1 ? head[1] : "";
		List<String> args = rest.isEmpty() ? List.of() : List.of(rest.split("\\s+"));
		return switch (word) {
			case "SET" -> {
				String[] keyAndValue = rest.split("\\s+", 2);
				yield keyAndValue.length < 2 ? new Line.Invalid("usage: SET <key> <value>")
						: new Line.Run(new ClientCommand.Set(keyAndValue[0],
								new ClientCommand.Value.Text(keyAndValue[1]), Condition.NONE));
			}
			case "GET" -> args.size() == 1 ? new Line.Run(new ClientCommand.Get(args.get(0)))
					: new Line.Invalid("usage: GET <key>");
			case "DEL", "DELETE" -> args.size() == 1 ? new Line.Run(new ClientCommand.Del(args.get(0), Condition.NONE))
					: new Line.Invalid("usage: DEL <key>");
			case "DUMP" -> args.size() <= 1 ? new Line.Run(new ClientCommand.Dump(args.isEmpty() ? "" : args.get(0)))
					: new Line.Invalid("usage: DUMP [prefix]");
			case "CLUSTER" -> new Line.Run(new ClientCommand.Cluster());
			case "HELP", "?" -> new Line.Run(new ClientCommand.Help());
			case "EXIT", "QUIT" -> new Line.Exit();
			default -> new Line.Invalid("unknown command '" + head[0] + "'; HELP lists the commands");
		};
	}

	ExitCode run() throws InterruptedException {
		BufferedReader in = new BufferedReader(new InputStreamReader(io.in(), StandardCharsets.UTF_8));
		if (io.terminal()) {
			io.out().println("Commands: SET <key> <value> | GET <key> | DEL <key> | DUMP [prefix] | CLUSTER | HELP | EXIT");
		}
		while (true) {
			if (io.terminal()) {
				io.out().print(">> ");
			}
			io.out().flush();
			String line;
			try {
				line = in.readLine();
			}
			catch (IOException ex) {
				io.err().println("pbkv: cannot read the prompt's input: " + ex.getMessage());
				return ExitCode.UNEXPECTED;
			}
			if (line == null) {
				if (io.terminal()) {
					io.out().println();
				}
				return ExitCode.OK;
			}
			switch (parse(line)) {
				case Line.Blank blank -> {
				}
				case Line.Exit exit -> {
					return ExitCode.OK;
				}
				case Line.Invalid invalid -> io.err().println("pbkv: " + invalid.message());
				case Line.Run run -> runner.run(run.command(), true);
			}
		}
	}

}
