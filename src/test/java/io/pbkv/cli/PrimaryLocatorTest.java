package io.pbkv.cli;

import java.net.URI;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PrimaryLocatorTest {

	private static final URI A = URI.create("http://127.0.0.1:8081");

	private static final URI B = URI.create("http://127.0.0.1:8082");

	private static final URI C = URI.create("http://10.0.0.3:8080");

	private static Probe says(URI node, String role, long epoch, URI primary) {
		return Probe.answered(node, new ClusterView(node.toString(), role, epoch, null,
				primary == null ? null : primary.toString(), 1, 1, List.of()));
	}

	private static Target choose(Probe... probes) {
		return PrimaryLocator.choose(List.of(probes), Set.of()).orElse(null);
	}

	@Test
	void theNodeThatSaysItIsPrimaryIsChosen() {
		Target t = choose(says(A, "BACKUP", 2, B), says(B, "PRIMARY", 2, B));
		assertThat(t.url()).isEqualTo(B);
		assertThat(t.kind()).isEqualTo(Target.Kind.PRIMARY);
	}

	@Test
	void ofTwoClaimantsTheNewerEpochWins() {
		assertThat(choose(says(A, "PRIMARY", 1, A), says(B, "PRIMARY", 2, B)).url()).isEqualTo(B);
	}

	@Test
	void aPrimaryNamedOutsideTheListIsUsedUnlessItFailedBefore() {
		Target t = choose(says(A, "BACKUP", 4, C));
		assertThat(t.url()).isEqualTo(C);
		assertThat(t.kind()).isEqualTo(Target.Kind.NAMED_PRIMARY);
		Target avoided = PrimaryLocator.choose(List.of(says(A, "BACKUP", 4, C)), Set.of(C)).orElseThrow();
		assertThat(avoided.url()).isEqualTo(A);
		assertThat(avoided.kind()).isEqualTo(Target.Kind.FALLBACK);
	}

	@Test
	void whenTheNamedPrimaryIsSilentAnAnsweringNodeForwardsAndTheSilenceIsRemembered() {
		Target t = choose(Probe.silent(A, "connection refused"), says(B, "BACKUP", 1, A));
		assertThat(t.url()).isEqualTo(B);
		assertThat(t.kind()).isEqualTo(Target.Kind.FALLBACK);
		assertThat(t.silentPrimary()).isEqualTo(A);
	}

	@Test
	void aNodeThatKnowsNoPrimaryIsStillAFallbackAndFailedNodesAreNot() {
		assertThat(choose(says(A, "FAILED", 9, null), says(B, "BACKUP", 1, null)).url()).isEqualTo(B);
		assertThat(choose(Probe.silent(A, "timed out"), Probe.silent(B, "connection refused"))).isNull();
	}

	@Test
	void urlsCompareWithoutCaseOrTrailingSlash() {
		assertThat(PrimaryLocator.same(URI.create("http://LOCALHOST:1/"), URI.create("http://localhost:1"))).isTrue();
		assertThat(PrimaryLocator.same(URI.create("http://localhost:1"), URI.create("http://localhost:2"))).isFalse();
	}

}
