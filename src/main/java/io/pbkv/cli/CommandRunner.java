package io.pbkv.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Runs one command against the cluster and reports it: results to stdout, diagnostics to stderr. */
final class CommandRunner {

	private final ClientOptions options;

	private final Streams io;

	private final PrimaryLocator locator;

	private final FailoverRetry retry;

	CommandRunner(ClientOptions options, Streams io) {
		this.options = options;
		this.io = io;
		KvHttpClient http = new KvHttpClient(options.timeout());
		this.locator = new PrimaryLocator(options.nodes(), http);
		this.retry = new FailoverRetry(locator, http, options, new Notices(io.err(), options.quiet()));
	}

	/** @param atPrompt whether the command came from the prompt, where results are shown as text */
	ExitCode run(ClientCommand command, boolean atPrompt) throws InterruptedException {
		ExitCode code = switch (command) {
			case ClientCommand.Set set -> set(set);
			case ClientCommand.Get get -> send(KvRequest.get(get.key()), atPrompt, answer -> {
				if (json(atPrompt)) {
					return printJson(OutputFormat.valueJson(get.key(), answer.version(), answer.body()));
				}
				show(answer.body(), atPrompt);
				return ExitCode.OK;
			});
			case ClientCommand.Del del -> send(KvRequest.delete(del.key(), del.condition()), atPrompt,
					answer -> json(atPrompt) ? printJson(Map.of("key", del.key(), "deleted", true))
							: confirm(OutputFormat.deleted()));
			case ClientCommand.Dump dump -> dump(dump.prefix(), atPrompt);
			case ClientCommand.Watch watch -> new ChangeFollower(options, io).follow(watch.prefix(), watch.since());
			case ClientCommand.Cluster cluster -> cluster(atPrompt);
			case ClientCommand.Version version -> {
				String v = ClientMain.version();
				if (json(atPrompt)) {
					yield printJson(Map.of("version", v));
				}
				io.out().println("pbkv " + v);
				yield ExitCode.OK;
			}
			case ClientCommand.Completion completion -> {
				io.out().print(HelpText.bashCompletion());
				yield ExitCode.OK;
			}
			case ClientCommand.Help help -> {
				io.out().print(atPrompt ? HelpText.prompt() : HelpText.usage());
				yield ExitCode.OK;
			}
			case ClientCommand.Interactive interactive -> new Prompt(this, io).run();
			case ClientCommand.NewToken token -> newToken(token, atPrompt);
		};
		io.out().flush();
		return code;
	}

	private ExitCode newToken(ClientCommand.NewToken request, boolean atPrompt) {
		byte[] random = new byte[32];
		new java.security.SecureRandom().nextBytes(random);
		String token = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(random);
		String line = request.role() + " " + request.prefix() + " " + sha256(token);
		if (json(atPrompt)) {
			return printJson(Map.of("token", token, "line", line));
		}
		io.out().println("# the token, for the client only (shown once, stored nowhere):");
		io.out().println(token);
		io.out().println("# the line for the tokens file (kv.security.tokens-file) on every node:");
		io.out().println(line);
		return ExitCode.OK;
	}

	private static String sha256(String token) {
		try {
			return java.util.HexFormat.of()
				.formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
		}
		catch (java.security.NoSuchAlgorithmException ex) {
			throw new IllegalStateException("every Java has SHA-256", ex);
		}
	}

	private ExitCode set(ClientCommand.Set set) throws InterruptedException {
		byte[] value;
		try {
			value = switch (set.value()) {
				case ClientCommand.Value.Text text -> text.text().getBytes(StandardCharsets.UTF_8);
				case ClientCommand.Value.Stdin stdin -> io.in().readAllBytes();
			};
		}
		catch (IOException ex) {
			return error(ExitCode.UNEXPECTED, "cannot read the value from stdin: " + ex.getMessage());
		}
		return send(KvRequest.put(set.key(), value, set.condition()), false,
				answer -> json(false) ? printJson(answer.json()) : confirm(OutputFormat.written(answer.json())));
	}

	/** Follows the listing's pages to the last, then prints them as one table. */
	private ExitCode dump(String prefix, boolean atPrompt) throws InterruptedException {
		List<JsonNode> entries = new ArrayList<>();
		Long[] version = { null };
		String after = "";
		while (true) {
			String[] next = { null };
			ExitCode code = send(KvRequest.list(prefix, after), atPrompt, answer -> {
				answer.json().path("entries").values().forEach(entries::add);
				JsonNode at = answer.json().path("version");
				if (version[0] == null && at.isNumber()) {
					version[0] = at.asLong();
				}
				JsonNode more = answer.json().path("next");
				next[0] = more.isString() ? more.asString() : null;
				return ExitCode.OK;
			});
			if (code != ExitCode.OK) {
				return code;
			}
			if (next[0] == null || next[0].compareTo(after) <= 0) {
				break; // the last page (a next that does not move on would page forever)
			}
			after = next[0];
		}
		if (json(atPrompt)) {
			Map<String, Object> dump = new LinkedHashMap<>();
			dump.put("version", version[0]);
			dump.put("entries", entries);
			return printJson(dump);
		}
		io.out().print(OutputFormat.dump(entries, version[0]));
		return ExitCode.OK;
	}

	private ExitCode cluster(boolean atPrompt) {
		List<Probe> probes = locator.survey();
		if (json(atPrompt)) {
			printJson(OutputFormat.clusterJson(probes));
		}
		else {
			io.out().print(OutputFormat.cluster(probes));
		}
		return probes.stream().anyMatch(Probe::answered) ? ExitCode.OK
				: error(ExitCode.UNAVAILABLE, "no node answers");
	}

	/** Sends with failover, then reports a success with {@code onSuccess} and anything else as its exit code. */
	private ExitCode send(KvRequest request, boolean atPrompt, Function<HttpAnswer, ExitCode> onSuccess)
			throws InterruptedException {
		return switch (retry.send(request)) {
			case Delivery.GaveUp gaveUp -> error(gaveUp.exitCode(),
					OutputFormat.gaveUp(gaveUp, request, options.retryUnknown()));
			case Delivery.Answered answered -> {
				HttpAnswer answer = answered.answer();
				ExitCode code = ExitCode.ofStatus(answer.status());
				yield switch (code) {
					case OK -> onSuccess.apply(answer);
					case NOT_FOUND -> notFound(answer, atPrompt, answered.afterUnknown());
					case PRECONDITION_FAILED -> error(code, "precondition failed: " + answer.problem());
					case BAD_INPUT -> error(code, "rejected: " + answer.problem());
					default -> error(code,
							"unexpected answer from " + answer.node() + ": HTTP " + answer.status() + " (" + answer.problem() + ")");
				};
			}
		};
	}

	private ExitCode notFound(HttpAnswer answer, boolean atPrompt, boolean afterUnknown) {
		String note = afterUnknown ? " (an earlier attempt, whose outcome is unknown, may have deleted it)" : "";
		if (atPrompt) {
			io.out().println(OutputFormat.NOT_FOUND + note);
		}
		else if (!options.quiet()) {
			io.err().println("pbkv: not found: " + answer.problem() + note);
		}
		return ExitCode.NOT_FOUND;
	}

	/** A value as stored; at the prompt as text. A terminal gets a final newline if the value lacks one. */
	private void show(byte[] value, boolean atPrompt) {
		if (atPrompt) {
			io.out().println(OutputFormat.valueText(value));
			return;
		}
		io.out().write(value, 0, value.length);
		if (io.terminal() && (value.length == 0 || value[value.length - 1] != '\n')) {
			io.out().println();
		}
	}

	/** JSON goes out for {@code -o json}, except at the prompt, which is for people. */
	private boolean json(boolean atPrompt) {
		return options.json() && !atPrompt;
	}

	private ExitCode printJson(Object value) {
		io.out().println(JsonMapper.shared().writeValueAsString(value));
		return ExitCode.OK;
	}

	private ExitCode confirm(String line) {
		if (!options.quiet()) {
			io.out().println(line);
		}
		return ExitCode.OK;
	}

	private ExitCode error(ExitCode code, String message) {
		io.out().flush();
		io.err().println("pbkv: " + message);
		return code;
	}

}
