package dev.vantage.benchmarks.server;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

/**
 * A latency histogram with 16 buckets per power of two (each bucket at most 1/16 = 6.25 % wide) from 1 ns to
 * hours, plus the exact maximum. Ingest latencies range from milliseconds to many seconds when the server falls
 * behind, which a fixed-width histogram cannot cover in little memory. Percentiles are the upper edge of their
 * bucket (pessimistic). Thread-safe, lock-free, no allocation per record.
 */
final class LogHistogram {
    private static final int SUB = 16;
    private static final int BUCKETS = SUB + (63 - 4) * SUB;

    private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);
    private final LongAdder total = new LongAdder();
    private final LongAccumulator max = new LongAccumulator(Math::max, 0);

    void record(long nanos) {
        long n = Math.max(0, nanos);
        counts.incrementAndGet(index(n));
        total.increment();
        max.accumulate(n);
    }

    long count() {
        return total.sum();
    }

    long maxNanos() {
        return max.get();
    }

    /** The value at or below which a fraction {@code q} of records fall; {@code q} in (0, 1]. */
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
                return Math.min(upperEdge(i), max.get());
            }
        }
        return max.get();
    }

    /** Values below 16 get a bucket each; above, the top four bits after the leading one pick the bucket. */
    static int index(long n) {
        if (n < SUB) {
            return (int) n;
        }
        int exponent = 63 - Long.numberOfLeadingZeros(n);
        int sub = (int) (n >>> (exponent - 4)) - SUB;
        return SUB + (exponent - 4) * SUB + sub;
    }

    static long upperEdge(int index) {
        if (index < SUB) {
            return index;
        }
        int shift = (index - SUB) / SUB;
        int sub = (index - SUB) % SUB;
        return ((long) (SUB + sub + 1) << shift) - 1;
    }
}
