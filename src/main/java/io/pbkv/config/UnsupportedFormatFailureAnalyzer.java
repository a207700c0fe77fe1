package io.pbkv.config;

import io.pbkv.storage.UnsupportedFormatException;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Start-up on a data dir written by a newer pbkv: says so in Spring Boot's "APPLICATION FAILED TO START" report. */
class UnsupportedFormatFailureAnalyzer extends AbstractFailureAnalyzer<UnsupportedFormatException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, UnsupportedFormatException cause) {
		return new FailureAnalysis("The data dir was written in a format this pbkv does not know: " + cause.getMessage(),
				"Run the pbkv version that wrote this data dir, or a later one. Nothing in the data dir was changed.",
				cause);
	}

}
