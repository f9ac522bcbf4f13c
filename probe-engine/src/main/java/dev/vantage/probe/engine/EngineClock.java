package dev.vantage.probe.engine;

import java.time.Instant;

/**
 * The engine's source of time: schedules, deadlines, start times and lag are all read from it. The system clock
 * is the default; {@link ManualClock} moves only when a test advances it, so scheduler tests run in virtual time,
 * fast and deterministic.
 */
public interface EngineClock {

    /** Monotonic nanoseconds, comparable only with other values of the same clock. */
    long nanoTime();

    /** Wall-clock time, used for result timestamps and to align task phases across restarts. */
    Instant instant();

    /** The JVM's clocks: {@link System#nanoTime()} and {@link Instant#now()}. */
    static EngineClock system() {
        return SystemClock.INSTANCE;
    }

    /** The system clock. */
    enum SystemClock implements EngineClock {
        INSTANCE;

        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public Instant instant() {
            return Instant.now();
        }
    }
}
