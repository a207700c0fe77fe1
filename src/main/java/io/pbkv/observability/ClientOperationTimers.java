package io.pbkv.observability;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The client operations' timers, by type and outcome ({@code kv.client.operations}): recorded by the fast path of
 * the common requests and by the Spring MVC interceptor for the rest, so every request is timed once.
 */
public final class ClientOperationTimers {

	private final MeterRegistry registry;

	private final Map<String, Timer> timers = new ConcurrentHashMap<>();

	/** Made by {@link ClientOperationMetrics}, which shares them as a bean. */
	ClientOperationTimers(MeterRegistry registry) {
		this.registry = registry;
	}

	/**
	 * @param type put, get, delete, list, watch or other
	 * @param status the HTTP status answered
	 */
	public void record(String type, int status, long nanos) {
		timers.computeIfAbsent(type + " " + outcome(status), this::timer).record(nanos, TimeUnit.NANOSECONDS);
	}

	/** The timer of one "type outcome" pair; kept, as building one to look it up costs more than recording. */
	private Timer timer(String typeAndOutcome) {
		int space = typeAndOutcome.indexOf(' ');
		return Timer.builder("kv.client.operations")
			.description("Client operations by type and outcome")
			.tag("type", typeAndOutcome.substring(0, space))
			.tag("outcome", typeAndOutcome.substring(space + 1))
			.publishPercentileHistogram()
			// The recent p99 (a window of about two minutes) that the live page charts.
			.publishPercentiles(0.99)
			.register(registry);
	}

	private static String outcome(int status) {
		return switch (status) {
			case 200, 201, 204, 304 -> "ok";
			case 400 -> "bad_request";
			case 404 -> "not_found";
			case 412 -> "precondition_failed";
			case 413 -> "too_large";
			case 503 -> "unavailable";
			case 504 -> "unknown";
			default -> status >= 500 ? "error" : "rejected";
		};
	}

}
