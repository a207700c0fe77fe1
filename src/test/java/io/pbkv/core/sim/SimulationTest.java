package io.pbkv.core.sim;

import io.pbkv.core.Compaction;
import io.pbkv.core.Outcome;
import io.pbkv.core.Role;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random schedules within the contract's fault model: one node at a time crashes (sometimes just before an fsync,
 * with part of its writes on disk unsynced, or just after it, before sending what waited for it), restarts,
 * pauses (around and past the heartbeat timeout; what peers send it meanwhile is queued or, in some pauses, partly
 * or wholly lost), or gets a slow disk (fsyncs of up to twice the heartbeat timeout); messages are delayed, reordered, duplicated
 * and, in some runs, lost at 1%; clients keep writing and reading. Each run ends by
 * healing everything and checking {@link Invariants} and linearizability.
 *
 * <p>CI runs {@value #CI_SEEDS} seeds per configuration. The nightly knob {@code -Dpbkv.sim.seeds=20000} runs
 * that many per configuration instead. A failure names its seed; {@code -Dpbkv.sim.seed=12345} reruns just that
 * seed (in {@link #rerunOneSeed}, with {@code -Dpbkv.sim.trace=true} to print every step):
 * {@code ./mvnw test -Dtest=SimulationTest#rerunOneSeed -Dpbkv.sim.seed=12345 -Dpbkv.sim.trace=true}.
 */
class SimulationTest {

	static final int CI_SEEDS = 3_000;

	/** The quorum configurations under partitions run more: their rarest bugs show in one seed in a thousand. */
	static final int PARTITION_CI_SEEDS = 10_000;

	/** Configurations; a seed's millions digit names its configuration, so a seed alone reruns a failure. */
	enum Setup {

		TWO_NODES(List.of("a", "b"), false, false, false),
		TWO_NODES_REQUIRING_A_BACKUP(List.of("a", "b"), true, false, false),
		THREE_NODES(List.of("a", "b", "c"), false, false, false),
		TWO_NODES_ALL_CRASHING_AT_ONCE(List.of("a", "b"), false, true, false),
		TWO_NODES_WITH_LINK_CUTS(List.of("a", "b"), false, false, true),
		TWO_NODES_REQUIRING_A_BACKUP_WITH_LINK_CUTS(List.of("a", "b"), true, false, true),
		THREE_NODES_WITH_PARTITIONS(List.of("a", "b", "c"), false, false, true),
		TWO_NODES_AND_A_WITNESS(List.of("a", "b", "w"), false, false, false),
		TWO_NODES_AND_A_WITNESS_WITH_PARTITIONS(List.of("a", "b", "w"), false, false, true),
		FIVE_VOTERS_WITH_PARTITIONS(List.of("a", "b", "c", "v", "w"), false, false, true),
		/** A pair that an operator grows into three voters (a witness or a data node) while faults go on. */
		TWO_NODES_GROWING_INTO_THREE_VOTERS(List.of("a", "b"), false, false, false, true);

		final List<String> ids;

		final boolean requireBackup;

		final boolean crashAll;

		/** Links between the nodes also go silent for a while, one way or both, then heal. */
		final boolean linkCuts;

		/** Starts as a pair; the schedule adds a third voter. */
		final boolean grows;

		Setup(List<String> ids, boolean requireBackup, boolean crashAll, boolean linkCuts) {
			this(ids, requireBackup, crashAll, linkCuts, false);
		}

		Setup(List<String> ids, boolean requireBackup, boolean crashAll, boolean linkCuts, boolean grows) {
			this.ids = ids;
			this.requireBackup = requireBackup;
			this.crashAll = crashAll;
			this.linkCuts = linkCuts;
			this.grows = grows;
		}

		long seed(int i) {
			return (ordinal() + 1) * 1_000_000L + i;
		}

		static Setup of(long seed) {
			return values()[(int) (seed / 1_000_000L) - 1];
		}

		/** Witnesses are the voters named w and v: they hold no data. */
		List<String> witnesses() {
			return ids.stream().filter(id -> id.equals("w") || id.equals("v")).toList();
		}

		/** Three or more voters: partitions of any shape must break no guarantee. */
		boolean quorum() {
			return ids.size() >= 3;
		}

	}

	static final List<String> KEYS = List.of("k0", "k1", "k2", "k3", "k4");

	static final long DURATION = 15_000;

	/**
	 * How much of what peers send a paused node is lost rather than queued for it: a stopped process's peers
	 * time out, and whether the request they gave up on is still read when it wakes depends on the stack.
	 */
	private static final double[] PAUSE_LOSS = {0, 0, 0.5, 1};

	/** Small values make nodes compact their logs and backups catch up by snapshot. */
	private static final long[] SNAPSHOT_EVERY = {10, 40, 200, 1_000_000};

	@Test
	void twoNodesLoseNoAcknowledgedWriteAndStayLinearizable() {
		runSeeds(Setup.TWO_NODES, seeds(CI_SEEDS));
	}

	@Test
	void twoNodesRequiringABackupLoseNoAcknowledgedWriteAndStayLinearizable() {
		runSeeds(Setup.TWO_NODES_REQUIRING_A_BACKUP, seeds(CI_SEEDS / 3));
	}

	@Test
	void threeNodesLoseNoAcknowledgedWriteAndStayLinearizable() {
		runSeeds(Setup.THREE_NODES, seeds(CI_SEEDS));
	}

	@Test
	void everyNodeCrashingAtOnceLosesNoAcknowledgedWrite() {
		runSeeds(Setup.TWO_NODES_ALL_CRASHING_AT_ONCE, seeds(CI_SEEDS));
	}

	/**
	 * Each side of a cut may acknowledge writes alone (availability first, as documented): after the heal the
	 * nodes must reconverge, and every acknowledged write survives or is reported discarded.
	 */
	@Test
	void twoNodesReconvergeAfterLinkCutsAndReportWhatTheyDiscard() {
		runSeeds(Setup.TWO_NODES_WITH_LINK_CUTS, seeds(CI_SEEDS / 3));
	}

	/** With a backup required, no side acknowledges alone, so link cuts break no guarantee at all. */
	@Test
	void twoNodesRequiringABackupStaySafeUnderLinkCuts() {
		runSeeds(Setup.TWO_NODES_REQUIRING_A_BACKUP_WITH_LINK_CUTS, seeds(CI_SEEDS / 3));
	}

	/**
	 * Three data nodes under partitions of every shape (one node isolated, one-way cuts, a bridge where two nodes
	 * lose each other but both reach the third, flapping links) as well as crashes and pauses: no split brain is
	 * allowed, nothing acknowledged is lost, and every key stays linearizable.
	 */
	@Test
	void threeNodesStaySafeUnderPartitions() {
		runSeeds(Setup.THREE_NODES_WITH_PARTITIONS, seeds(PARTITION_CI_SEEDS));
	}

	@Test
	void twoNodesAndAWitnessLoseNoAcknowledgedWriteAndStayLinearizable() {
		runSeeds(Setup.TWO_NODES_AND_A_WITNESS, seeds(CI_SEEDS));
	}

	@Test
	void twoNodesAndAWitnessStaySafeUnderPartitions() {
		runSeeds(Setup.TWO_NODES_AND_A_WITNESS_WITH_PARTITIONS, seeds(PARTITION_CI_SEEDS));
	}

	@Test
	void threeNodesAndTwoWitnessesStaySafeUnderPartitions() {
		runSeeds(Setup.FIVE_VOTERS_WITH_PARTITIONS, seeds(CI_SEEDS));
	}

	/**
	 * A pair grows into three voters at runtime: the operator adds a witness or a data node through the primary
	 * (or, now and then, through the backup, which refuses) while nodes crash and pause, and asks again until it is
	 * done. Before, the pair's rules hold; after, a majority's, and further voters come and go.
	 */
	@Test
	void aPairGrowsIntoThreeVotersWhileNodesFail() {
		runSeeds(Setup.TWO_NODES_GROWING_INTO_THREE_VOTERS, seeds(CI_SEEDS));
	}

	@Test
	@EnabledIfSystemProperty(named = "pbkv.sim.seed", matches = "\\d+")
	void rerunOneSeed() {
		long seed = Long.getLong("pbkv.sim.seed");
		run(seed, Setup.of(seed));
	}

	private static int seeds(int ci) {
		return Integer.getInteger("pbkv.sim.seeds", ci);
	}

	private static void runSeeds(Setup setup, int count) {
		List<String> failures = new ArrayList<>();
		Cluster.FetchCounts fetches = new Cluster.FetchCounts();
		int[] handOvers = { 0 };
		int[] membershipChanges = { 0 };
		IntStream.range(0, count).mapToLong(setup::seed).forEach(seed -> {
			try {
				Cluster cluster = run(seed, setup);
				fetches.add(cluster.fetchCounts);
				handOvers[0] += cluster.handOversDone;
				membershipChanges[0] += cluster.membershipChangesDone;
			}
			catch (AssertionError | RuntimeException ex) {
				if (failures.size() < 5) {
					failures.add(ex.getMessage());
				}
				else if (failures.size() == 5) {
					failures.add("... more seeds failed");
				}
			}
		});
		assertThat(failures).as("failing seeds of " + setup).isEmpty();
		if (count >= 100) {
			assertThat(handOvers[0]).as("hand-overs completed in " + setup).isGreaterThan(count / 20);
		}
		if (count >= 100 && (setup.quorum() || setup.grows)) {
			assertThat(membershipChanges[0]).as("voters added or removed in " + setup).isGreaterThan(count / 20);
		}
		// The schedules must reach the paths of the snapshot transfer, or they test less than they seem to. (With a
		// backup required the primary commits nothing without it, so no backup falls behind its compaction; a
		// file replaced under a fetch is rare here and has a scenario of its own.)
		if (count >= 100 && !setup.requireBackup) {
			assertThat(fetches).as("snapshot fetches of " + setup).satisfies(f -> {
				assertThat(f.completed).as("completed: " + f).isPositive();
				assertThat(f.resumed).as("resumed from a part file: " + f).isPositive();
				assertThat(f.corrupt).as("failed the check: " + f).isPositive();
				assertThat(f.ignoredChunks).as("duplicate or late chunks: " + f).isPositive();
			});
		}
	}

	/** One random run; throws naming the seed, the rule broken, how to rerun it and the run's last steps. */
	static Cluster run(long seed, Setup setup) {
		Random settings = new Random(~seed);
		long snapshotEvery = SNAPSHOT_EVERY[settings.nextInt(SNAPSHOT_EVERY.length)];
		// Half the runs also snapshot by size (the production rule) and keep a tail of the log after compacting.
		Compaction compaction = settings.nextBoolean() ? Compaction.NONE
				: new Compaction(100, 300, settings.nextInt(40), 200 + settings.nextInt(4_000));
		Cluster cluster = new Cluster(seed, setup.ids, setup.witnesses(), snapshotEvery, setup.requireBackup,
				compaction);
		if (setup.linkCuts && !setup.requireBackup && !setup.quorum()) {
			cluster.invariants.allowSplitBrain();
		}
		try {
			schedule(cluster, setup);
			return cluster;
		}
		catch (AssertionError | RuntimeException ex) {
			throw new AssertionError("seed " + seed + " (" + setup + ") broke " + ex.getMessage()
					+ "\n  rerun: ./mvnw test -Dtest=SimulationTest#rerunOneSeed -Dpbkv.sim.seed=" + seed
					+ " -Dpbkv.sim.trace=true\n  last steps:\n" + cluster.trace(), ex);
		}
	}

	private static void schedule(Cluster cluster, Setup setup) {
		Random r = new Random(cluster.random.nextLong());
		cluster.network.maxDelay = 5 + r.nextInt(46);
		cluster.network.duplicateRate = r.nextInt(3) == 0 ? 0.02 : 0;
		cluster.network.dropRate = r.nextBoolean() ? 0.01 : 0;
		cluster.startAll();
		List<SimClient> clients = new ArrayList<>();
		for (int i = 1; i <= 3; i++) {
			SimClient client = new SimClient(i, cluster, new Random(r.nextLong()), KEYS);
			client.start(300 + r.nextInt(700));
			clients.add(client);
		}
		long t = 1_000 + r.nextInt(2_000);
		while (t < DURATION) {
			if (r.nextInt(6) == 0) {
				t = handOver(cluster, r, t);
			}
			else if (setup.grows && cluster.membershipChangesDone == 0 && r.nextInt(3) == 0) {
				t = growPair(cluster, r, t);
			}
			else if ((setup.quorum() || cluster.membershipChangesDone > 0) && r.nextInt(6) == 0) {
				t = membershipChange(cluster, r, t);
			}
			else if (setup.crashAll && r.nextInt(3) == 0) {
				t = crashAll(cluster, r, t);
			}
			else if (setup.linkCuts && r.nextInt(3) == 0) {
				t = linkCut(cluster, r, t);
			}
			else {
				t = fault(cluster, r, t, setup.quorum() || cluster.membershipChangesDone > 0);
			}
			// One node at a time, but sometimes the next fault follows the last one at once.
			t += r.nextInt(10) < 3 ? r.nextInt(150) : 300 + r.nextInt(3_000);
		}
		cluster.runUntil(DURATION);
		clients.forEach(SimClient::stop);
		cluster.settleAndCheck(KEYS, 30_000);
	}

	/** One fault of one node from {@code t}; returns when it is over. */
	private static long fault(Cluster cluster, Random r, long t, boolean wipes) {
		String id = cluster.ids().get(r.nextInt(cluster.ids().size()));
		long length = switch (r.nextInt(3)) {
			case 0 -> 300 + r.nextInt(1_900);
			case 1 -> 2_000 + r.nextInt(1_600);
			default -> 3_600 + r.nextInt(3_400);
		};
		if (wipes && !cluster.wiped && r.nextInt(6) == 0) {
			// One voter per run loses its data dir and comes back empty: it must vote for nobody, and count for no
			// majority, until the primary re-admitted it. A witness, or a data node that is not primary when there
			// are three or more: a primary's disk lost for good is the operator's forced recovery, not this.
			cluster.wiped = true;
			Random pick = new Random(r.nextLong());
			String[] victim = new String[1];
			cluster.fault(t, () -> {
				String primary = cluster.primary();
				List<String> data = cluster.dataNodes().stream().map(n -> n.id).toList();
				List<String> candidates = cluster.ids()
					.stream()
					.filter(n -> !n.equals(primary) && !cluster.removed.contains(n)
							&& (!data.contains(n) || data.size() >= 3))
					.toList();
				if (!candidates.isEmpty()) {
					victim[0] = candidates.get(pick.nextInt(candidates.size()));
					cluster.crashAndWipe(victim[0]);
				}
			});
			cluster.fault(t + length, () -> {
				if (victim[0] != null) {
					cluster.restart(victim[0]);
				}
			});
			return t + length;
		}
		if (r.nextBoolean()) {
			boolean midReady = r.nextBoolean();
			boolean beforeFsync = r.nextBoolean();
			cluster.fault(t, () -> {
				if (midReady && beforeFsync) {
					cluster.node(id).crashBeforeNextFsync = cluster.node(id).up();
				}
				else if (midReady) {
					cluster.node(id).crashAfterNextPersist = cluster.node(id).up();
				}
				else {
					cluster.crash(id);
				}
			});
			cluster.fault(t + 300, () -> cluster.crash(id));
			cluster.fault(t + length, () -> cluster.restart(id));
			return t + length;
		}
		if (r.nextInt(4) == 0) {
			cluster.fault(t, () -> cluster.slowDisk(id, length));
			return t + length;
		}
		double loss = PAUSE_LOSS[r.nextInt(PAUSE_LOSS.length)];
		cluster.fault(t, () -> cluster.pauseFor(id, length, loss));
		return t + length;
	}

	/**
	 * The link between the two nodes silently carries nothing for a while (no error, as when a cable is pulled),
	 * one way or both, then heals; sometimes it flaps a few times in a row.
	 */
	private static long linkCut(Cluster cluster, Random r, long t) {
		List<String> ids = cluster.ids();
		int flaps = r.nextInt(4) == 0 ? 2 + r.nextInt(3) : 1;
		for (int i = 0; i < flaps; i++) {
			String from = ids.get(r.nextInt(ids.size()));
			List<String> others = ids.stream().filter(id -> !id.equals(from)).toList();
			String to = others.get(r.nextInt(others.size()));
			boolean bothWays = r.nextBoolean();
			// With three or more voters: sometimes a whole node is cut off, or two cuts at once split the voters.
			int shape = ids.size() >= 3 ? r.nextInt(4) : 0;
			String second = others.get(r.nextInt(others.size()));
			boolean secondBothWays = r.nextBoolean();
			long length = flaps > 1 ? 200 + r.nextInt(2_000) : 1_000 + r.nextInt(7_000);
			cluster.fault(t, () -> {
				switch (shape) {
					case 1 -> cluster.isolate(from);
					case 2 -> {
						cluster.cutLink(from, to, bothWays);
						cluster.cutLink(from, second, secondBothWays);
					}
					default -> cluster.cutLink(from, to, bothWays);
				}
			});
			cluster.fault(t + length, cluster::heal);
			t += length + (flaps > 1 ? r.nextInt(1_000) : 0);
		}
		return t;
	}

	/**
	 * An operator asks a node (the primary, most of the time) to hand over to another; faults may follow at once,
	 * while it is under way.
	 */
	private static long handOver(Cluster cluster, Random r, long t) {
		List<String> ids = cluster.ids();
		cluster.fault(t, () -> {
			String from = ids.stream()
				.filter(id -> cluster.node(id).up() && cluster.node(id).node.status().role() == Role.PRIMARY)
				.findFirst()
				.filter(id -> r.nextInt(4) != 0)
				.orElse(ids.get(r.nextInt(ids.size())));
			List<String> others = ids.stream().filter(id -> !id.equals(from)).toList();
			cluster.handOver(from, others.get(r.nextInt(others.size())), outcome -> {
				if (outcome instanceof Outcome.HandedOver) {
					cluster.handOversDone++;
				}
			});
		});
		return t + (r.nextBoolean() ? r.nextInt(50) : 500 + r.nextInt(2_000));
	}

	/**
	 * An operator adds a voter (a new data node "d" or witness "x", started knowing one member) or removes one,
	 * through the primary most of the time; faults go on meanwhile.
	 */
	private static long membershipChange(Cluster cluster, Random r, long t) {
		Random choice = new Random(r.nextLong());
		cluster.fault(t, () -> {
			List<String> members = cluster.ids().stream().filter(id -> !cluster.removed.contains(id)).toList();
			String primary = cluster.primary();
			String via = primary != null && choice.nextInt(4) != 0 ? primary
					: members.get(choice.nextInt(members.size()));
			List<String> spare = List.of("d", "x").stream().filter(id -> !cluster.ids().contains(id)).toList();
			if (!spare.isEmpty() && (choice.nextBoolean() || members.size() <= 3)) {
				String id = spare.get(choice.nextInt(spare.size()));
				cluster.addNode(id, id.equals("x"), members.get(choice.nextInt(members.size())));
				cluster.changeVoters(via, id, true, outcome -> {
				});
			}
			else {
				List<String> others = members.stream().filter(id -> !id.equals(primary)).toList();
				cluster.changeVoters(via, others.get(choice.nextInt(others.size())), false, outcome -> {
				});
			}
		});
		return t + 300 + r.nextInt(2_000);
	}

	/**
	 * The operator grows the pair: starts a witness "x" or a data node "d" knowing one member (once), and asks the
	 * primary to add it, or now and then the backup, which refuses. From the first request on, the checks are those
	 * of a majority cluster: a node may switch to majority rules before the operator hears back.
	 */
	private static long growPair(Cluster cluster, Random r, long t) {
		Random choice = new Random(r.nextLong());
		cluster.fault(t, () -> {
			String primary = cluster.primary();
			List<String> pair = List.of("a", "b");
			String via = primary != null && choice.nextInt(4) != 0 ? primary : pair.get(choice.nextInt(2));
			String id = cluster.ids().contains("x") ? "x" : cluster.ids().contains("d") ? "d"
					: choice.nextBoolean() ? "x" : "d";
			if (!cluster.ids().contains(id)) {
				cluster.addNode(id, id.equals("x"), pair.get(choice.nextInt(2)));
			}
			cluster.invariants.quorum();
			cluster.changeVoters(via, id, true, outcome -> {
			});
		});
		return t + 300 + r.nextInt(2_000);
	}

	/** Every node crashes at once and comes back after a while, one by one. */
	private static long crashAll(Cluster cluster, Random r, long t) {
		long last = t;
		for (String id : cluster.ids()) {
			cluster.fault(t, () -> cluster.crash(id));
			long back = t + 200 + r.nextInt(4_000);
			cluster.fault(back, () -> cluster.restart(id));
			last = Math.max(last, back);
		}
		return last;
	}

}
