package io.pbkv.cli;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.springframework.core.retry.RetryException;
import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.RetryTemplate;
import org.springframework.core.retry.Retryable;

/**
 * Sends a request to the primary and follows a failover: each attempt locates the primary, and a failure that
 * {@link RetryDecision} allows is retried with exponential backoff and jitter, a bounded number of times, by
 * Spring Framework's {@link RetryTemplate}. Every wait is announced on stderr before it starts.
 */
final class FailoverRetry {

	private final PrimaryLocator locator;

	private final KvHttpClient http;

	private final ClientOptions options;

	private final Notices notices;

	FailoverRetry(PrimaryLocator locator, KvHttpClient http, ClientOptions options, Notices notices) {
		this.locator = locator;
		this.http = http;
		this.options = options;
		this.notices = notices;
	}

	Delivery send(KvRequest request) throws InterruptedException {
		List<AttemptFailure> failures = new ArrayList<>();
		AnnouncedBackOff backOff = new AnnouncedBackOff(options.backoff().toSpring(options.retries()),
				(delay, retry) -> {
					AttemptFailure last = failures.getLast();
					notices.retrying(last, locator.fallbackAfter(last.target()), delay, retry + 1, options.attempts());
				});
		RetryPolicy policy = RetryPolicy.builder()
			.backOff(backOff)
			.predicate(ex -> ex instanceof AttemptFailure f && f.decision().retry())
			.build();
		try {
			HttpAnswer answer = new RetryTemplate(policy).execute(new Retryable<>() {

				@Override
				public HttpAnswer execute() throws AttemptFailure, InterruptedException {
					try {
						return attempt(request, failures.isEmpty() ? null : failures.getLast());
					}
					catch (AttemptFailure failure) {
						failures.add(failure);
						locator.failed(failure.target(), failure.failure());
						throw failure;
					}
				}

				@Override
				public String getName() {
					return request.description();
				}

			});
			boolean afterUnknown = failures.stream().anyMatch(f -> f.decision().outcomeUnknown());
			return new Delivery.Answered(answer, afterUnknown);
		}
		catch (RetryException ex) {
			if (ex.getLastException() instanceof InterruptedException interrupted) {
				throw interrupted;
			}
			if (!(ex.getLastException() instanceof AttemptFailure)) {
				throw new IllegalStateException(ex.getLastException());
			}
			return new Delivery.GaveUp(failures,
					RetryDecision.exitCode(failures.stream().map(AttemptFailure::decision).toList()));
		}
	}

	private HttpAnswer attempt(KvRequest request, AttemptFailure previous) throws AttemptFailure, InterruptedException {
		Target target = locator.locate(request.operation(), options.retryUnknown());
		if (previous != null && target.kind() == Target.Kind.PRIMARY && !samePrimary(previous.target(), target)) {
			notices.found(target);
		}
		HttpAnswer answer;
		try {
			answer = http.send(target.url(), request);
		}
		catch (IOException ex) {
			throw failure(request, target, Failure.of(ex), Failure.describe(ex));
		}
		return switch (answer.status()) {
			case 503 -> throw failure(request, target, Failure.UNAVAILABLE, answer.problem());
			case 504 -> throw failure(request, target, Failure.OUTCOME_UNKNOWN, answer.problem());
			default -> answer;
		};
	}

	private AttemptFailure failure(KvRequest request, Target target, Failure failure, String detail) {
		return new AttemptFailure(target, failure, detail,
				RetryDecision.decide(request.operation(), failure, options.retryUnknown()));
	}

	private static boolean samePrimary(Target before, Target now) {
		return before != null && before.kind() == Target.Kind.PRIMARY && PrimaryLocator.same(before.url(), now.url())
				&& before.view().epoch() == now.view().epoch();
	}

}
