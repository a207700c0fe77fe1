package io.pbkv.cli;

import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

class RetryDecisionTest {

	private static final RetryDecision RETRY = new RetryDecision(true, false);

	private static final RetryDecision STOP_UNKNOWN = new RetryDecision(false, true);

	private static final RetryDecision RETRY_UNKNOWN = new RetryDecision(true, true);

	@ParameterizedTest
	@EnumSource(value = Failure.class, names = { "UNAVAILABLE", "REFUSED", "NO_NODE" })
	void failuresThatDidNothingAreRetriedWhateverTheRequest(Failure failure) {
		for (Operation op : Operation.values()) {
			assertThat(RetryDecision.decide(op, failure, false)).as("%s %s", op, failure).isEqualTo(RETRY);
			assertThat(RetryDecision.decide(op, failure, true)).as("%s %s", op, failure).isEqualTo(RETRY);
		}
	}

	@ParameterizedTest
	@EnumSource(value = Failure.class, names = { "OUTCOME_UNKNOWN", "NO_ANSWER", "CONNECTION_LOST" })
	void readsAreAlwaysSafeToRetry(Failure failure) {
		assertThat(RetryDecision.decide(Operation.READ, failure, false)).isEqualTo(RETRY);
	}

	@ParameterizedTest
	@EnumSource(value = Failure.class, names = { "OUTCOME_UNKNOWN", "NO_ANSWER", "CONNECTION_LOST" })
	void aConditionalWriteWithAnUnknownOutcomeIsNeverRetried(Failure failure) {
		assertThat(RetryDecision.decide(Operation.CONDITIONAL_WRITE, failure, false)).isEqualTo(STOP_UNKNOWN);
		assertThat(RetryDecision.decide(Operation.CONDITIONAL_WRITE, failure, true)).isEqualTo(STOP_UNKNOWN);
	}

	@ParameterizedTest
	@EnumSource(value = Failure.class, names = { "OUTCOME_UNKNOWN", "NO_ANSWER", "CONNECTION_LOST" })
	void anUnconditionalWriteWithAnUnknownOutcomeIsRetriedOnlyWithRetryUnknown(Failure failure) {
		assertThat(RetryDecision.decide(Operation.WRITE, failure, false)).isEqualTo(STOP_UNKNOWN);
		assertThat(RetryDecision.decide(Operation.WRITE, failure, true)).isEqualTo(RETRY_UNKNOWN);
	}

	@Test
	void connectionErrorsAreClassifiedByWhetherTheRequestWasSent() {
		assertThat(Failure.of(new ConnectException("refused"))).isEqualTo(Failure.REFUSED);
		assertThat(Failure.of(new HttpConnectTimeoutException("connect"))).isEqualTo(Failure.REFUSED);
		assertThat(Failure.of(new HttpTimeoutException("request"))).isEqualTo(Failure.NO_ANSWER);
		assertThat(Failure.of(new IOException("connection reset"))).isEqualTo(Failure.CONNECTION_LOST);
		assertThat(Failure.describe(new ConnectException())).isEqualTo("connection refused");
		assertThat(Failure.describe(new HttpTimeoutException("request timed out"))).isEqualTo("timed out");
	}

	@Test
	void givingUpIsUnavailableUnlessAnAttemptMayHaveWritten() {
		assertThat(RetryDecision.exitCode(List.of(RETRY, RETRY))).isEqualTo(ExitCode.UNAVAILABLE);
		assertThat(RetryDecision.exitCode(List.of(STOP_UNKNOWN))).isEqualTo(ExitCode.OUTCOME_UNKNOWN);
		assertThat(RetryDecision.exitCode(List.of(RETRY_UNKNOWN, RETRY))).isEqualTo(ExitCode.OUTCOME_UNKNOWN);
	}

	@Test
	void finalAnswersMapToTheDocumentedExitCodes() {
		assertThat(ExitCode.ofStatus(200)).isEqualTo(ExitCode.OK);
		assertThat(ExitCode.ofStatus(204)).isEqualTo(ExitCode.OK);
		assertThat(ExitCode.ofStatus(404)).isEqualTo(ExitCode.NOT_FOUND);
		assertThat(ExitCode.ofStatus(412)).isEqualTo(ExitCode.PRECONDITION_FAILED);
		assertThat(ExitCode.ofStatus(400)).isEqualTo(ExitCode.BAD_INPUT);
		assertThat(ExitCode.ofStatus(413)).isEqualTo(ExitCode.BAD_INPUT);
		assertThat(ExitCode.ofStatus(500)).isEqualTo(ExitCode.UNEXPECTED);
		assertThat(List.of(ExitCode.values())).extracting(ExitCode::code).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8);
	}

}
