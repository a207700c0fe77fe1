package io.pbkv.core;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NodeConfigTest {

	private static NodeConfig timed(long interval, long timeout) {
		return new NodeConfig("a", "http://a", List.of("http://b"), "c", 100, interval, timeout, true, false, true, 64);
	}

	@Test
	void theDefaultsLeaveAPauseThresholdOfSeveralIntervals() {
		NodeConfig defaults = timed(500, 3000);

		assertThat(defaults.driftMargin()).isEqualTo(250);
		assertThat(defaults.pauseThreshold()).isEqualTo(2250);
		assertThat(defaults.primaryPauseThreshold()).isEqualTo(500);
	}

	@Test
	void everyAcceptedTimingLeavesAPauseThresholdOfAtLeastOneInterval() {
		for (long interval = 1; interval <= 2000; interval += 7) {
			for (long timeout = interval + 1; timeout <= 12 * interval; timeout += 1 + interval / 50) {
				NodeConfig config;
				try {
					config = timed(interval, timeout);
				}
				catch (IllegalArgumentException refused) {
					continue;
				}
				assertThat(config.pauseThreshold()).as("%d/%d", interval, timeout).isGreaterThanOrEqualTo(interval);
				assertThat(config.primaryPauseThreshold()).isEqualTo(interval);
			}
		}
	}

	@Test
	void aTimeoutWithoutRoomForAMissedHeartbeatIsRefused() {
		assertThatThrownBy(() -> timed(500, 1000)).isInstanceOf(IllegalArgumentException.class)
			.hasMessageContaining("2 x heartbeatInterval + driftMargin");
		assertThatThrownBy(() -> timed(500, 510)).isInstanceOf(IllegalArgumentException.class);
		assertThat(timed(500, 1111).pauseThreshold()).isEqualTo(500);
	}

}
