package io.pbkv.cli;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CommandLineTest {

	private static CommandLine.Invocation parse(String... args) throws UsageException {
		return CommandLine.parse(List.of(args), Map.of());
	}

	@Test
	void setTakesTheValueArgumentAsTextAndDashAsStdin() throws Exception {
		assertThat(parse("set", "color", "blue").command()).isEqualTo(
				new ClientCommand.Set("color", new ClientCommand.Value.Text("blue"), Condition.NONE));
		assertThat(parse("set", "blob", "-").command())
			.isEqualTo(new ClientCommand.Set("blob", new ClientCommand.Value.Stdin(), Condition.NONE));
	}

	@Test
	void eachCommandParsesItsArguments() throws Exception {
		assertThat(parse("get", "users/42").command()).isEqualTo(new ClientCommand.Get("users/42"));
		assertThat(parse("del", "k").command()).isEqualTo(new ClientCommand.Del("k", Condition.NONE));
		assertThat(parse("delete", "k").command()).isEqualTo(new ClientCommand.Del("k", Condition.NONE));
		assertThat(parse("dump").command()).isEqualTo(new ClientCommand.Dump(""));
		assertThat(parse("dump", "users/").command()).isEqualTo(new ClientCommand.Dump("users/"));
		assertThat(parse("cluster").command()).isEqualTo(new ClientCommand.Cluster());
		assertThat(parse("watch").command()).isEqualTo(new ClientCommand.Watch("", null));
		assertThat(parse("-o", "json", "get", "k").options().json()).isTrue();
		assertThat(parse("get", "k").options().json()).isFalse();
		assertThat(parse("--version").command()).isEqualTo(new ClientCommand.Version());
		assertThat(parse("completion", "bash").command()).isEqualTo(new ClientCommand.Completion());
		assertThat(parse("watch", "app/", "--since", "42").command()).isEqualTo(new ClientCommand.Watch("app/", 42L));
		assertThat(parse("GET", "k").command()).isEqualTo(new ClientCommand.Get("k"));
	}

	@Test
	void noCommandMeansThePromptAndHelpWinsOverEverythingElse() throws Exception {
		assertThat(parse().command()).isEqualTo(new ClientCommand.Interactive());
		assertThat(parse("--nodes", "localhost:9000").command()).isEqualTo(new ClientCommand.Interactive());
		assertThat(parse("get", "k", "--help").command()).isEqualTo(new ClientCommand.Help());
		assertThat(parse("-h").command()).isEqualTo(new ClientCommand.Help());
		assertThat(parse("help").command()).isEqualTo(new ClientCommand.Help());
	}

	@Test
	void conditionsBecomeIfMatchOrCreateOnly() throws Exception {
		assertThat(parse("set", "k", "v", "--if-version", "7").command())
			.isEqualTo(new ClientCommand.Set("k", new ClientCommand.Value.Text("v"), new Condition.IfVersion(7)));
		assertThat(parse("--if-version=7", "del", "k").command())
			.isEqualTo(new ClientCommand.Del("k", new Condition.IfVersion(7)));
		assertThat(parse("set", "--create", "k", "v").command())
			.isEqualTo(new ClientCommand.Set("k", new ClientCommand.Value.Text("v"), new Condition.CreateOnly()));
	}

	@Test
	void optionsMayComeBeforeOrAfterTheCommand() throws Exception {
		ClientOptions before = parse("-q", "--retries", "3", "--timeout", "500ms", "--retry-unknown", "get", "k")
			.options();
		ClientOptions after = parse("get", "k", "-q", "--retries=3", "--timeout=500ms", "--retry-unknown").options();
		assertThat(after).isEqualTo(before);
		assertThat(before.quiet()).isTrue();
		assertThat(before.retries()).isEqualTo(3);
		assertThat(before.attempts()).isEqualTo(4);
		assertThat(before.timeout()).isEqualTo(Duration.ofMillis(500));
		assertThat(before.retryUnknown()).isTrue();
	}

	@Test
	void defaultsAreTheBinClusterPortsSevenRetriesAndFifteenSeconds() throws Exception {
		ClientOptions options = parse("get", "k").options();
		assertThat(options.nodes()).containsExactly(URI.create("http://localhost:8081"),
				URI.create("http://localhost:8082"));
		assertThat(options.retries()).isEqualTo(7);
		assertThat(options.timeout()).isEqualTo(Duration.ofSeconds(15));
		assertThat(options.quiet()).isFalse();
		assertThat(options.retryUnknown()).isFalse();
	}

	@Test
	void nodesComeFromTheOptionElseTheEnvironment() throws Exception {
		Map<String, String> env = Map.of(CommandLine.NODES_ENV, "http://10.0.0.1:8080, 10.0.0.2:8080/");
		assertThat(CommandLine.parse(List.of("get", "k"), env).options().nodes())
			.containsExactly(URI.create("http://10.0.0.1:8080"), URI.create("http://10.0.0.2:8080"));
		assertThat(CommandLine.parse(List.of("--nodes", "https://kv:443", "get", "k"), env).options().nodes())
			.containsExactly(URI.create("https://kv:443"));
	}

	@Test
	void theCaFileComesFromTheOptionElseTheEnvironment() throws Exception {
		Map<String, String> env = Map.of("PBKV_CACERT", "/etc/pbkv/ca.pem");
		assertThat(CommandLine.parse(List.of("get", "k"), Map.of()).caCert()).isNull();
		assertThat(CommandLine.parse(List.of("get", "k"), env).caCert()).isEqualTo(Path.of("/etc/pbkv/ca.pem"));
		assertThat(CommandLine.parse(List.of("get", "k", "--cacert", "run/tls/ca.pem"), env).caCert())
			.isEqualTo(Path.of("run/tls/ca.pem"));
		assertThat(CommandLine.parse(List.of("--cacert=x.pem", "get", "k"), env).caCert()).isEqualTo(Path.of("x.pem"));
		assertThatThrownBy(() -> CommandLine.parse(List.of("get", "k", "--cacert"), env))
			.isInstanceOf(UsageException.class)
			.hasMessageContaining("--cacert needs a value");
	}

	@Test
	void aCaFileThatIsNoCertificateIsAUsageErrorBeforeAnythingIsSent(@TempDir Path dir) throws Exception {
		Path notPem = Files.writeString(dir.resolve("ca.pem"), "not a certificate");
		assertThatThrownBy(() -> TrustedAuthorities.fromPem(notPem)).isInstanceOf(UsageException.class)
			.hasMessageContaining("holds no PEM certificate");
		assertThatThrownBy(() -> TrustedAuthorities.fromPem(dir.resolve("missing.pem")))
			.isInstanceOf(UsageException.class)
			.hasMessageContaining("cannot read");
	}

	@Test
	void aDoubleDashLetsKeysAndValuesStartWithADash() throws Exception {
		assertThat(parse("set", "--", "-k", "-5").command())
			.isEqualTo(new ClientCommand.Set("-k", new ClientCommand.Value.Text("-5"), Condition.NONE));
	}

	@Test
	void durationsTakeAUnitOrMeanSeconds() throws Exception {
		assertThat(CommandLine.duration("250ms")).isEqualTo(Duration.ofMillis(250));
		assertThat(CommandLine.duration("3")).isEqualTo(Duration.ofSeconds(3));
		assertThat(CommandLine.duration("2m")).isEqualTo(Duration.ofMinutes(2));
	}

	@Test
	void badCommandLinesAreUsageErrorsThatSayWhatIsWrong() {
		assertUsage("unknown command 'frob'", "frob");
		assertUsage("usage: pbkv set KEY VALUE", "set", "k");
		assertUsage("usage: pbkv get KEY", "get");
		assertUsage("usage: pbkv get KEY", "get", "a", "b");
		assertUsage("a key cannot be empty", "get", "");
		assertUsage("unknown option --frob", "--frob", "get", "k");
		assertUsage("put -- before a value", "set", "k", "-5");
		assertUsage("--retries needs a value", "get", "k", "--retries");
		assertUsage("--retries takes a whole number", "--retries", "many", "get", "k");
		assertUsage("--retries takes a whole number", "--retries", "-1", "get", "k");
		assertUsage("--timeout takes a positive duration", "--timeout", "0", "get", "k");
		assertUsage("--timeout takes a positive duration", "--timeout", "fast", "get", "k");
		assertUsage("--if-version takes a whole number", "--if-version", "x", "set", "k", "v");
		assertUsage("--if-version and --create exclude each other", "--if-version", "1", "--create", "set", "k", "v");
		assertUsage("--create applies to set only", "--create", "del", "k");
		assertUsage("--if-version applies to set and del, not to get", "--if-version", "1", "get", "k");
		assertUsage("--create applies to set and del, not to the prompt", "--create");
		assertUsage("is not a node URL", "--nodes", "ftp://x", "get", "k");
		assertUsage("is not a node URL", "--nodes", "http://x:1/path", "get", "k");
		assertUsage("--nodes needs at least one URL", "--nodes", ",", "get", "k");
		assertUsage("--quiet takes no value", "--quiet=yes", "get", "k");
		assertUsage("--since applies to watch only", "get", "k", "--since", "3");
		assertUsage("-o is text (the default) or json, not 'yaml'", "-o", "yaml", "get", "k");
		assertUsage("usage: pbkv watch [PREFIX]", "watch", "a", "b");
	}

	@Test
	void aBadEnvironmentVariableIsNamedInTheError() {
		assertThatThrownBy(() -> CommandLine.parse(List.of("get", "k"), Map.of(CommandLine.NODES_ENV, "ftp://x")))
			.isInstanceOf(UsageException.class)
			.hasMessageContaining(CommandLine.NODES_ENV);
	}

	private static void assertUsage(String message, String... args) {
		assertThatThrownBy(() -> parse(args)).as(String.join(" ", args))
			.isInstanceOf(UsageException.class)
			.hasMessageContaining(message);
	}


	@Test
	void tokenNewTakesARoleAndAPrefixAndPrintsTheTokenAndItsLine() throws Exception {
		assertThat(parse("token", "new", "write", "app/").command()).isEqualTo(new ClientCommand.NewToken("write", "app/"));
		assertThatThrownBy(() -> parse("token", "new", "root", "*")).isInstanceOf(UsageException.class)
			.hasMessageContaining("read, write or admin");
		assertThatThrownBy(() -> parse("token", "old", "read", "*")).isInstanceOf(UsageException.class);
		Captured io = new Captured();
		ClientOptions options = new ClientOptions(List.of(java.net.URI.create("http://127.0.0.1:1")), 0,
				java.time.Duration.ofSeconds(1), true, false, null);
		assertThat(new CommandRunner(options, io.streams).run(new ClientCommand.NewToken("read", "*"), false))
			.isEqualTo(ExitCode.OK);
		List<String> lines = io.out().lines().filter(l -> !l.startsWith("#")).toList();
		assertThat(lines).hasSize(2);
		String token = lines.get(0);
		assertThat(token).matches("[A-Za-z0-9_-]{43}");
		assertThat(lines.get(1)).isEqualTo("read * " + java.util.HexFormat.of()
			.formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(token.getBytes(java.nio.charset.StandardCharsets.UTF_8))));
	}

}
