package dev.vantage.probe.engine;

import java.time.Instant;

/**
 * The engine's source of time: schedules, deadlines, start times and lag are all read from it. The system clock
 * is the default. A clock for tests in virtual time (probe-testkit's {@code ManualClock}) moves only when the test
 * advances it and fires the engine's timer events itself ({@link #drive}), so scheduler tests run fast and
 * deterministic.
 */
public interface EngineClock {

    /** Monotonic nanoseconds, comparable only with other values of the same clock. */
    long nanoTime();

    /** Wall-clock time, used for result timestamps and to align task phases across restarts. */
    Instant instant();

    /**
     * Called once while an engine is built with this clock. A clock that returns {@code true} fires the engine's
     * timer {@code events} itself as its time moves: the engine then starts no timer thread, and starts each
     * scheduled run on the thread that fires it. The default returns {@code false}: the engine's own timer thread
     * fires the events when this clock's {@link #nanoTime()} reaches them.
     */
    default boolean drive(TimerEvents events) {
        return false;
    }

    /** The JVM's clocks: {@link System#nanoTime()} and {@link Instant#now()}. */
    static EngineClock system() {
        return SystemClock.INSTANCE;
    }

    /**
     * An engine's pending timer events (scheduled runs and attempt deadlines), handed to a clock that fires them
     * itself. Thread-safe.
     */
    interface TimerEvents {

        /** The clock time ({@link EngineClock#nanoTime()}) of the earliest pending event; {@link Long#MAX_VALUE} if none. */
        long nextDue();

        /** Fires every event due at or before {@code now}, earliest first, on the calling thread; they do not block. */
        void runDue(long now);
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
