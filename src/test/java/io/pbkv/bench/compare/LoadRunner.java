package io.pbkv.bench.compare;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.HdrHistogram.Histogram;

/**
 * Runs a {@link Workload} on {@code N} connections, one platform thread each, closed loop (the next request when
 * the last is answered) or at a fixed rate ({@link FixedRateSchedule}, latency from the intended send time).
 * Latencies go to one HdrHistogram per thread, merged at the end. Every wait is bounded: the connections' socket
 * timeouts, and the join of each thread.
 */
final class LoadRunner {

	/**
	 * How long after the end a fixed-rate connection still sends requests that were due before it: a late wake-up
	 * or a short backlog is not falling behind. What is still unsent then counts as {@code unsent}.
	 */
	private static final long SEND_GRACE_NANOS = TimeUnit.SECONDS.toNanos(1);

	/** Latencies above this are recorded as this (a request times out at {@link Workload#TIMEOUT} anyway). */
	private static final long MAX_NANOS = TimeUnit.MINUTES.toNanos(2);

	private LoadRunner() {
	}

	/**
	 * @param ok requests that succeeded (their latencies are in the histogram)
	 * @param errors requests that failed or timed out
	 * @param unsent (fixed rate) requests due before the end but not sent within a second after it: the server
	 * fell that far behind; their latency, more than that, is not in the histogram
	 * @param elapsed the measured time, until the last answer
	 * @param latency nanoseconds per successful request
	 */
	record Result(long ok, long errors, long unsent, Duration elapsed, Histogram latency) {

		double opsPerSecond() {
			return this.elapsed.isZero() ? 0 : this.ok / (this.elapsed.toNanos() / 1e9);
		}

		double percentileMillis(double percentile) {
			return (this.latency.getTotalCount() == 0) ? Double.NaN
					: this.latency.getValueAtPercentile(percentile) / 1e6;
		}

	}

	static Result closedLoop(Workload workload, int connections, Duration duration) throws InterruptedException {
		return run(workload, connections, duration, null);
	}

	static Result fixedRate(Workload workload, double perSecond, int connections, Duration duration)
			throws InterruptedException {
		return run(workload, connections, duration, new FixedRateSchedule(perSecond, connections));
	}

	private static Result run(Workload workload, int connections, Duration duration, FixedRateSchedule schedule)
			throws InterruptedException {
		CountDownLatch connected = new CountDownLatch(connections);
		CountDownLatch go = new CountDownLatch(1);
		long[] startNanos = new long[1];
		List<Loop> loops = new ArrayList<>();
		for (int c = 0; c < connections; c++) {
			Loop loop = new Loop(workload.open(c), c, schedule, duration.toNanos(), connected, go, startNanos);
			loops.add(loop);
			loop.thread = Thread.ofPlatform().name("compare-load-" + c).daemon().start(loop);
		}
		// Every connection is open (or failed to open) before the clock starts.
		connected.await(Workload.TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
		long start = System.nanoTime();
		startNanos[0] = start;
		go.countDown();
		Histogram all = new Histogram(MAX_NANOS, 3);
		long ok = 0;
		long errors = 0;
		long unsent = 0;
		long lastDone = start;
		long bound = duration.toMillis() + Workload.TIMEOUT.toMillis() + 5_000;
		long joinDeadline = System.currentTimeMillis() + bound;
		for (Loop loop : loops) {
			loop.thread.join(Math.max(1, joinDeadline - System.currentTimeMillis()));
			if (loop.thread.isAlive()) {
				// stuck past every timeout: close its socket, which ends its read, and count it as failing
				loop.session.close();
				loop.thread.interrupt();
				loop.thread.join(2_000);
			}
			synchronized (loop) {
				all.add(loop.histogram);
				ok += loop.ok;
				errors += loop.errors;
				unsent += loop.unsent;
				lastDone = Math.max(lastDone, loop.lastDone);
			}
		}
		// until the last answer: a closed loop's last requests, sent before the end, are answered after it
		Duration elapsed = Duration.ofNanos(Math.max(duration.toNanos(), lastDone - start));
		return new Result(ok, errors, unsent, elapsed, all);
	}

	private static final class Loop implements Runnable {

		private final Workload.Session session;

		private final int connection;

		private final FixedRateSchedule schedule;

		private final long durationNanos;

		private final CountDownLatch connected;

		private final CountDownLatch go;

		private final long[] startNanos;

		private final Histogram histogram = new Histogram(MAX_NANOS, 3);

		private long ok;

		private long errors;

		private long unsent;

		private long lastDone;

		private Thread thread;

		Loop(Workload.Session session, int connection, FixedRateSchedule schedule, long durationNanos,
				CountDownLatch connected, CountDownLatch go, long[] startNanos) {
			this.session = session;
			this.connection = connection;
			this.schedule = schedule;
			this.durationNanos = durationNanos;
			this.connected = connected;
			this.go = go;
			this.startNanos = startNanos;
		}

		@Override
		public void run() {
			try (this.session) {
				try {
					this.session.connect();
				}
				catch (IOException ex) {
					// counted as the errors of the requests it then fails
				}
				this.connected.countDown();
				this.go.await();
				long start = this.startNanos[0];
				long deadline = start + this.durationNanos;
				if (this.schedule == null) {
					closedLoop(deadline);
				}
				else {
					fixedRate(start, deadline);
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}

		private void closedLoop(long deadline) {
			while (System.nanoTime() < deadline && !Thread.currentThread().isInterrupted()) {
				long sent = System.nanoTime();
				boolean success = call();
				record(success, System.nanoTime() - sent);
			}
		}

		private void fixedRate(long start, long deadline) {
			long due = this.schedule.dueWithin(this.connection, this.durationNanos);
			long k = 0;
			for (; k < due; k++) {
				long intended = start + this.schedule.intendedOffsetNanos(this.connection, k);
				long now;
				while ((now = System.nanoTime()) < intended) {
					LockSupport.parkNanos(intended - now);
				}
				if (now >= deadline + SEND_GRACE_NANOS || Thread.currentThread().isInterrupted()) {
					break; // due before the end but not sent a second after it: the server fell that far behind
				}
				boolean success = call();
				record(success, System.nanoTime() - intended);
			}
			synchronized (this) {
				this.unsent += due - k;
			}
		}

		private boolean call() {
			try {
				return this.session.call();
			}
			catch (IOException ex) {
				return false;
			}
		}

		private synchronized void record(boolean success, long nanos) {
			this.lastDone = System.nanoTime();
			if (success) {
				this.histogram.recordValue(Math.min(Math.max(nanos, 1), MAX_NANOS));
				this.ok++;
			}
			else {
				this.errors++;
			}
		}

	}

}
