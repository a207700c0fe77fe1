package io.pbkv.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.pbkv.config.KvProperties;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /cluster/overview}: this node's {@code /cluster} view and every configured peer's, fetched by this
 * node, each with the node's count of client operations. It feeds the live page ({@code static/index.html}),
 * which therefore talks only to the node that served it. {@code ?local=true} answers with this node's entry
 * alone: that is what nodes fetch from each other, so an overview never recurses.
 */
@RestController
class OverviewController {

	private final ClusterController cluster;

	private final PeerOverviews peers;

	private final MeterRegistry registry;

	private final String selfUrl;

	OverviewController(ClusterController cluster, PeerOverviews peers, MeterRegistry registry,
			KvProperties properties) {
		this.cluster = cluster;
		this.peers = peers;
		this.registry = registry;
		this.selfUrl = PeerOverviews.withoutTrailingSlash(properties.advertisedUrl());
	}

	/** The whole answer: which node served it, and one entry per node, this one first. */
	record Overview(String servedBy, List<NodeOverview> nodes) {
	}

	/**
	 * One node as seen from here. {@code cluster} is that node's own {@code GET /cluster} answer,
	 * {@code clientOps} its total of {@code kv.client.operations} and {@code clientP99Millis} the recent p99 of the
	 * slowest kind of operation it served (watches aside, which last as long as their client stays); they are absent
	 * when it did not answer, and {@code error} says why. {@code nodeId} of a silent peer is the last one it or this
	 * node's view gave, if any.
	 */
	@JsonInclude(JsonInclude.Include.NON_NULL)
	record NodeOverview(String nodeId, String url, boolean self, boolean reachable, Long clientOps,
			Double clientP99Millis, Object cluster, String error) {
	}

	@GetMapping("/cluster/overview")
	Overview overview(@RequestParam(defaultValue = "false") boolean local,
			@RequestHeader(name = "Authorization", required = false) String authorization) {
		ClusterController.ClusterView view = cluster.cluster();
		NodeOverview self = new NodeOverview(view.nodeId(), selfUrl, true, true, clientOps(), clientP99Millis(), view,
				null);
		List<NodeOverview> nodes = new ArrayList<>(List.of(self));
		if (!local) {
			nodes.addAll(peers.fetch(view.peers(), authorization));
		}
		return new Overview(view.nodeId(), nodes);
	}

	private long clientOps() {
		return registry.find("kv.client.operations").timers().stream().mapToLong(Timer::count).sum();
	}

	private Double clientP99Millis() {
		double p99 = -1;
		for (Timer timer : registry.find("kv.client.operations").timers()) {
			if ("watch".equals(timer.getId().getTag("type"))) {
				continue;
			}
			for (ValueAtPercentile v : timer.takeSnapshot().percentileValues()) {
				if (v.percentile() == 0.99) {
					p99 = Math.max(p99, v.value(TimeUnit.MILLISECONDS));
				}
			}
		}
		return p99 < 0 ? null : p99;
	}

}
