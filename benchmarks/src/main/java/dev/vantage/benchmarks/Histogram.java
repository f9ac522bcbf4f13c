package dev.vantage.benchmarks;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

/**
 * A latency histogram with the exact maximum. Percentiles are the upper edge of their bucket (pessimistic, never
 * above the maximum). Thread-safe, lock-free, no allocation per record. Two bucket layouts:
 * {@link #linear} (fixed width: scheduling lag, where microseconds matter up to a bound) and {@link #logarithmic}
 * (16 buckets per power of two, each at most 6.25 % wide, 1 ns to hours: ingest latency, which ranges from
 * milliseconds to many seconds when a server falls behind).
 */
public final class Histogram {
    private static final int SUB = 16;

    /** Maps values to buckets. */
    private interface Layout {
        int buckets();

        int index(long nanos);

        /** The largest value of bucket {@code index}; {@link Long#MAX_VALUE} for an overflow bucket. */
        long upperEdge(int index);
    }

    private final Layout layout;
    private final AtomicLongArray counts;
    private final LongAdder total = new LongAdder();
    private final LongAccumulator max = new LongAccumulator(Math::max, 0);

    private Histogram(Layout layout) {
        this.layout = layout;
        this.counts = new AtomicLongArray(layout.buckets());
    }

    /** {@code buckets} buckets of {@code widthNanos} each, then one overflow bucket. */
    public static Histogram linear(long widthNanos, int buckets) {
        return new Histogram(new Layout() {
            public int buckets() {
                return buckets + 1;
            }

            public int index(long n) {
                return (int) Math.min(n / widthNanos, buckets);
            }

            public long upperEdge(int i) {
                return i == buckets ? Long.MAX_VALUE : (i + 1) * widthNanos;
            }
        });
    }

    /** 16 buckets per power of two: values below 16 get a bucket each, above that the four bits after the top one. */
    public static Histogram logarithmic() {
        return new Histogram(new Layout() {
            public int buckets() {
                return SUB + (63 - 4) * SUB;
            }

            public int index(long n) {
                if (n < SUB) {
                    return (int) n;
                }
                int exponent = 63 - Long.numberOfLeadingZeros(n);
                return SUB + (exponent - 4) * SUB + (int) (n >>> (exponent - 4)) - SUB;
            }

            public long upperEdge(int i) {
                if (i < SUB) {
                    return i;
                }
                return ((long) (SUB + (i - SUB) % SUB + 1) << ((i - SUB) / SUB)) - 1;
            }
        });
    }

    public void record(long nanos) {
        long n = Math.max(0, nanos);
        counts.incrementAndGet(layout.index(n));
        total.increment();
        max.accumulate(n);
    }

    public long count() {
        return total.sum();
    }

    public long maxNanos() {
        return max.get();
    }

    /** The value at or below which a fraction {@code q} of records fall; {@code q} in (0, 1]. */
    public long percentileNanos(double q) {
        long n = total.sum();
        if (n == 0) {
            return 0;
        }
        long rank = (long) Math.ceil(q * n);
        long seen = 0;
        for (int i = 0; i < counts.length(); i++) {
            seen += counts.get(i);
            if (seen >= rank) {
                return Math.min(layout.upperEdge(i), max.get());
            }
        }
        return max.get();
    }

    /** The fraction of records in buckets that end at or below {@code nanos}. */
    public double fractionAtOrBelow(long nanos) {
        long n = total.sum();
        if (n == 0) {
            return 1;
        }
        long seen = 0;
        for (int i = 0; i < counts.length() && layout.upperEdge(i) <= nanos; i++) {
            seen += counts.get(i);
        }
        return (double) seen / n;
    }
}
