package io.pbkv.cli;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/** Primary discovery and failover following against scripted nodes on 127.0.0.1. */
class ClientFailoverTest {

	private static final Backoff FAST = new Backoff(Duration.ofMillis(10), 2.0, Duration.ofMillis(40),
			Duration.ofMillis(5));

	private static final FakeNode.Reply WRITTEN = FakeNode.Reply.json(200, "{\"key\":\"k\",\"version\":9,\"epoch\":2}");

	private static ExitCode run(Captured io, ClientCommand command, boolean retryUnknown, URI... nodes)
			throws InterruptedException {
		ClientOptions options = new ClientOptions(List.of(nodes), 4, Duration.ofSeconds(5), false, retryUnknown, FAST);
		return new CommandRunner(options, io.streams).run(command, false);
	}

	private static ClientCommand set(String key, String value, Condition condition) {
		return new ClientCommand.Set(key, new ClientCommand.Value.Text(value), condition);
	}

	/** dump follows the listing's pages (each names the next page's 'after') and prints them as one table. */
	@Test
	void dumpFollowsEveryPageOfTheListing() throws Exception {
		try (FakeNode a = FakeNode.start("a").primary(1)) {
			a.reply(FakeNode.Reply.json(200, "{\"count\":2,\"keys\":[\"u/1\",\"u/2\"],\"entries\":["
					+ "{\"key\":\"u/1\",\"version\":3,\"value\":\"x\"},{\"key\":\"u/2\",\"version\":4,\"value\":\"y\"}],"
					+ "\"version\":9,\"next\":\"u/2\"}"),
					FakeNode.Reply.json(200, "{\"count\":1,\"keys\":[\"u/3\"],\"entries\":["
							+ "{\"key\":\"u/3\",\"version\":5,\"value\":\"z\"}],\"version\":11}"));
			Captured io = new Captured();
			assertThat(ClientMain.run(List.of("--nodes", a.url().toString(), "dump", "u/"), io.streams, Map.of()))
				.isEqualTo(ExitCode.OK);
			assertThat(a.requests).extracting(FakeNode.Request::path)
				.containsExactly("/kv?values=true&prefix=u%2F", "/kv?values=true&prefix=u%2F&after=u%2F2");
			assertThat(io.out()).contains("u/1").contains("u/2").contains("u/3")
				.as("the first page's version: a watch from it misses nothing written while the pages were read")
				.endsWith("(3 keys, at version 9)\n");
		}
	}

	@Test
	void requestsGoToTheNodeThatSaysItIsPrimary() throws Exception {
		try (FakeNode a = FakeNode.start("a"); FakeNode b = FakeNode.start("b").primary(2)) {
			a.backup(2, b.url());
			b.reply(FakeNode.Reply.bytes("blue".getBytes()));
			Captured io = new Captured();
			assertThat(ClientMain.run(List.of("--nodes", a.url() + "," + b.url(), "get", "color"), io.streams, Map.of()))
				.isEqualTo(ExitCode.OK);
			assertThat(io.out()).isEqualTo("blue");
			assertThat(io.err()).isEmpty();
			assertThat(a.requests).isEmpty();
			assertThat(b.requests).extracting(FakeNode.Request::path).containsExactly("/kv/color");
		}
	}

	@Test
	void aRefusingPrimaryIsFollowedToTheBackupOnceItTakesOver() throws Exception {
		URI dead = FakeNode.refusing();
		try (FakeNode b = FakeNode.start("b").backup(1, dead)) {
			b.reply(FakeNode.Reply.problem(503, "the primary does not answer"));
			// b answers 503 twice while it still follows the dead primary, then takes over.
			Thread takeover = Thread.ofVirtual().start(() -> {
				while (b.count("PUT") < 2) {
					try {
						Thread.sleep(1);
					}
					catch (InterruptedException ex) {
						return;
					}
				}
				b.primary(2);
				b.reply(WRITTEN);
			});
			Captured io = new Captured();
			assertThat(run(io, set("k", "v", Condition.NONE), false, dead, b.url())).as(io.err()).isEqualTo(ExitCode.OK);
			takeover.join();
			assertThat(io.out()).isEqualTo("OK (version 9, epoch 2)\n");
			assertThat(io.err()).contains("pbkv: primary " + dead + " not answering; " + b.url() + " answered 503")
				.contains("retrying via " + b.url() + " in ")
				.contains("(attempt 2/5)")
				.contains("pbkv: found primary " + b.url() + " (node b, epoch 2)");
			assertThat(b.requests).allSatisfy(r -> assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo("v"));
		}
	}

	@Test
	void aRemoteTimeoutAnd503sAreRetriedAWhileAndThenReportedAsUnavailable() throws Exception {
		try (FakeNode a = FakeNode.start("a").primary(1)) {
			a.reply(FakeNode.Reply.problem(503, "no backup in sync"));
			Captured io = new Captured();
			assertThat(run(io, set("k", "v", Condition.NONE), false, a.url())).isEqualTo(ExitCode.UNAVAILABLE);
			assertThat(a.count("PUT")).as("1 attempt + 4 retries").isEqualTo(5);
			assertThat(io.err()).contains("(attempt 5/5)")
				.contains("pbkv: unavailable: gave up on set 'k' after 5 attempts")
				.contains("nothing was written");
		}
	}

	@Test
	void noNodeAnsweringIsUnavailableAfterTheRetries() throws Exception {
		Captured io = new Captured();
		assertThat(run(io, new ClientCommand.Get("k"), false, FakeNode.refusing(), FakeNode.refusing()))
			.isEqualTo(ExitCode.UNAVAILABLE);
		assertThat(io.err()).contains("no node answers").contains("connection refused").contains("(attempt 5/5)");
	}

	@Test
	void aConditionalWriteWithAnUnknownOutcomeIsSentOnceAndReported() throws Exception {
		for (Condition condition : List.of(new Condition.IfVersion(3), new Condition.CreateOnly())) {
			try (FakeNode a = FakeNode.start("a").primary(1)) {
				a.reply(FakeNode.Reply.problem(504, "fate not learned"), WRITTEN);
				Captured io = new Captured();
				assertThat(run(io, set("k", "v", condition), true, a.url())).isEqualTo(ExitCode.OUTCOME_UNKNOWN);
				assertThat(a.count("PUT")).as("never retried, even with --retry-unknown").isEqualTo(1);
				assertThat(io.err()).contains("outcome unknown").contains("never repeated automatically");
			}
		}
	}

	@Test
	void anUnconditionalWriteWithAnUnknownOutcomeIsRepeatedOnlyWithRetryUnknown() throws Exception {
		try (FakeNode a = FakeNode.start("a").primary(1)) {
			a.reply(FakeNode.Reply.problem(504, "fate not learned"), WRITTEN);
			Captured io = new Captured();
			assertThat(run(io, set("k", "v", Condition.NONE), false, a.url())).isEqualTo(ExitCode.OUTCOME_UNKNOWN);
			assertThat(a.count("PUT")).isEqualTo(1);
			assertThat(io.err()).contains("--retry-unknown");
		}
		try (FakeNode a = FakeNode.start("a").primary(1)) {
			a.reply(FakeNode.Reply.problem(504, "fate not learned"), WRITTEN);
			Captured io = new Captured();
			assertThat(run(io, set("k", "v", Condition.NONE), true, a.url())).isEqualTo(ExitCode.OK);
			assertThat(a.count("PUT")).isEqualTo(2);
			assertThat(io.out()).isEqualTo("OK (version 9, epoch 2)\n");
		}
	}

	@Test
	void aReadIsRetriedAfterA504() throws Exception {
		try (FakeNode a = FakeNode.start("a").primary(1)) {
			a.reply(FakeNode.Reply.problem(504, "lost"), FakeNode.Reply.bytes("v".getBytes()));
			Captured io = new Captured();
			assertThat(run(io, new ClientCommand.Get("k"), false, a.url())).isEqualTo(ExitCode.OK);
			assertThat(io.out()).isEqualTo("v");
		}
	}

	@Test
	void finalAnswersAreNotRetriedAndGiveTheirExitCodes() throws Exception {
		record Case(FakeNode.Reply reply, ClientCommand command, ExitCode code, String err) {
		}
		List<Case> cases = List.of(
				new Case(FakeNode.Reply.problem(404, "no key 'k'"), new ClientCommand.Get("k"), ExitCode.NOT_FOUND,
						"pbkv: not found: no key 'k'"),
				new Case(FakeNode.Reply.problem(412, "key 'k' is at version 4"),
						set("k", "v", new Condition.IfVersion(3)), ExitCode.PRECONDITION_FAILED,
						"pbkv: precondition failed: key 'k' is at version 4"),
				new Case(FakeNode.Reply.problem(400, "bad key"), new ClientCommand.Get("k"), ExitCode.BAD_INPUT,
						"pbkv: rejected: bad key"),
				new Case(FakeNode.Reply.problem(413, "too large"), set("k", "v", Condition.NONE), ExitCode.BAD_INPUT,
						"pbkv: rejected: too large"),
				new Case(FakeNode.Reply.problem(500, "boom"), new ClientCommand.Get("k"), ExitCode.UNEXPECTED,
						"HTTP 500 (boom)"));
		for (Case c : cases) {
			try (FakeNode a = FakeNode.start("a").primary(1)) {
				a.reply(c.reply());
				Captured io = new Captured();
				assertThat(run(io, c.command(), false, a.url())).as(c.err()).isEqualTo(c.code());
				assertThat(a.requests).hasSize(1);
				assertThat(io.out()).isEmpty();
				assertThat(io.err()).contains(c.err());
			}
		}
	}

	@Test
	void conditionsAndStdinValuesAreSentAsTheContractSays() throws Exception {
		try (FakeNode a = FakeNode.start("a").primary(1)) {
			a.reply(WRITTEN);
			byte[] binary = { 0, 1, (byte) 0xff, '\n' };
			Captured io = new Captured(binary);
			List<String> args = List.of("--nodes", a.url().toString(), "-q", "set", "--if-version", "8", "k/é", "-");
			assertThat(ClientMain.run(args, io.streams, Map.of())).isEqualTo(ExitCode.OK);
			assertThat(io.out()).as("-q leaves out the confirmation").isEmpty();
			ClientMain.run(List.of("--nodes", a.url().toString(), "--create", "set", "k", "v"), new Captured().streams,
					Map.of());
			ClientMain.run(List.of("--nodes", a.url().toString(), "--if-version", "9", "del", "k"),
					new Captured().streams, Map.of());
			FakeNode.Request put = a.requests.get(0);
			assertThat(put.path()).isEqualTo("/kv/k/%C3%A9");
			assertThat(put.body()).isEqualTo(binary);
			assertThat(put.header("If-Match")).isEqualTo("\"8\"");
			assertThat(a.requests.get(1).header("If-None-Match")).isEqualTo("*");
			assertThat(a.requests.get(2).method()).isEqualTo("DELETE");
			assertThat(a.requests.get(2).header("If-Match")).isEqualTo("\"9\"");
		}
	}

	@Test
	void getWritesTheStoredBytesExactly() throws Exception {
		try (FakeNode a = FakeNode.start("a").primary(1)) {
			byte[] binary = { 0, (byte) 0xfe, 'x' };
			a.reply(FakeNode.Reply.bytes(binary));
			Captured io = new Captured();
			assertThat(ClientMain.run(List.of("--nodes", a.url().toString(), "get", "k"), io.streams, Map.of()))
				.isEqualTo(ExitCode.OK);
			assertThat(io.outBytes()).isEqualTo(binary);
		}
	}

	@Test
	void clusterAsksEveryNodeAndSaysWhichOnesDoNotAnswer() throws Exception {
		URI dead = FakeNode.refusing();
		try (FakeNode b = FakeNode.start("b").primary(2)) {
			Captured io = new Captured();
			assertThat(run(io, new ClientCommand.Cluster(), false, dead, b.url())).isEqualTo(ExitCode.OK);
			assertThat(io.out()).contains(dead + "  -        -      -     -       no (connection refused)")
				.contains("b     " + b.url() + "  PRIMARY  2      7     7       yes")
				.contains("primary: b at " + b.url() + ", epoch 2");
		}
		Captured io = new Captured();
		assertThat(run(io, new ClientCommand.Cluster(), false, dead)).isEqualTo(ExitCode.UNAVAILABLE);
	}

	@Test
	void withOutputJsonEachCommandPrintsOneJsonDocument() throws Exception {
		try (FakeNode a = FakeNode.start("a").primary(3)) {
			a.reply(WRITTEN, FakeNode.Reply.json(200, "{\"count\":1,\"keys\":[\"k\"],\"entries\":["
					+ "{\"key\":\"k\",\"version\":9,\"value\":\"v\"}],\"version\":12}"));
			Captured set = new Captured();
			assertThat(ClientMain.run(List.of("--nodes", a.url().toString(), "-o", "json", "set", "k", "v"), set.streams,
					Map.of())).isEqualTo(ExitCode.OK);
			assertThat(set.out()).isEqualTo("{\"key\":\"k\",\"version\":9,\"epoch\":2}\n");
			Captured dump = new Captured();
			assertThat(ClientMain.run(List.of("--nodes", a.url().toString(), "--output=json", "dump"), dump.streams,
					Map.of())).isEqualTo(ExitCode.OK);
			assertThat(dump.out()).isEqualTo("{\"version\":12,\"entries\":[{\"key\":\"k\",\"version\":9,\"value\":\"v\"}]}\n");
			Captured cluster = new Captured();
			assertThat(ClientMain.run(List.of("--nodes", a.url().toString(), "-o", "json", "cluster"), cluster.streams,
					Map.of())).isEqualTo(ExitCode.OK);
			assertThat(JsonMapper.shared().readTree(cluster.out()).path("primary").asString())
				.isEqualTo(a.url().toString());
		}
	}

	@Test
	void versionAndCompletionNeedNoCluster() {
		Captured version = new Captured();
		assertThat(ClientMain.run(List.of("--version"), version.streams, Map.of())).isEqualTo(ExitCode.OK);
		assertThat(version.out()).startsWith("pbkv ");
		Captured completion = new Captured();
		assertThat(ClientMain.run(List.of("completion", "bash"), completion.streams, Map.of())).isEqualTo(ExitCode.OK);
		assertThat(completion.out()).contains("complete -F _pbkv pbkv").contains(" watch ").contains("--output");
	}

	@Test
	void usageErrorsExitWithTwoAndPointToHelp() {
		Captured io = new Captured();
		assertThat(ClientMain.run(List.of("get"), io.streams, Map.of())).isEqualTo(ExitCode.USAGE);
		assertThat(io.err()).isEqualTo("pbkv: usage: pbkv get KEY\nRun 'pbkv --help' for usage.\n");
		Captured help = new Captured();
		assertThat(ClientMain.run(List.of("--help"), help.streams, Map.of())).isEqualTo(ExitCode.OK);
		assertThat(help.out()).contains("Exit codes:").contains("  5  the write may or may not have happened");
	}

}
