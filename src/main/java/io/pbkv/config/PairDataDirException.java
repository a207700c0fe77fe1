package io.pbkv.config;

/**
 * A pair's data dir started with {@code kv.peers} naming two or more peers: majority rules need the configuration
 * of voters that the cluster agreed on, which this data dir never got, so no node could ever be elected.
 */
public class PairDataDirException extends IllegalStateException {

	public PairDataDirException(String message) {
		super(message);
	}

}
