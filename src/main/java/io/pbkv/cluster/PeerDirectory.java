package io.pbkv.cluster;

import java.util.List;

/** The configured peers and the state of the link to each, for {@code /cluster} and health. Never blocks. */
public interface PeerDirectory {

	/** One status per configured peer, in configuration order. */
	List<PeerStatus> peers();

}
