package dev.vantage.probe.testkit;

import dev.vantage.probe.engine.EngineClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A clock that moves only when {@link #advance(Duration)} is called, for testing schedules in virtual time. An
 * engine built with it ({@code ProbeEngine.builder().clock(clock)}) runs no timer thread: {@code advance} steps time
 * to each timer event in turn (task runs, deadlines) and fires it on the caller's thread, so every run starts at
 * exactly its due time. Attempts themselves still run on their own threads; wait for their results before
 * asserting. One clock drives one engine.
 */
public final class ManualClock implements EngineClock {
    private final Object lock = new Object();
    private final Instant origin;
    private long nanos;
    private volatile TimerEvents timers;

    /** A clock at {@code origin} wall time and nanoTime 0. */
    public ManualClock(Instant origin) {
        this.origin = Objects.requireNonNull(origin, "origin");
    }

    @Override
    public long nanoTime() {
        synchronized (lock) {
            return nanos;
        }
    }

    @Override
    public Instant instant() {
        synchronized (lock) {
            return origin.plusNanos(nanos);
        }
    }

    /**
     * Moves time forward by {@code d}, firing every timer event due on the way at its own due time, in order.
     * Returns once all of them have fired (attempts they started may still be running).
     */
    public void advance(Duration d) {
        if (d.isNegative()) {
            throw new IllegalArgumentException("time only moves forward");
        }
        long target;
        synchronized (lock) {
            target = nanos + d.toNanos();
        }
        TimerEvents queue = timers;
        while (queue != null) {
            long due = queue.nextDue();
            if (due > target) {
                break;
            }
            synchronized (lock) {
                nanos = Math.max(nanos, due);
            }
            queue.runDue(due);
        }
        synchronized (lock) {
            nanos = target;
        }
    }

    /** Called by the engine: this clock fires its timer events. */
    @Override
    public boolean drive(TimerEvents events) {
        this.timers = events;
        return true;
    }
}
