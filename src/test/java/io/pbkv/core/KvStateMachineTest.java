package io.pbkv.core;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Applying writes: outcomes, and the size the compaction rule reads, kept on every write without a second walk. */
class KvStateMachineTest {

	private final KvStateMachine state = new KvStateMachine();

	private Outcome apply(Command command) {
		return state.apply(new LogEntry(state.appliedIndex() + 1, 1, command));
	}

	private static Command put(String key, String value, Precondition precondition) {
		return new Command.Put(key, value.getBytes(StandardCharsets.UTF_8), precondition);
	}

	/** What {@link KvStateMachine#restore} counts from scratch: the incremental count must always agree with it. */
	private long bytesCountedAfresh() {
		KvStateMachine fresh = new KvStateMachine();
		fresh.restore(state.snapshot());
		return fresh.bytes();
	}

	@Test
	void sizeFollowsNewKeysReplacementsAndDeletes() {
		List<Command> writes = List.of(put("a", "one", Precondition.NONE), put("b", "twotwo", Precondition.NONE),
				put("a", "a longer value", Precondition.NONE), put("b", "2", Precondition.IF_PRESENT),
				put("c", "three", Precondition.IF_ABSENT), new Command.Delete("a", Precondition.NONE),
				put("a", "again", Precondition.NONE), new Command.Delete("c", Precondition.IF_PRESENT));
		for (Command write : writes) {
			apply(write);
			assertThat(state.bytes()).as("after %s", write).isEqualTo(bytesCountedAfresh());
		}
		assertThat(state.size()).isEqualTo(2);
		assertThat(((Outcome.Found) state.read(new Query.Get("a"))).value().version()).isEqualTo(7);
	}

	@Test
	void refusedWritesChangeNeitherTheStateNorItsSize() {
		apply(put("k", "v1", Precondition.NONE));
		long bytes = state.bytes();
		assertThat(apply(put("k", "v2", Precondition.IF_ABSENT))).isInstanceOf(Outcome.PreconditionFailed.class);
		assertThat(apply(put("x", "v2", Precondition.IF_PRESENT))).isInstanceOf(Outcome.PreconditionFailed.class);
		assertThat(apply(put("k", "v2", new Precondition.IfVersion(List.of(9L)))))
			.isInstanceOf(Outcome.PreconditionFailed.class);
		assertThat(apply(new Command.Delete("x", Precondition.NONE))).isInstanceOf(Outcome.NotFound.class);
		assertThat(state.bytes()).isEqualTo(bytes);
		assertThat(state.size()).isEqualTo(1);
		assertThat(apply(put("k", "v3", new Precondition.IfVersion(List.of(1L))))).isInstanceOf(Outcome.Written.class);
		assertThat(new String(((Outcome.Found) state.read(new Query.Get("k"))).value().value(), StandardCharsets.UTF_8))
			.isEqualTo("v3");
	}

}
