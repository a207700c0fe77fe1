package io.pbkv.config;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Start-up of a pair's data dir as a member of a larger cluster: says what to do instead. */
class PairDataDirFailureAnalyzer extends AbstractFailureAnalyzer<PairDataDirException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, PairDataDirException cause) {
		return new FailureAnalysis(cause.getMessage(),
				"Start this node with the kv.peers it had in its pair, and grow the running pair instead: start the "
						+ "witness or data node to add, then POST /cluster/members on the pair's primary (see "
						+ "docs/operations.md, \"Growing a running pair\"). Nothing in the data dir was changed.",
				cause);
	}

}
