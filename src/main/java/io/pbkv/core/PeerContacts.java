package io.pbkv.core;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** When this node last heard from each peer, whatever its role: the truth behind "reachable". */
final class PeerContacts {

	private final long timeout;

	private final Map<String, Long> lastHeard = new HashMap<>();

	private final Map<String, String> nodeIds = new HashMap<>();

	PeerContacts(long timeout) {
		this.timeout = timeout;
	}

	void heard(Message m, long now) {
		lastHeard.put(m.fromUrl(), now);
		nodeIds.put(m.fromUrl(), m.from());
	}

	boolean reachable(String url, long now) {
		Long heard = lastHeard.get(url);
		return heard != null && now - heard < timeout;
	}

	List<String> reachable(List<String> urls, long now) {
		return urls.stream().filter(url -> reachable(url, now)).toList();
	}

	NodeStatus.PeerStatus of(String url, long now) {
		Long heard = lastHeard.get(url);
		return new NodeStatus.PeerStatus(nodeIds.get(url), url, reachable(url, now), -1,
				heard == null ? -1 : now - heard, false, false, false);
	}

}
