package io.pbkv.cli;

import java.net.URI;
import java.util.List;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

class OutputFormatTest {

	private static final URI A = URI.create("http://localhost:8081");

	private static final URI B = URI.create("http://localhost:8082");

	private static final JsonMapper JSON = JsonMapper.shared();

	@Test
	void aWriteShowsItsVersionAndEpoch() {
		assertThat(OutputFormat.written(JSON.readTree("{\"key\":\"k\",\"version\":7,\"epoch\":2}")))
			.isEqualTo("OK (version 7, epoch 2)");
	}

	@Test
	void aValueIsShownAsTextOrAsBase64WhenItIsNotUtf8() {
		assertThat(OutputFormat.valueText("héllo".getBytes(java.nio.charset.StandardCharsets.UTF_8)))
			.isEqualTo("héllo");
		assertThat(OutputFormat.valueText(new byte[] { 0, 1, (byte) 0xff }))
			.isEqualTo("(binary, 3 bytes) base64:AAH/");
	}

	@Test
	void dumpIsATableWithEscapedControlCharactersAndACount() {
		String listing = """
				{"count":3,"keys":["a","bin","long key"],"entries":[
				 {"key":"a","version":12,"value":"line1\\nline2"},
				 {"key":"bin","version":3,"valueBase64":"AAH/"},
				 {"key":"long key","version":7,"value":"x"}]}""";
		assertThat(OutputFormat.dump(JSON.readTree(listing))).isEqualTo("""
				KEY       VERSION  VALUE
				a         12       line1\\nline2
				bin       3        base64:AAH/
				long key  7        x
				(3 keys)
				""");
		assertThat(OutputFormat.dump(JSON.readTree("{\"count\":0,\"keys\":[]}"))).isEqualTo("(no keys)\n");
		assertThat(OutputFormat.dump(JSON.readTree("{\"count\":0,\"keys\":[],\"version\":17}")))
			.as("the version a watch can start from").isEqualTo("(no keys, at version 17)\n");
	}

	@Test
	void theClusterTableShowsEachNodeWhatItsPeersSayAndThePrimary() {
		ClusterView a = new ClusterView("a", "PRIMARY", 2, "a", A.toString(), 15, 15,
				List.of(new ClusterView.Peer("b", B.toString(), true, 15, true)));
		ClusterView b = new ClusterView("b", "BACKUP", 2, "a", A.toString(), 15, 14,
				List.of(new ClusterView.Peer("a", A.toString(), true, -1, false)));
		assertThat(OutputFormat.cluster(List.of(Probe.answered(A, a), Probe.answered(B, b)))).isEqualTo("""
				NODE  URL                    ROLE     EPOCH  LAST  COMMIT  REACHABLE  PEERS SAY
				a     http://localhost:8081  PRIMARY  2      15    15      yes        b: reachable
				b     http://localhost:8082  BACKUP   2      15    14      yes        a: reachable, in sync
				primary: a at http://localhost:8081, epoch 2
				""");
	}

	@Test
	void anUnreachableNodeIsNamedByWhatItsPeersKnow() {
		ClusterView b = new ClusterView("b", "PRIMARY", 3, "b", B.toString(), 20, 20,
				List.of(new ClusterView.Peer("a", A.toString(), false, 0, false)));
		assertThat(OutputFormat.cluster(List.of(Probe.silent(A, "connection refused"), Probe.answered(B, b))))
			.isEqualTo("""
					NODE  URL                    ROLE     EPOCH  LAST  COMMIT  REACHABLE                PEERS SAY
					a     http://localhost:8081  -        -      -     -       no (connection refused)  b: unreachable
					b     http://localhost:8082  PRIMARY  3      20    20      yes                      -
					primary: b at http://localhost:8082, epoch 3
					""");
	}

	@Test
	void aRetryNoticeSaysWhatFailedWhereTheRetryGoesHowLongAndWhichAttempt() {
		Target primary = new Target(A, Target.Kind.PRIMARY, null, null);
		AttemptFailure refused = new AttemptFailure(primary, Failure.REFUSED, "connection refused",
				new RetryDecision(true, false));
		assertThat(OutputFormat.retryNotice(refused, B, 400, 2, 8)).isEqualTo(
				"primary http://localhost:8081 not answering (connection refused); retrying via http://localhost:8082"
						+ " in 400 ms (attempt 2/8)");
		Target viaBackup = new Target(B, Target.Kind.FALLBACK, null, A);
		AttemptFailure unavailable = new AttemptFailure(viaBackup, Failure.UNAVAILABLE, "no primary",
				new RetryDecision(true, false));
		assertThat(OutputFormat.retryNotice(unavailable, B, 800, 3, 8)).isEqualTo(
				"primary http://localhost:8081 not answering; http://localhost:8082 answered 503 (no primary);"
						+ " retrying via http://localhost:8082 in 800 ms (attempt 3/8)");
		AttemptFailure nobody = new AttemptFailure(null, Failure.NO_NODE, "a: connection refused",
				new RetryDecision(true, false));
		assertThat(OutputFormat.retryNotice(nobody, null, 250, 2, 3))
			.isEqualTo("no node answers (a: connection refused); retrying in 250 ms (attempt 2/3)");
	}

	@Test
	void givingUpSaysWhetherAnythingWasWrittenAndWhatToDo() {
		Target primary = new Target(A, Target.Kind.PRIMARY, null, null);
		AttemptFailure unavailable = new AttemptFailure(primary, Failure.UNAVAILABLE, "no backup in sync",
				new RetryDecision(true, false));
		assertThat(OutputFormat.gaveUp(new Delivery.GaveUp(List.of(unavailable, unavailable), ExitCode.UNAVAILABLE),
				KvRequest.put("k", new byte[0], Condition.NONE), false))
			.isEqualTo("unavailable: gave up on set 'k' after 2 attempts; last: http://localhost:8081 answered 503"
					+ " (no backup in sync); nothing was written");
		AttemptFailure unknown = new AttemptFailure(primary, Failure.OUTCOME_UNKNOWN, "fate not learned",
				new RetryDecision(false, true));
		assertThat(OutputFormat.gaveUp(new Delivery.GaveUp(List.of(unknown), ExitCode.OUTCOME_UNKNOWN),
				KvRequest.put("k", new byte[0], new Condition.IfVersion(3)), false))
			.contains("outcome unknown: http://localhost:8081 answered 504 (fate not learned)")
			.contains("may or may not have happened")
			.contains("a conditional write is never repeated automatically");
		assertThat(OutputFormat.gaveUp(new Delivery.GaveUp(List.of(unknown), ExitCode.OUTCOME_UNKNOWN),
				KvRequest.delete("k", Condition.NONE), false))
			.contains("pass --retry-unknown");
	}

	@Test
	void keysArePercentEncodedExceptSlashesAndUnreservedCharacters() {
		assertThat(KvRequest.keyPath("users/42")).isEqualTo("/kv/users/42");
		assertThat(KvRequest.keyPath("a b%?#ü")).isEqualTo("/kv/a%20b%25%3F%23%C3%BC");
		assertThat(KvRequest.list("users/ x").path()).isEqualTo("/kv?values=true&prefix=users%2F+x");
	}

	@Test
	void getAsJsonNamesTheVersionAndEncodesTheValueAsTheListingDoes() {
		assertThat(JSON.writeValueAsString(OutputFormat.valueJson("k", 7L, "blue".getBytes())))
			.isEqualTo("{\"key\":\"k\",\"version\":7,\"value\":\"blue\"}");
		assertThat(JSON.writeValueAsString(OutputFormat.valueJson("b", 8L, new byte[] { (byte) 0xff, 0, 1 })))
			.isEqualTo("{\"key\":\"b\",\"version\":8,\"valueBase64\":\"/wAB\"}");
	}

}
