package io.pbkv.observability;

import io.pbkv.config.KvProperties;
import io.pbkv.core.NodeStatus;
import io.pbkv.core.Role;
import io.pbkv.runtime.NodeRuntime;

import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.LivenessState;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Keeps {@code /actuator/health/readiness} and {@code /liveness} true to the node. Ready means a client request
 * sent here can be served now: this node is primary, or it is a backup that knows a primary to forward to. Not
 * ready: no primary is known (an election is under way, or nobody may promote and an operator must act). Live
 * means the node's loop runs and its disk answers; after a storage failure, or while one write and fsync has
 * taken {@code kv.heartbeat.timeout} or more (a hung disk, which also makes a primary step down), it is broken,
 * and a restart is the cure.
 */
@Component
class AvailabilityPublisher {

	private static final Logger log = LoggerFactory.getLogger(AvailabilityPublisher.class);

	private final NodeRuntime runtime;

	private final ApplicationEventPublisher events;

	private final ApplicationAvailability availability;

	private final Duration stalledDisk;

	AvailabilityPublisher(NodeRuntime runtime, ApplicationEventPublisher events, ApplicationAvailability availability,
			KvProperties properties) {
		this.runtime = runtime;
		this.stalledDisk = properties.heartbeat().timeout();
		this.events = events;
		this.availability = availability;
	}

	/**
	 * Reads only the runtime's published status: never blocks the scheduler's single thread. Compares with the
	 * state in force rather than a copy, because Spring Boot itself declares readiness when start-up completes.
	 */
	@Scheduled(fixedDelay = 200)
	void publish() {
		NodeStatus s = runtime.status();
		Duration busy = runtime.storageBusyFor();
		if (s == null || busy == null) {
			return; // a runtime that has not started (a test's stand-in) says nothing yet
		}
		boolean diskHangs = busy.compareTo(stalledDisk) >= 0;
		boolean broken = runtime.failure() != null || diskHangs;
		ReadinessState nextReadiness = !broken && (s.role() == Role.PRIMARY || s.primaryUrl() != null)
				? ReadinessState.ACCEPTING_TRAFFIC : ReadinessState.REFUSING_TRAFFIC;
		LivenessState nextLiveness = broken ? LivenessState.BROKEN : LivenessState.CORRECT;
		if (nextReadiness != availability.getReadinessState()) {
			log.info("node {}: readiness {} (role {}, primary {})", s.nodeId(), nextReadiness, s.role(), s.primaryId());
			AvailabilityChangeEvent.publish(events, this, nextReadiness);
		}
		if (nextLiveness != availability.getLivenessState()) {
			if (diskHangs) {
				log.warn("node {}: liveness BROKEN: one write and fsync has taken {} ms", s.nodeId(), busy.toMillis());
			}
			AvailabilityChangeEvent.publish(events, this, nextLiveness);
		}
	}

}
