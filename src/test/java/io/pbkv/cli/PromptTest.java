package io.pbkv.cli;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PromptTest {

	private static ClientCommand run(String line) {
		Prompt.Line parsed = Prompt.parse(line);
		assertThat(parsed).as(line).isInstanceOf(Prompt.Line.Run.class);
		return ((Prompt.Line.Run) parsed).command();
	}

	@Test
	void commandsAreCaseInsensitive() {
		for (String set : List.of("SET color blue", "set color blue", "Set color blue")) {
			assertThat(run(set)).isEqualTo(
					new ClientCommand.Set("color", new ClientCommand.Value.Text("blue"), Condition.NONE));
		}
		assertThat(run("get color")).isEqualTo(new ClientCommand.Get("color"));
		assertThat(run("GET Color")).as("keys keep their case").isEqualTo(new ClientCommand.Get("Color"));
		assertThat(run("del color")).isEqualTo(new ClientCommand.Del("color", Condition.NONE));
		assertThat(run("DELETE color")).isEqualTo(new ClientCommand.Del("color", Condition.NONE));
		assertThat(run("dump")).isEqualTo(new ClientCommand.Dump(""));
		assertThat(run("DUMP users/")).isEqualTo(new ClientCommand.Dump("users/"));
		assertThat(run("cluster")).isEqualTo(new ClientCommand.Cluster());
		assertThat(run("help")).isEqualTo(new ClientCommand.Help());
		assertThat(Prompt.parse("exit")).isInstanceOf(Prompt.Line.Exit.class);
		assertThat(Prompt.parse("QUIT")).isInstanceOf(Prompt.Line.Exit.class);
	}

	@Test
	void setTakesTheRestOfTheLineAsTheValueKeepingInnerSpaces() {
		assertThat(run("SET greeting hello   big world")).isEqualTo(new ClientCommand.Set("greeting",
				new ClientCommand.Value.Text("hello   big world"), Condition.NONE));
		assertThat(run("  set\tk \t a b  ")).isEqualTo(
				new ClientCommand.Set("k", new ClientCommand.Value.Text("a b"), Condition.NONE));
	}

	@Test
	void blankAndMalformedLinesAreNotCommands() {
		assertThat(Prompt.parse("   ")).isInstanceOf(Prompt.Line.Blank.class);
		assertThat(Prompt.parse("SET k")).isEqualTo(new Prompt.Line.Invalid("usage: SET <key> <value>"));
		assertThat(Prompt.parse("GET")).isEqualTo(new Prompt.Line.Invalid("usage: GET <key>"));
		assertThat(Prompt.parse("GET a b")).isEqualTo(new Prompt.Line.Invalid("usage: GET <key>"));
		assertThat(Prompt.parse("DUMP a b")).isEqualTo(new Prompt.Line.Invalid("usage: DUMP [prefix]"));
		assertThat(Prompt.parse("frob x"))
			.isEqualTo(new Prompt.Line.Invalid("unknown command 'frob'; HELP lists the commands"));
	}

	@Test
	void thePromptRunsEachLineShowsResultsReadablyAndGoesOnAfterAnError() throws Exception {
		try (FakeNode node = FakeNode.start("a").primary(1)) {
			node.reply(FakeNode.Reply.json(200, "{\"key\":\"color\",\"version\":7,\"epoch\":2}"),
					FakeNode.Reply.bytes("blue".getBytes()), FakeNode.Reply.problem(404, "no key 'nope'"),
					FakeNode.Reply.json(200, """
							{"count":1,"keys":["color"],"entries":[{"key":"color","version":7,"value":"blue"}]}"""));
			Captured io = new Captured("SET color blue\nfrob\nGET color\nget nope\nDUMP\nEXIT\nGET never\n");
			ExitCode code = ClientMain.run(List.of("--nodes", node.url().toString()), io.streams, Map.of());
			assertThat(code).isEqualTo(ExitCode.OK);
			assertThat(io.out()).isEqualTo("""
					OK (version 7, epoch 2)
					blue
					(not found)
					KEY    VERSION  VALUE
					color  7        blue
					(1 key)
					""");
			assertThat(io.err()).isEqualTo("pbkv: unknown command 'frob'; HELP lists the commands\n");
			assertThat(node.requests).extracting(FakeNode.Request::path)
				.containsExactly("/kv/color", "/kv/color", "/kv/nope", "/kv?values=true");
		}
	}

	@Test
	void theEndOfInputLeavesThePromptWithZero() throws Exception {
		Captured io = new Captured("");
		assertThat(ClientMain.run(List.of(), io.streams, Map.of())).isEqualTo(ExitCode.OK);
		assertThat(io.out()).isEmpty();
	}

}
