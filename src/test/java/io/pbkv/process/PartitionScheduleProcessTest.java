package io.pbkv.process;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import io.pbkv.process.NamespacedCluster.Converged;
import io.pbkv.process.NamespacedCluster.Shape;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static io.pbkv.process.NamespacedCluster.note;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every partition a three-voter cluster can suffer, one after another in one cluster's life, with a node killed
 * with {@code kill -9} (and started again) during each: for two data nodes and a witness, and for three data nodes.
 * Each node is a real process in its own network namespace; links are cut with iptables DROP rules, so packets
 * vanish without a trace (see {@link NetworkNamespaces}).
 *
 * <p>
 * The faults, by the roles the nodes hold when each begins (P the primary, B a backup, X the third voter: the
 * witness, or the other backup): P isolated, B isolated, X isolated; each of the six one-way cuts between them; a
 * bridge (P and B lose each other, both reach X); and the link between P and B flapping. Each lasts three heartbeat
 * timeouts; the node named with it is killed two timeouts in (when a new primary may have been elected) and
 * started again at once, still behind the cut. After
 * each heal the cluster must be one again (one primary that every node follows, every data node back in sync)
 * within six timeouts of the heal and the killed node's start.
 *
 * <p>
 * Clients write distinct keys, write a register and read it (linearizable) through every data node all along. At
 * the end: every acknowledged write is on the final primary and on every backup's own copy; no two nodes
 * acknowledged writes in one epoch nor said they were primary in one epoch; no read of the register was stale.
 */
@Tag("process")
class PartitionScheduleProcessTest {

	private static final Duration TIMEOUT = NamespacedCluster.TIMEOUT;

	private static final Duration HELD = TIMEOUT.multipliedBy(3);

	private static final Duration CONVERGENCE = TIMEOUT.multipliedBy(6);

	/** How often a flapping link changes state. */
	private static final Duration FLAP = Duration.ofMillis(400);

	private static final Path KEPT = Path.of("target", "process-logs", "PartitionScheduleProcessTest");

	@TempDir
	Path work;

	private NamespacedCluster cluster;

	private Workload load;

	private ClusterWatch watch;

	/** What a fault does to the roles P, B and X, and which of them it kills. */
	enum Fault {

		PRIMARY_ISOLATED("P isolated, P killed", Victim.P), BACKUP_ISOLATED("B isolated, B killed", Victim.B),
		THIRD_ISOLATED("X isolated, X killed", Victim.X), P_TO_B("P -> B cut, P killed", Victim.P),
		B_TO_P("B -> P cut, B killed", Victim.B), P_TO_X("P -> X cut, X killed", Victim.X),
		X_TO_P("X -> P cut, P killed", Victim.P), B_TO_X("B -> X cut, B killed", Victim.B),
		X_TO_B("X -> B cut, X killed", Victim.X), BRIDGE("P <-> B cut, both reach X; P killed", Victim.P),
		FLAPPING("the P <-> B link flapping, B killed", Victim.B);

		final String what;

		final Victim victim;

		Fault(String what, Victim victim) {
			this.what = what;
			this.victim = victim;
		}

	}

	enum Victim {

		P, B, X

	}

	@AfterEach
	void stopEverything(TestInfo test) throws Exception {
		NamespacedCluster.tearDown(cluster, load, watch, KEPT.resolve(test.getDisplayName().replaceAll("[^A-Za-z0-9_-]+", "_")));
	}

	@ParameterizedTest(name = "{0}")
	@EnumSource(Shape.class)
	void everyPartitionInTurnWithAKillNineDuringEachLosesNothingAndServesNothingStale(Shape shape)
			throws Exception {
		cluster = NamespacedCluster.start(shape, work);
		watch = new ClusterWatch(cluster.nodes());
		NodeProcess a = cluster.node("a");
		Map<String, String> before = cluster.writeSome(a, "before/", 20);
		List<NodeProcess> dataNodes = List.copyOf(cluster.data.values());
		load = new Workload(a, dataNodes, dataNodes, dataNodes);
		load.awaitAcks(30, Duration.ofSeconds(20));

		Converged now = cluster.awaitConverged(System.nanoTime(), CONVERGENCE, false, watch);
		List<String> served = new ArrayList<>();
		for (Fault fault : Fault.values()) {
			now = inflict(fault, now);
			long ackedAfterHeal = load.ops(op -> op.isPut() && op.status() == 200 && op.phase().equals(fault + " healed"))
				.size();
			served.add(fault + ": " + ackedAfterHeal + " writes acknowledged after the heal, primary now "
					+ now.primary().nodeId());
		}
		load.close();
		Converged end = cluster.awaitConverged(System.nanoTime(), TIMEOUT.multipliedBy(2), true, watch);
		note("faults: %s", String.join("; ", served));
		note("role changes: %d, primaries per epoch: %s", watch.changes().size(), watch.primariesPerEpoch());
		cluster.checkHistory(end, before, load, watch);
		assertThat(watch.primariesPerEpoch().size()).as("scenario: epochs with a primary over the whole schedule")
			.isGreaterThanOrEqualTo(3);
	}

	/**
	 * Makes {@code fault} on the roles of {@code now}, kills its victim two timeouts in and starts it again, heals
	 * after {@link #HELD}, and waits until the cluster is one again and a write has been acknowledged since.
	 */
	private Converged inflict(Fault fault, Converged now) throws Exception {
		NodeProcess p = now.primary();
		NodeProcess b = now.backups().get(0);
		NodeProcess x = cluster.third(p, b);
		NodeProcess victim = switch (fault.victim) {
			case P -> p;
			case B -> b;
			case X -> x;
		};
		NetworkNamespaces net = cluster.net;
		note("--- %s: P=%s B=%s X=%s", fault.what, p.nodeId(), b.nodeId(), x.nodeId());
		load.phase(fault.toString());
		Runnable flap = null;
		switch (fault) {
			case PRIMARY_ISOLATED -> net.isolate(p.nodeId(), cluster.others(p));
			case BACKUP_ISOLATED -> net.isolate(b.nodeId(), cluster.others(b));
			case THIRD_ISOLATED -> net.isolate(x.nodeId(), cluster.others(x));
			case P_TO_B -> net.cutOneWay(p.nodeId(), b.nodeId());
			case B_TO_P -> net.cutOneWay(b.nodeId(), p.nodeId());
			case P_TO_X -> net.cutOneWay(p.nodeId(), x.nodeId());
			case X_TO_P -> net.cutOneWay(x.nodeId(), p.nodeId());
			case B_TO_X -> net.cutOneWay(b.nodeId(), x.nodeId());
			case X_TO_B -> net.cutOneWay(x.nodeId(), b.nodeId());
			case BRIDGE -> net.cut(p.nodeId(), b.nodeId());
			case FLAPPING -> flap = () -> {
				try {
					net.cut(p.nodeId(), b.nodeId());
				}
				catch (IOException ex) {
					throw new IllegalStateException(ex);
				}
			};
		}
		long cut = System.nanoTime();
		long killAt = cut + TIMEOUT.multipliedBy(2).toNanos();
		long healAt = cut + HELD.toNanos();
		boolean killed = false;
		boolean linkCut = false;
		long nextFlap = cut;
		int flaps = 0;
		while (System.nanoTime() < healAt) {
			if (flap != null && System.nanoTime() >= nextFlap) {
				if (linkCut) {
					net.heal();
				}
				else {
					flap.run();
				}
				linkCut = !linkCut;
				flaps++;
				nextFlap += FLAP.toNanos();
			}
			if (!killed && System.nanoTime() >= killAt) {
				note("kill -9 %s (%s), and start it again", victim.nodeId(), fault.victim);
				victim.kill9();
				victim.start();
				killed = true;
			}
			Thread.sleep(20);
		}
		note("end of the cut%s: %s", flap != null ? " (" + flaps + " flaps)" : "", cluster.briefs());
		net.heal();
		load.phase(fault + " healed");
		long healed = System.nanoTime();
		victim.awaitLive(Duration.ofSeconds(60));
		// Counted from when both the heal and the victim's restart are done: a JVM's start is not the protocol's.
		Converged after = cluster.awaitConverged(System.nanoTime(), CONVERGENCE, false, watch);
		note("%s: the victim answered %d ms after the heal", fault, NamespacedCluster.sinceMs(healed));
		long ackedBefore = acked();
		Pair.await("a write acknowledged after " + fault + " healed", TIMEOUT.multipliedBy(3),
				() -> acked() > ackedBefore);
		note("%s: during it %s", fault, outcomes(cut, healed));
		return after;
	}

	private long acked() {
		return load.ops(op -> op.isPut() && op.status() == 200).size();
	}

	/** The outcomes of the writes sent in [from, to), by status and by who acknowledged them in which epoch. */
	private String outcomes(long from, long to) {
		return load.ops(op -> op.isPut() && op.start() >= from && op.start() < to)
			.stream()
			.collect(Collectors.groupingBy(
					op -> op.status() + (op.status() == 200 ? " by " + op.servedBy() + "@" + op.epoch() : ""),
					TreeMap::new, Collectors.counting()))
			.toString()
				+ " in " + TimeUnit.NANOSECONDS.toMillis(to - from) + " ms";
	}

}
