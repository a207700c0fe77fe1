package io.pbkv.cli;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses {@code pbkv [options] [command [args]]}. Options may come before or after the command; {@code --} ends
 * them, so that a key or value may start with {@code -}.
 */
final class CommandLine {

	static final String NODES_ENV = "PBKV_NODES_URLS";

	private static final Set<String> VALUED = Set.of("--nodes", "--cacert", "--retries", "--timeout",
			"--if-version", "--since", "-o", "--output");

	private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m)?");

	/**
	 * What to run, and how.
	 * @param caCert the PEM file of the CAs to trust for https nodes ({@code --cacert}, else {@code PBKV_CACERT});
	 * null for the JVM's default trust store
	 */
	record Invocation(ClientOptions options, ClientCommand command, Path caCert) {
	}

	private CommandLine() {
	}

	static Invocation parse(List<String> args, Map<String, String> env) throws UsageException {
		List<String> words = new ArrayList<>();
		String nodes = null;
		String caCert = env.get(TrustedAuthorities.ENV);
		int retries = ClientOptions.DEFAULT_RETRIES;
		Duration timeout = ClientOptions.DEFAULT_TIMEOUT;
		boolean quiet = false;
		boolean retryUnknown = false;
		boolean help = false;
		boolean version = false;
		boolean json = false;
		Long ifVersion = null;
		Long since = null;
		boolean create = false;
		boolean optionsEnded = false;
		for (int i = 0; i < args.size(); i++) {
			String arg = args.get(i);
			if (optionsEnded || !arg.startsWith("-") || arg.equals("-")) {
				words.add(arg);
				continue;
			}
			String name = arg;
			String inline = null;
			int eq = arg.indexOf('=');
			if (arg.startsWith("--") && eq > 0) {
				name = arg.substring(0, eq);
				inline = arg.substring(eq + 1);
			}
			String value = null;
			if (VALUED.contains(name)) {
				if (inline != null) {
					value = inline;
				}
				else if (i + 1 < args.size()) {
					value = args.get(++i);
				}
				else {
					throw new UsageException(name + " needs a value");
				}
			}
			else if (inline != null) {
				throw new UsageException(name + " takes no value");
			}
			switch (name) {
				case "--" -> optionsEnded = true;
				case "-h", "--help" -> help = true;
				case "-V", "--version" -> version = true;
				case "-o", "--output" -> json = switch (value) {
					case "json" -> true;
					case "text" -> false;
					default -> throw new UsageException(name + " is text (the default) or json, not '" + value + "'");
				};
				case "-q", "--quiet" -> quiet = true;
				case "--create" -> create = true;
				case "--retry-unknown" -> retryUnknown = true;
				case "--nodes" -> nodes = value;
				case "--cacert" -> caCert = value;
				case "--retries" -> retries = (int) number(value, name, 1000);
				case "--timeout" -> timeout = duration(value);
				case "--if-version" -> ifVersion = number(value, name, Long.MAX_VALUE);
				case "--since" -> since = number(value, name, Long.MAX_VALUE);
				default -> throw new UsageException("unknown option " + arg
						+ (arg.matches("-\\d.*") ? " (put -- before a value that starts with -)" : ""));
			}
		}
		ClientOptions options = new ClientOptions(nodes(nodes, env), retries, timeout, quiet, retryUnknown,
				Backoff.DEFAULT, json);
		if (caCert != null && caCert.isBlank()) {
			throw new UsageException("--cacert needs a file");
		}
		Path trust = caCert == null ? null : Path.of(caCert);
		if (help) {
			return new Invocation(options, new ClientCommand.Help(), trust);
		}
		if (version) {
			return new Invocation(options, new ClientCommand.Version(), trust);
		}
		ClientCommand command = command(words, ifVersion, create);
		if (since != null) {
			if (!(command instanceof ClientCommand.Watch watch)) {
				throw new UsageException("--since applies to watch only");
			}
			command = new ClientCommand.Watch(watch.prefix(), since);
		}
		return new Invocation(options, command, trust);
	}

	private static ClientCommand command(List<String> words, Long ifVersion, boolean create) throws UsageException {
		if (ifVersion != null && create) {
			throw new UsageException("--if-version and --create exclude each other");
		}
		Condition condition = ifVersion != null ? new Condition.IfVersion(ifVersion)
				: create ? new Condition.CreateOnly() : Condition.NONE;
		if (words.isEmpty()) {
			refuseCondition(condition, "the prompt");
			return new ClientCommand.Interactive();
		}
		String name = words.get(0).toLowerCase(Locale.ROOT);
		List<String> rest = words.subList(1, words.size());
		ClientCommand command = switch (name) {
			case "set" -> {
				expect(rest, 2, 2, "set KEY VALUE   (VALUE - reads stdin)");
				yield new ClientCommand.Set(key(rest.get(0)), rest.get(1).equals("-") ? new ClientCommand.Value.Stdin()
						: new ClientCommand.Value.Text(rest.get(1)), condition);
			}
			case "get" -> {
				expect(rest, 1, 1, "get KEY");
				yield new ClientCommand.Get(key(rest.get(0)));
			}
			case "del", "delete" -> {
				expect(rest, 1, 1, "del KEY");
				if (condition instanceof Condition.CreateOnly) {
					throw new UsageException("--create applies to set only");
				}
				yield new ClientCommand.Del(key(rest.get(0)), condition);
			}
			case "dump" -> {
				expect(rest, 0, 1, "dump [PREFIX]");
				yield new ClientCommand.Dump(rest.isEmpty() ? "" : rest.get(0));
			}
			case "watch" -> {
				expect(rest, 0, 1, "watch [PREFIX]");
				yield new ClientCommand.Watch(rest.isEmpty() ? "" : rest.get(0), null);
			}
			case "cluster" -> {
				expect(rest, 0, 0, "cluster");
				yield new ClientCommand.Cluster();
			}
			case "token" -> {
				expect(rest, 3, 3, "token new ROLE PREFIX   (ROLE read, write or admin; PREFIX '*' for every key)");
				if (!rest.get(0).equals("new")) {
					throw new UsageException("token: only 'token new ROLE PREFIX' is supported");
				}
				if (!List.of("read", "write", "admin").contains(rest.get(1))) {
					throw new UsageException("token new: the role must be read, write or admin, not '" + rest.get(1) + "'");
				}
				if (rest.get(2).isEmpty() || rest.get(2).chars().anyMatch(Character::isWhitespace)) {
					throw new UsageException("token new: the prefix must be '*' or a key prefix without spaces");
				}
				yield new ClientCommand.NewToken(rest.get(1), rest.get(2));
			}
			case "help" -> new ClientCommand.Help();
			case "version" -> new ClientCommand.Version();
			case "completion" -> {
				expect(rest, 1, 1, "completion bash");
				if (!rest.get(0).equals("bash")) {
					throw new UsageException("completion: only bash is supported (the script works in zsh with bashcompinit)");
				}
				yield new ClientCommand.Completion();
			}
			default -> throw new UsageException("unknown command '" + words.get(0)
					+ "' (commands: set, get, del, dump, watch, cluster, token, version, completion; none for the prompt)");
		};
		if (!(command instanceof ClientCommand.Set) && !(command instanceof ClientCommand.Del)) {
			refuseCondition(condition, name);
		}
		return command;
	}

	private static void refuseCondition(Condition condition, String where) throws UsageException {
		if (condition.conditional()) {
			throw new UsageException(
					(condition instanceof Condition.CreateOnly ? "--create" : "--if-version") + " applies to set and del,"
							+ " not to " + where);
		}
	}

	private static void expect(List<String> args, int min, int max, String usage) throws UsageException {
		if (args.size() < min || args.size() > max) {
			throw new UsageException("usage: pbkv " + usage);
		}
	}

	static String key(String key) throws UsageException {
		if (key.isEmpty()) {
			throw new UsageException("a key cannot be empty");
		}
		return key;
	}

	private static long number(String text, String option, long max) throws UsageException {
		try {
			long n = Long.parseLong(text);
			if (n < 0 || n > max) {
				throw new NumberFormatException();
			}
			return n;
		}
		catch (NumberFormatException ex) {
			throw new UsageException(option + " takes a whole number from 0 to " + max + ", not '" + text + "'");
		}
	}

	/** {@code 500ms}, {@code 10s}, {@code 2m}, or a bare number of seconds. */
	static Duration duration(String text) throws UsageException {
		Matcher m = DURATION.matcher(text.trim());
		if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
			throw new UsageException("--timeout takes a positive duration such as 500ms, 10s or 2m, not '" + text + "'");
		}
		long n = Long.parseLong(m.group(1));
		return switch (m.group(2) == null ? "s" : m.group(2)) {
			case "ms" -> Duration.ofMillis(n);
			case "m" -> Duration.ofMinutes(n);
			default -> Duration.ofSeconds(n);
		};
	}

	/** {@code --nodes}, else {@code PBKV_NODES_URLS}, else the ports {@code bin/cluster} uses. */
	static List<URI> nodes(String option, Map<String, String> env) throws UsageException {
		String text = option;
		String source = "--nodes";
		if (text == null) {
			text = env.get(NODES_ENV);
			source = NODES_ENV;
		}
		if (text == null || text.isBlank()) {
			if (option != null) {
				throw new UsageException("--nodes needs at least one URL");
			}
			return ClientOptions.DEFAULT_NODES;
		}
		List<URI> nodes = new ArrayList<>();
		for (String part : text.split(",")) {
			if (!part.isBlank()) {
				URI node = node(part.trim(), source);
				if (!nodes.contains(node)) {
					nodes.add(node);
				}
			}
		}
		if (nodes.isEmpty()) {
			throw new UsageException(source + " needs at least one URL");
		}
		return nodes;
	}

	/** {@code localhost:8081} means {@code http://localhost:8081}; a trailing slash is dropped. */
	static URI node(String text, String source) throws UsageException {
		String url = text.contains("://") ? text : "http://" + text;
		while (url.endsWith("/")) {
			url = url.substring(0, url.length() - 1);
		}
		try {
			URI uri = new URI(url);
			if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null
					|| (uri.getRawPath() != null && !uri.getRawPath().isEmpty()) || uri.getRawQuery() != null) {
				throw new URISyntaxException(url, "not a node URL");
			}
			return uri;
		}
		catch (URISyntaxException ex) {
			throw new UsageException(source + ": '" + text + "' is not a node URL like http://localhost:8081");
		}
	}

}
