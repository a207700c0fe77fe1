package io.pbkv.core;

import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SnapshotTest {

	private static Snapshot withEpochs(long lastIndex, Map<Long, Long> epochs) {
		return new Snapshot(lastIndex, epochs.isEmpty() ? 0 : new TreeMap<>(epochs).lastEntry().getValue(),
				new TreeMap<>(), new TreeMap<>(epochs));
	}

	@Test
	void historiesThatAgreeUpToTheLimitHaveNoDifference() {
		Snapshot primary = withEpochs(60, Map.of(1L, 1L, 30L, 2L, 50L, 3L));
		assertThat(primary.firstDifference(new TreeMap<>(Map.of(1L, 1L, 30L, 2L)), 45)).isZero();
	}

	@Test
	void aFormerPrimaryThatWentOnAloneDiffersWhereTheNewEpochBegan() {
		// The backup promoted in epoch 2 at index 30; the old primary committed 30.. alone in epoch 1.
		Snapshot primary = withEpochs(40, Map.of(1L, 1L, 30L, 2L));
		assertThat(primary.firstDifference(new TreeMap<>(Map.of(1L, 1L)), 38)).isEqualTo(30);
	}

	@Test
	void aRunThatStartsElsewhereDiffersAtTheEarlierStart() {
		Snapshot primary = withEpochs(40, Map.of(1L, 1L, 30L, 3L));
		assertThat(primary.firstDifference(new TreeMap<>(Map.of(1L, 1L, 25L, 2L)), 40)).isEqualTo(25);
	}

	@Test
	void anUnknownHistoryIsNeverCalledDifferent() {
		Snapshot old = new Snapshot(40, 2, new TreeMap<>());
		assertThat(old.firstDifference(new TreeMap<>(Map.of(1L, 1L)), 40)).isZero();
		assertThat(withEpochs(40, Map.of(1L, 1L)).firstDifference(new TreeMap<>(), 40)).isZero();
	}

}
