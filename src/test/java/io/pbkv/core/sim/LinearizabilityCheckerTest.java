package io.pbkv.core.sim;

import io.pbkv.core.Outcome;
import io.pbkv.core.VersionedValue;
import io.pbkv.core.sim.History.Cond;
import io.pbkv.core.sim.History.Kind;
import io.pbkv.core.sim.History.Op;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The checker itself: it must accept what a register allows and catch what it does not. */
class LinearizabilityCheckerTest {

	private final History history = new History();

	private final LinearizabilityChecker checker = new LinearizabilityChecker(version -> version == 7 ? "x" : null);

	private Op op(Kind kind, String value, Cond cond, String condValue, long invoke, long complete, Outcome outcome) {
		Op op = history.invoke(1, "k", kind, value, cond, condValue, 0, "a", invoke, invoke);
		if (outcome != null) {
			history.complete(op, outcome, complete, complete);
		}
		return op;
	}

	private static Outcome found(String value) {
		return new Outcome.Found("k", new VersionedValue(value.getBytes(StandardCharsets.UTF_8), 1));
	}

	private boolean linearizable() {
		return checker.check(history.ops()).linearizable();
	}

	@Test
	void aReadAfterAnAcknowledgedWriteMustSeeIt() {
		op(Kind.PUT, "x", Cond.NONE, null, 1, 2, new Outcome.Written("k", 7, 1));
		op(Kind.PUT, "y", Cond.NONE, null, 3, 4, new Outcome.Written("k", 8, 1));
		op(Kind.GET, null, Cond.NONE, null, 5, 6, found("x"));
		assertThat(linearizable()).isFalse();
	}

	@Test
	void concurrentOperationsMayTakeEitherOrder() {
		op(Kind.PUT, "x", Cond.NONE, null, 1, 2, new Outcome.Written("k", 7, 1));
		op(Kind.PUT, "y", Cond.NONE, null, 3, 6, new Outcome.Written("k", 8, 1));
		op(Kind.GET, null, Cond.NONE, null, 4, 5, found("x"));
		assertThat(linearizable()).isTrue();
	}

	@Test
	void aWriteWithUnknownOutcomeMayTakeEffectLateOrNever() {
		op(Kind.PUT, "x", Cond.NONE, null, 1, 2, new Outcome.Written("k", 7, 1));
		op(Kind.PUT, "lost?", Cond.NONE, null, 3, 0, new Outcome.Indeterminate("deposed"));
		op(Kind.GET, null, Cond.NONE, null, 5, 6, found("x"));
		op(Kind.GET, null, Cond.NONE, null, 7, 8, found("lost?"));
		assertThat(linearizable()).isTrue();
		op(Kind.GET, null, Cond.NONE, null, 9, 10, found("x"));
		assertThat(linearizable()).isFalse();
	}

	@Test
	void aFailedWriteMustNotBeSeen() {
		op(Kind.PUT, "x", Cond.NONE, null, 1, 2, new Outcome.Unavailable("not primary"));
		op(Kind.GET, null, Cond.NONE, null, 3, 4, found("x"));
		assertThat(linearizable()).isFalse();
	}

	@Test
	void ofTwoConditionalWritesOnOneValueOnlyOneMaySucceed() {
		op(Kind.PUT, "x", Cond.NONE, null, 1, 2, new Outcome.Written("k", 7, 1));
		op(Kind.PUT, "y", Cond.IF_VALUE, "x", 3, 6, new Outcome.Written("k", 8, 1));
		op(Kind.PUT, "z", Cond.IF_VALUE, "x", 4, 5, new Outcome.PreconditionFailed("k", 8));
		assertThat(linearizable()).isTrue();
		op(Kind.PUT, "w", Cond.IF_VALUE, "x", 7, 8, new Outcome.Written("k", 9, 1));
		assertThat(linearizable()).isFalse();
	}

	@Test
	void aFailedConditionObservesTheVersionItReports() {
		op(Kind.PUT, "x", Cond.NONE, null, 1, 2, new Outcome.Written("k", 7, 1));
		op(Kind.PUT, "y", Cond.IF_ABSENT, null, 3, 4, new Outcome.PreconditionFailed("k", 7));
		assertThat(linearizable()).isTrue();
		op(Kind.DELETE, null, Cond.NONE, null, 5, 6, new Outcome.Deleted("k", 8, 1));
		op(Kind.PUT, "z", Cond.IF_ABSENT, null, 7, 8, new Outcome.PreconditionFailed("k", 7));
		assertThat(linearizable()).isFalse();
	}

}
