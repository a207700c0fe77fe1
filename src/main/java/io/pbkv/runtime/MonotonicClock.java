package io.pbkv.runtime;

/** Milliseconds on a clock that never jumps backwards; the only time source the core is fed from. */
@FunctionalInterface
public interface MonotonicClock {

	MonotonicClock SYSTEM = () -> System.nanoTime() / 1_000_000;

	long nowMillis();

}
