package io.pbkv.observability;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.pbkv.config.KvProperties;
import io.pbkv.core.Event;
import io.pbkv.core.Message;
import io.pbkv.core.NodeStatus;
import io.pbkv.core.Role;
import io.pbkv.core.RoleChange;
import io.pbkv.runtime.NodeRuntime;
import io.pbkv.runtime.RuntimeListener;

import java.net.URI;
import java.util.List;
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

	private final List<String> peers;

	private volatile Timer replication;

	private volatile Timer loopStall;

	NodeMetrics(ObjectProvider<NodeRuntime> runtime, KvProperties properties) {
		this.runtime = runtime;
		this.peers = properties.peers().stream().map(URI::toString).toList();
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
		Gauge.builder("kv.log.last.index", () -> runtime.getObject().status().lastIndex())
			.description("Index of the last entry in this node's log")
			.register(registry);
		Gauge.builder("kv.log.commit.index", () -> runtime.getObject().status().commitIndex())
			.description("Index of the last entry this node knows committed")
			.register(registry);
		Gauge.builder("kv.store.keys", () -> runtime.getObject().status().keys())
			.description("Keys in this node's applied state")
			.register(registry);
		Gauge.builder("kv.log.size", () -> runtime.getObject().logSizeBytes())
			.baseUnit("bytes")
			.description("Bytes the log and snapshot take on disk")
			.register(registry);
		FunctionCounter.builder("kv.storage.written", runtime, r -> r.getObject().bytesWritten().log())
			.baseUnit("bytes")
			.description("Bytes this node wrote to its log and snapshot files since it started (not fetched ones)")
			.tag("file", "log")
			.register(registry);
		FunctionCounter.builder("kv.storage.written", runtime, r -> r.getObject().bytesWritten().snapshots())
			.baseUnit("bytes")
			.description("Bytes this node wrote to its log and snapshot files since it started (not fetched ones)")
			.tag("file", "snapshot")
			.register(registry);
		fsync = Timer.builder("kv.storage.fsync")
			.description("Time to force a batch of log records to disk")
			.publishPercentileHistogram()
			.register(registry);
		batchEntries = DistributionSummary.builder("kv.storage.batch.entries")
			.description("Log entries made durable by one fsync (group commit)")
			.publishPercentileHistogram()
			.register(registry);
		snapshot = Timer.builder("kv.storage.snapshot")
			.description("Time to write a snapshot's file (off the loop thread)")
			.register(registry);
		loopStall = Timer.builder("kv.loop.stall")
			.description("Time the node's loop spent on one turn without taking input; the max is its longest stall")
			.register(registry);
		replication = Timer.builder("kv.replication.latency")
			.description("Round trip of a replication message: sent by the primary until the backup's durable ack")
			.publishPercentileHistogram()
			.register(registry);
		for (String peer : peers) {
			Gauge.builder("kv.replication.lag", () -> lag(peer))
				.description("Entries the primary holds that this backup has not acknowledged (-1: not primary)")
				.baseUnit("entries")
				.tag("peer", peer)
				.register(registry);
			Gauge.builder("kv.replication.in.sync", () -> peer(peer).map(p -> p.inSync() ? 1 : 0).orElse(0))
				.description("1 while this backup is in the primary's in-sync set")
				.tag("peer", peer)
				.register(registry);
			Gauge.builder("kv.replication.stalled", () -> peer(peer).map(p -> p.stalled() ? 1 : 0).orElse(0))
				.description("1 while this backup answers but has acknowledged no progress for a heartbeat timeout")
				.tag("peer", peer)
				.register(registry);
		}
		Gauge.builder("kv.node.eligible", () -> runtime.getObject().status().eligible() ? 1 : 0)
			.description("1 while this backup holds an admission and may promote itself")
			.register(registry);
		for (Event.Kind kind : Event.Kind.values()) {
			counter(kind);
		}
		Counter.builder("kv.heartbeats.sent").description("Heartbeats (empty appends) sent").register(registry);
		Counter.builder("kv.replication.messages.sent").description("Peer messages sent").register(registry);
	}

	private long lag(String peer) {
		NodeStatus s = runtime.getObject().status();
		return peer(peer).filter(p -> p.matchIndex() >= 0).map(p -> s.lastIndex() - p.matchIndex()).orElse(-1L);
	}

	private java.util.Optional<NodeStatus.PeerStatus> peer(String url) {
		return runtime.getObject().status().peers().stream().filter(p -> url.equals(p.url())).findFirst();
	}

	private Counter counter(Event.Kind kind) {
		Counter.Builder builder = switch (kind) {
			case PAUSE_DETECTED -> Counter.builder("kv.pauses").description("Gaps in this node's own clock (pauses)");
			case BACKUP_ADMITTED -> Counter.builder("kv.backups.admitted")
				.description("Backups admitted to the in-sync set");
			case BACKUP_DROPPED -> Counter.builder("kv.backups.dropped")
				.description("Backups dropped from the in-sync set");
			case HEARTBEAT_MISSED -> Counter.builder("kv.heartbeats.missed")
				.description("Heartbeat intervals without word from the primary");
			case ENTRIES_DISCARDED -> Counter.builder("kv.log.discarded")
				.description("Writes removed because the primary lacked them (kept in discarded.jsonl)");
			case HISTORY_DIVERGED -> Counter.builder("kv.history.diverged")
				.description("Times this node found its committed history differs from a newer primary's");
			case FORCED_PROMOTION -> Counter.builder("kv.forced.promotions").description("Operator-forced promotions");
			case MESSAGE_REJECTED -> Counter.builder("kv.messages.rejected").description("Peer messages refused");
			case CONFIG_COMMITTED -> Counter.builder("kv.config.changes")
				.description("In-sync configuration changes accepted by a majority of voters");
			case MEMBERSHIP_CHANGE -> Counter.builder("kv.membership.changes")
				.description("Voters added or removed by an operator (proposed)");
		};
		return builder.register(registry);
	}

	@Override
	public void event(Event event) {
		if (registry != null) {
			counter(event.kind()).increment(event.count());
		}
	}

	@Override
	public void sent(List<Message> messages) {
		if (registry == null || messages.isEmpty()) {
			return;
		}
		long heartbeats = messages.stream().filter(m -> m instanceof Message.Append a && a.entries().isEmpty()).count();
		registry.counter("kv.replication.messages.sent").increment(messages.size());
		if (heartbeats > 0) {
			registry.counter("kv.heartbeats.sent").increment(heartbeats);
		}
	}

	@Override
	public void replicated(long roundTripMillis) {
		if (replication != null) {
			replication.record(roundTripMillis, TimeUnit.MILLISECONDS);
		}
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
	public void loopTurn(long nanos) {
		if (loopStall != null) {
			loopStall.record(nanos, TimeUnit.NANOSECONDS);
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
