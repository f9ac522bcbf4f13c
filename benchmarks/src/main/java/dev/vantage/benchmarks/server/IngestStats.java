package dev.vantage.benchmarks.server;

import dev.vantage.benchmarks.Histogram;
import java.time.Instant;
import java.util.concurrent.atomic.LongAdder;

/**
 * What all simulated agents count together. Times are {@link System#nanoTime()}; the measurement window is set once
 * the warm-up is over, so results made before it, and acks received outside it, are not part of the figures.
 */
final class IngestStats {
    /** Creation to ack receipt, per result made inside the window. */
    final Histogram resultLatency = Histogram.logarithmic();
    /** Send to ack receipt, per batch sent inside the window: the server's share of the latency. */
    final Histogram batchRoundTrip = Histogram.logarithmic();
    final LongAdder produced = new LongAdder();
    final LongAdder stored = new LongAdder();
    final LongAdder duplicates = new LongAdder();
    final LongAdder storedInWindow = new LongAdder();
    final LongAdder batchesSent = new LongAdder();
    final LongAdder errorReplies = new LongAdder();

    private final Instant wallBase = Instant.now();
    private final long nanoBase = System.nanoTime();
    private volatile long windowStart = Long.MAX_VALUE;
    private volatile long windowEnd = Long.MAX_VALUE;

    void openWindow(long now) {
        windowStart = now;
    }

    void closeWindow(long now) {
        windowEnd = now;
    }

    boolean inWindow(long nanos) {
        return nanos >= windowStart && nanos < windowEnd;
    }

    /** The wall-clock instant of a {@link System#nanoTime()} reading (one base for the run, so no clock steps). */
    Instant instant(long nanos) {
        return wallBase.plusNanos(nanos - nanoBase);
    }
}
