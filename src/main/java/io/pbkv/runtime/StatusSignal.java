package io.pbkv.runtime;

import io.pbkv.core.NodeStatus;
import io.pbkv.core.Role;

import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Wakes the threads that follow the node (watches) when it applies more entries, changes role or epoch, or stops.
 * The loop publishes after every turn; a follower notes {@link #generation()} before it reads, then waits for it
 * to move, so a change between its read and its wait is never missed.
 */
final class StatusSignal {

	private final ReentrantLock lock = new ReentrantLock();

	private final Condition changed = lock.newCondition();

	private volatile long generation;

	private int waiting;

	// Loop thread only.
	private long appliedIndex = -1;

	private long epoch = -1;

	private Role role;

	void publish(NodeStatus status) {
		if (status.appliedIndex() == appliedIndex && status.epoch() == epoch && status.role() == role) {
			return;
		}
		appliedIndex = status.appliedIndex();
		epoch = status.epoch();
		role = status.role();
		wake();
	}

	void wake() {
		lock.lock();
		try {
			generation++;
			if (waiting > 0) {
				changed.signalAll();
			}
		}
		finally {
			lock.unlock();
		}
	}

	long generation() {
		return generation;
	}

	/** Waits until the generation differs from {@code seen}; false when {@code timeout} passed first. */
	boolean awaitChange(long seen, Duration timeout) throws InterruptedException {
		long nanos = timeout.toNanos();
		lock.lock();
		try {
			waiting++;
			while (generation == seen) {
				if (nanos <= 0) {
					return false;
				}
				nanos = changed.awaitNanos(nanos);
			}
			return true;
		}
		finally {
			waiting--;
			lock.unlock();
		}
	}

}
