package io.pbkv.observability;

import io.pbkv.config.KvProperties;
import io.pbkv.core.NodeStatus;
import io.pbkv.core.Role;
import io.pbkv.runtime.NodeRuntime;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;

import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.LivenessState;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.ApplicationEventPublisher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.atLeastOnce;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

class AvailabilityPublisherTest {

	private final NodeRuntime runtime = mock(NodeRuntime.class);

	private final ApplicationEventPublisher events = mock(ApplicationEventPublisher.class);

	private final ApplicationAvailability availability = mock(ApplicationAvailability.class);

	private final AvailabilityPublisher publisher = new AvailabilityPublisher(runtime, events, availability,
			new Binder(new MapConfigurationPropertySource(Map.of("kv.advertised-url", "http://a",
					"kv.heartbeat.timeout", "3s")))
				.bind("kv", KvProperties.class)
				.get());

	AvailabilityPublisherTest() {
		when(runtime.status()).thenReturn(new NodeStatus("a", "c", Role.PRIMARY, 1, "a", "http://a", 5, 5, 5, 0, 1, 0,
				false, List.of()));
		when(availability.getLivenessState()).thenReturn(LivenessState.CORRECT);
		when(availability.getReadinessState()).thenReturn(ReadinessState.ACCEPTING_TRAFFIC);
	}

	@Test
	void aWriteAndFsyncTakingTheHeartbeatTimeoutBreaksLiveness() {
		when(runtime.storageBusyFor()).thenReturn(Duration.ofMillis(3_100));

		publisher.publish();

		ArgumentCaptor<ApplicationEvent> published = ArgumentCaptor.forClass(ApplicationEvent.class);
		verify(events, atLeastOnce()).publishEvent(published.capture());
		List<Object> states = published.getAllValues()
			.stream()
			.map(e -> (Object) ((AvailabilityChangeEvent<?>) e).getState())
			.toList();
		assertThat(states).contains(LivenessState.BROKEN);
	}

	@Test
	void aDiskThatAnswersWithinTheTimeoutChangesNothing() {
		when(runtime.storageBusyFor()).thenReturn(Duration.ofMillis(200));

		publisher.publish();

		verify(events, never()).publishEvent(any(ApplicationEvent.class));
	}

}
