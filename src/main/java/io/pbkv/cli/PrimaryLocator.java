package io.pbkv.cli;

import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

/**
 * Finds the node to send requests to: asks every known node's {@code GET /cluster} at once and takes the one that
 * says it is primary, else the primary the others name, else any node that answered (it forwards). Remembers the
 * choice until a request to it fails.
 */
final class PrimaryLocator {

	private final List<URI> nodes;

	private final KvHttpClient http;

	/** Named primaries a request to which failed: not chosen again unless they answer as primary themselves. */
	private final Set<URI> avoided = new HashSet<>();

	private Target current;

	PrimaryLocator(List<URI> nodes, KvHttpClient http) {
		this.nodes = List.copyOf(nodes);
		this.http = http;
	}

	/** The node to send to, asking the nodes if none is remembered. */
	Target locate(Operation operation, boolean retryUnknown) throws AttemptFailure {
		if (current == null) {
			List<Probe> probes = probe(nodes, true);
			Optional<Target> chosen = choose(probes, avoided);
			if (chosen.isEmpty()) {
				String why = probes.stream()
					.map(p -> p.node() + ": " + (p.answered() ? "role " + p.view().role() : p.error()))
					.collect(Collectors.joining("; "));
				throw new AttemptFailure(null, Failure.NO_NODE, why,
						RetryDecision.decide(operation, Failure.NO_NODE, retryUnknown));
			}
			current = chosen.get();
		}
		return current;
	}

	/** Forgets the chosen node after a request to it failed, so that the next attempt asks again. */
	void failed(Target target, Failure failure) {
		current = null;
		if (target != null && target.kind() == Target.Kind.NAMED_PRIMARY && failure != Failure.UNAVAILABLE) {
			avoided.add(target.url());
		}
	}

	/**
	 * The node a retry after a failure at {@code failed} will most likely go through: another node when the
	 * primary failed, the same one when a forwarding node answered 503, none when nobody answered.
	 */
	URI fallbackAfter(Target failed) {
		if (failed == null || !failed.believedPrimary()) {
			return failed == null ? null : failed.url();
		}
		return nodes.stream().filter(n -> !same(n, failed.url())).findFirst().orElse(failed.url());
	}

	/** Every known node's view, and the views of the peers they name, for {@code pbkv cluster}. */
	List<Probe> survey() {
		List<Probe> probes = new ArrayList<>(probe(nodes, false));
		Set<String> seenIds = probes.stream()
			.filter(Probe::answered)
			.map(p -> p.view().nodeId())
			.collect(Collectors.toSet());
		Map<String, URI> more = new LinkedHashMap<>();
		for (Probe p : probes) {
			if (p.answered()) {
				for (ClusterView.Peer peer : p.view().peers()) {
					URI url = peer.url() == null ? null : URI.create(peer.url());
					if (url != null && !seenIds.contains(peer.nodeId())
							&& probes.stream().noneMatch(q -> same(q.node(), url))) {
						more.putIfAbsent(key(url), url);
					}
				}
			}
		}
		probes.addAll(probe(List.copyOf(more.values()), false));
		return probes;
	}

	/**
	 * Asks the nodes at once. With {@code untilPrimary}, returns as soon as one says it is primary; nodes that have
	 * not answered by then count as silent.
	 */
	private List<Probe> probe(List<URI> urls, boolean untilPrimary) {
		List<CompletableFuture<Probe>> probes = urls.stream().map(http::probe).toList();
		CompletableFuture<Void> all = CompletableFuture.allOf(probes.toArray(CompletableFuture[]::new));
		CompletableFuture<Object> primary = new CompletableFuture<>();
		if (untilPrimary) {
			probes.forEach(p -> p.thenAccept(r -> {
				if (r.answered() && r.view().isPrimary()) {
					primary.complete(r);
				}
			}));
		}
		CompletableFuture.anyOf(all, primary).join();
		List<Probe> done = new ArrayList<>();
		for (int i = 0; i < urls.size(); i++) {
			done.add(probes.get(i).getNow(Probe.silent(urls.get(i), "no answer yet")));
		}
		return done;
	}

	/** The decision, apart from the asking: see the class comment. */
	static Optional<Target> choose(List<Probe> probes, Set<URI> avoided) {
		List<Probe> answered = probes.stream()
			.filter(p -> p.answered() && !"FAILED".equals(p.view().role()))
			.toList();
		// max() keeps the first of equals, so ties go to the earlier node in the list.
		Comparator<Probe> byEpoch = Comparator.comparingLong(p -> p.view().epoch());
		Optional<Probe> primary = answered.stream().filter(p -> p.view().isPrimary()).max(byEpoch);
		if (primary.isPresent()) {
			return Optional.of(new Target(primary.get().node(), Target.Kind.PRIMARY, primary.get().view(), null));
		}
		Optional<Probe> namer = answered.stream().filter(p -> p.view().primaryUrl() != null).max(byEpoch);
		URI silentPrimary = null;
		if (namer.isPresent()) {
			URI named = URI.create(namer.get().view().primaryUrl());
			Optional<Probe> asked = probes.stream().filter(p -> same(p.node(), named)).findFirst();
			if (asked.isEmpty() && avoided.stream().noneMatch(a -> same(a, named))) {
				return Optional.of(new Target(named, Target.Kind.NAMED_PRIMARY, namer.get().view(), null));
			}
			if (asked.isEmpty() || !asked.get().answered()) {
				silentPrimary = named;
			}
		}
		URI silent = silentPrimary;
		return answered.stream()
			.max(byEpoch)
			.map(p -> new Target(p.node(), Target.Kind.FALLBACK, p.view(), silent));
	}

	static boolean same(URI a, URI b) {
		return key(a).equals(key(b));
	}

	private static String key(URI url) {
		String text = url.toString().toLowerCase(Locale.ROOT);
		return text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
	}

}
