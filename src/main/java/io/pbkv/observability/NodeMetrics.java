package io.pbkv.observability;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.pbkv.core.Role;
import io.pbkv.core.RoleChange;
import io.pbkv.runtime.NodeRuntime;
import io.pbkv.runtime.RuntimeListener;

import java.util.concurrent.TimeUnit;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * The node's meters: gauges read the runtime's published status; counters and timers are fed by the loop through
 * {@link RuntimeListener}. Tags are bounded (roles), never keys or values.
 */
@Component
public class NodeMetrics implements MeterBinder, RuntimeListener {

	private final ObjectProvider<NodeRuntime> runtime;

	private volatile Timer fsync;

	private volatile DistributionSummary batchEntries;

	private volatile Timer snapshot;

	private volatile MeterRegistry registry;

	NodeMetrics(ObjectProvider<NodeRuntime> runtime) {
		this.runtime = runtime;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		this.registry = registry;
		for (Role role : Role.values()) {
			Gauge.builder("kv.node.role", () -> currentRole() == role ? 1 : 0)
				.description("1 for the role this node has now, 0 for the others")
				.tag("role", role.name().toLowerCase())
				.register(registry);
		}
		Gauge.builder("kv.node.epoch", () -> runtime.getObject().status().epoch())
			.description("The highest epoch this node has seen")
			.register(registry);
		Gauge.builder("kv.log.last.index", () -> runtime.getObject().status().lastIndex()).register(registry);
		Gauge.builder("kv.log.commit.index", () -> runtime.getObject().status().commitIndex()).register(registry);
		Gauge.builder("kv.store.keys", () -> runtime.getObject().status().keys()).register(registry);
		Gauge.builder("kv.log.size", () -> runtime.getObject().logSizeBytes())
			.baseUnit("bytes")
			.description("Bytes the log and snapshot take on disk")
			.register(registry);
		fsync = Timer.builder("kv.storage.fsync")
			.description("Time to force a batch of log records to disk")
			.publishPercentileHistogram()
			.register(registry);
		batchEntries = DistributionSummary.builder("kv.storage.batch.entries")
			.description("Log entries made durable by one fsync (group commit)")
			.publishPercentileHistogram()
			.register(registry);
		snapshot = Timer.builder("kv.storage.snapshot").description("Time to write a snapshot").register(registry);
	}

	private Role currentRole() {
		NodeRuntime r = runtime.getIfAvailable();
		return r == null ? null : r.status().role();
	}

	@Override
	public void synced(int entries, long nanos) {
		if (fsync != null) {
			fsync.record(nanos, TimeUnit.NANOSECONDS);
			batchEntries.record(entries);
		}
	}

	@Override
	public void snapshotSaved(int keys, long nanos) {
		if (snapshot != null) {
			snapshot.record(nanos, TimeUnit.NANOSECONDS);
		}
	}

	@Override
	public void roleChanged(RoleChange change) {
		if (registry != null && change.to() == Role.PRIMARY) {
			Counter.builder("kv.failovers")
				.description("Times this node became primary")
				.register(registry)
				.increment();
		}
	}

}
