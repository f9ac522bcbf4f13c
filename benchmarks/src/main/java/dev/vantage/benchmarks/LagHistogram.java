package dev.vantage.benchmarks;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

/**
 * A fixed-resolution latency histogram: 10 µs buckets up to 2 s, one overflow bucket, and the exact maximum.
 * Percentiles are reported as the upper edge of their bucket, so they are at most 10 µs pessimistic. Thread-safe,
 * lock-free, no allocation per record.
 */
final class LagHistogram {
    private static final long BUCKET_NANOS = 10_000;
    private static final int BUCKETS = 200_000; // 2 s

    private final AtomicLongArray counts = new AtomicLongArray(BUCKETS + 1);
    private final LongAdder total = new LongAdder();
    private final LongAccumulator max = new LongAccumulator(Math::max, 0);

    void record(long nanos) {
        long n = Math.max(0, nanos);
        counts.incrementAndGet((int) Math.min(n / BUCKET_NANOS, BUCKETS));
        total.increment();
        max.accumulate(n);
    }

    long count() {
        return total.sum();
    }

    long maxNanos() {
        return max.get();
    }

    /** The lag at or below which a fraction {@code q} of records fall; {@code q} in (0, 1]. */
    long percentileNanos(double q) {
        long n = total.sum();
        if (n == 0) {
            return 0;
        }
        long rank = (long) Math.ceil(q * n);
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts.get(i);
            if (seen >= rank) {
                return Math.min((i + 1) * BUCKET_NANOS, max.get());
            }
        }
        return max.get();
    }

    /** The fraction of records at or below {@code nanos} (rounded down to a bucket edge). */
    double fractionAtOrBelow(long nanos) {
        long n = total.sum();
        if (n == 0) {
            return 1;
        }
        long seen = 0;
        for (int i = 0; i < Math.min(BUCKETS, nanos / BUCKET_NANOS); i++) {
            seen += counts.get(i);
        }
        return (double) seen / n;
    }
}
