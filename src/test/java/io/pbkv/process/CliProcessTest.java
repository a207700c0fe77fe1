package io.pbkv.process;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The command-line client as a real process (its own class path, as {@code bin/pbkv} starts it) against a real pair:
 * results, exit codes, the prompt, and following a kill -9 of the primary without restarting anything.
 */
@Tag("process")
class CliProcessTest {

	/** The client's jar and libraries, as the build lays them out (and the tarball holds them). */
	private static final Path LIB = Path.of("target/pbkv-client/lib");

	/** The longest any one client run may take: its retries span about 10 s. */
	private static final Duration LIMIT = Duration.ofSeconds(60);

	@TempDir
	Path work;

	private final AtomicInteger runs = new AtomicInteger();

	record Run(int exit, byte[] stdout, String err) {

		String out() {
			return new String(stdout, StandardCharsets.UTF_8);
		}

	}

	/** One client process: stdin a pipe, stdout and stderr files that can be read while it runs. */
	private final class Client implements AutoCloseable {

		private final Process process;

		private final Path out;

		private final Path err;

		Client(String nodes, String... args) throws IOException {
			int n = runs.incrementAndGet();
			out = work.resolve("client-" + n + ".out");
			err = work.resolve("client-" + n + ".err");
			List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java")));
			command.addAll(NodeProcess.TEST_JVM_OPTIONS);
			command.addAll(List.of("-cp", LIB.toAbsolutePath() + "/*", "io.pbkv.cli.ClientMain", "--nodes", nodes));
			command.addAll(List.of(args));
			process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
		}

		Client type(byte[] input) throws IOException {
			OutputStream stdin = process.getOutputStream();
			stdin.write(input);
			stdin.flush();
			return this;
		}

		Client type(String input) throws IOException {
			return type(input.getBytes(StandardCharsets.UTF_8));
		}

		Run finish() throws Exception {
			process.getOutputStream().close();
			if (!process.waitFor(LIMIT.toSeconds(), TimeUnit.SECONDS)) {
				process.destroyForcibly();
				throw new AssertionError("the client did not finish within " + LIMIT + "; stderr:\n" + err());
			}
			return new Run(process.exitValue(), Files.readAllBytes(out), err());
		}

		String out() {
			return read(out);
		}

		String err() {
			return read(err);
		}

		private static String read(Path file) {
			try {
				return Files.readString(file);
			}
			catch (IOException ex) {
				return "";
			}
		}

		@Override
		public void close() {
			process.destroyForcibly();
		}

	}

	private Run cli(String nodes, String... args) throws Exception {
		try (Client client = new Client(nodes, args)) {
			return client.finish();
		}
	}

	private static String nodes(Pair pair) {
		return pair.a.url() + "," + pair.b.url();
	}

	@Test
	void commandsPrintResultsOnStdoutAndExitWithTheDocumentedCodes() throws Exception {
		try (Pair pair = new Pair(work).start()) {
			String nodes = nodes(pair);
			Run set = cli(nodes, "set", "color", "blue");
			assertThat(set.exit()).as(set.err()).isZero();
			assertThat(set.out()).matches("OK \\(version \\d+, epoch 1\\)\n");
			Matcher written = Pattern.compile("version (\\d+)").matcher(set.out());
			assertThat(written.find()).isTrue();
			String version = written.group(1);

			Run get = cli(nodes, "get", "color");
			assertThat(get.exit()).isZero();
			assertThat(get.out()).isEqualTo("blue");
			assertThat(cli(pair.b.url(), "get", "color").out()).as("through the backup, which forwards")
				.isEqualTo("blue");

			Run missing = cli(nodes, "get", "nope");
			assertThat(missing.exit()).isEqualTo(1);
			assertThat(missing.out()).isEmpty();
			assertThat(missing.err()).contains("not found");

			assertThat(cli(nodes, "set", "--if-version", "999", "color", "red").exit()).isEqualTo(3);
			assertThat(cli(nodes, "set", "--create", "color", "red").exit()).isEqualTo(3);
			assertThat(cli(nodes, "set", "--if-version", version, "color", "red").exit()).isZero();

			byte[] binary = { 0, 1, (byte) 0xff, '\n', 'x' };
			try (Client stdin = new Client(nodes, "set", "blob", "-")) {
				assertThat(stdin.type(binary).finish().exit()).isZero();
			}
			assertThat(cli(nodes, "get", "blob").stdout()).isEqualTo(binary);

			Run dump = cli(nodes, "dump", "co");
			assertThat(dump.exit()).isZero();
			assertThat(dump.out()).startsWith("KEY    VERSION  VALUE\ncolor  ").contains(" red\n").containsPattern("\\(1 key, at version \\d+\\)\n$");

			assertThat(cli(nodes, "del", "color").out()).isEqualTo("OK (deleted)\n");
			assertThat(cli(nodes, "del", "color").exit()).isEqualTo(1);
			assertThat(cli(nodes, "set", "bad\u0001key", "v").exit()).as("a control character in the key").isEqualTo(6);
			assertThat(cli(nodes, "get").exit()).isEqualTo(2);

			Run cluster = cli(nodes, "cluster");
			assertThat(cluster.exit()).isZero();
			assertThat(cluster.out()).contains("PRIMARY", "BACKUP", "primary: a at " + pair.a.url() + ", epoch 1");
		}
	}

	@Test
	void thePromptRunsTheSeedsCommandsFromStdin() throws Exception {
		try (Pair pair = new Pair(work).start(); Client prompt = new Client(nodes(pair))) {
			Run run = prompt.type("SET color blue\nGET color\nDUMP\nEXIT\n").finish();
			assertThat(run.exit()).as(run.err()).isZero();
			assertThat(run.out()).matches("""
					OK \\(version (\\d+), epoch 1\\)
					blue
					KEY    VERSION  VALUE
					color  \\1 +blue
					\\(1 key, at version \\d+\\)
					""");
			assertThat(run.err()).isEmpty();
		}
	}

	@Test
	void getAndSetFollowTheBackupWhenItTakesOverAfterKillNineOfThePrimary() throws Exception {
		try (Pair pair = new Pair(work).start(); Client prompt = new Client(nodes(pair))) {
			String nodes = nodes(pair);
			assertThat(cli(nodes, "set", "color", "blue").exit()).isZero();
			prompt.type("GET color\n");
			Pair.await("the prompt to answer through primary a", LIMIT, () -> prompt.out().equals("blue\n"));

			pair.a.kill9();
			CompletableFuture<Run> get = CompletableFuture.supplyAsync(() -> call(() -> cli(nodes, "get", "color")));
			CompletableFuture<Run> set = CompletableFuture
				.supplyAsync(() -> call(() -> cli(nodes, "set", "after", "failover")));
			Run session = prompt.type("SET during failover\nGET during\nEXIT\n").finish();

			System.out.println("the prompt's stderr across the failover:\n" + session.err());
			// The prompt was running when a died, so its write surely met the dead primary first.
			assertThat(session.exit()).as(session.err()).isZero();
			assertThat(session.out()).matches("blue\nOK \\(version \\d+, epoch 2\\)\nfailover\n");
			assertThat(session.err())
				.contains("pbkv: primary " + pair.a.url() + " not answering (connection refused); retrying via "
						+ pair.b.url() + " in ")
				.containsPattern("\\(attempt 2/8\\)")
				.contains("pbkv: found primary " + pair.b.url() + " (node b, epoch 2)");

			Run got = get.get(LIMIT.toSeconds(), TimeUnit.SECONDS);
			assertThat(got.exit()).as(got.err()).isZero();
			assertThat(got.out()).isEqualTo("blue");
			Run written = set.get(LIMIT.toSeconds(), TimeUnit.SECONDS);
			assertThat(written.exit()).as(written.err()).isZero();
			assertThat(written.out()).matches("OK \\(version \\d+, epoch 2\\)\n");
			// These started after the kill: they either met the failover and said so, or b had already taken over.
			for (Run run : List.of(got, written)) {
				assertThat(run.err().lines()).allMatch(line -> line.matches(
						"pbkv: (.* not answering.*|.* answered 503 .*|no node answers .*)in \\d+ ms \\(attempt \\d/8\\)"
								+ "|pbkv: found primary " + pair.b.url() + " \\(node b, epoch 2\\)"));
			}
			assertThat(cli(nodes, "get", "after").out()).isEqualTo("failover");
			Run cluster = cli(nodes, "cluster");
			assertThat(cluster.out()).contains("no (connection refused)", "primary: b at " + pair.b.url() + ", epoch 2");
		}
	}

	@Test
	void watchPrintsEachChangeOnceAndFollowsAKillNineFailover() throws Exception {
		try (Pair pair = new Pair(work).start()) {
			String nodes = nodes(pair);
			Run before = cli(nodes, "set", "before", "x");
			Matcher version = Pattern.compile("version (\\d+)").matcher(before.out());
			assertThat(version.find()).as(before.out()).isTrue();
			// --since: the changes after that version, whether or not the client is connected yet when they commit.
			try (Client watch = new Client(nodes, "watch", "app/", "--since", version.group(1))) {
				assertThat(pair.http.put(pair.a.url(), "app/1", "one").status()).isEqualTo(200);
				Pair.await("the watch to start", LIMIT, () -> watch.out().contains(" put app/1 one\n"));
				pair.http.put(pair.a.url(), "other", "not watched");
				assertThat(cli(nodes, "del", "app/1").exit()).isZero();
				Pair.await("the delete", LIMIT, () -> watch.out().contains(" del app/1\n"));
				pair.a.kill9();
				Pair.await("a write through the new primary", LIMIT,
						() -> pair.http.put(pair.b.url(), "app/2", "two").status() == 200);
				Pair.await("the watch to follow the failover", LIMIT, () -> watch.out().contains(" put app/2 two\n"));
				List<String> lines = watch.out().lines().toList();
				assertThat(lines).as(watch.err()).hasSize(3);
				assertThat(lines.get(0)).matches("\\d+ put app/1 one");
				assertThat(lines.get(1)).matches("\\d+ del app/1");
				assertThat(lines.get(2)).matches("\\d+ put app/2 two");
				assertThat(lines).extracting(l -> Long.parseLong(l.split(" ")[0])).isSorted().doesNotHaveDuplicates();
				assertThat(watch.err()).contains("resuming after version " + lines.get(1).split(" ")[0]);
			}
		}
	}

	private interface Call<T> {

		T call() throws Exception;

	}

	private static <T> T call(Call<T> call) {
		try {
			return call.call();
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

}
