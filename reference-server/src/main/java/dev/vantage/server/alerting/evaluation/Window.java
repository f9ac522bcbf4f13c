package dev.vantage.server.alerting.evaluation;

import java.time.Duration;
import java.time.Instant;

/**
 * The entries of a sliding time window, oldest first, as a growable ring of primitives: an arrival time and two
 * numbers each. A window condition holds one per series and adds an entry per result, so entries are not objects
 * (no garbage per result, and nothing for the collector to trace in a window of thousands). Not thread-safe.
 */
final class Window {
    private final long spanNanos;
    private long[] at = new long[16];
    private double[] a = new double[16];
    private double[] b = new double[16];
    private int head;
    private int size;

    Window(Duration span) {
        this.spanNanos = span.toNanos();
    }

    static long nanos(Instant t) {
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    void add(Instant arrived, double first, double second) {
        if (size == at.length) {
            grow();
        }
        int i = (head + size) & (at.length - 1);
        at[i] = nanos(arrived);
        a[i] = first;
        b[i] = second;
        size++;
    }

    /** Whether the oldest entry arrived a whole span (or more) before {@code now}, so that it must be {@link #evict}ed. */
    boolean stale(Instant now) {
        return size > 0 && at[head] <= nanos(now) - spanNanos;
    }

    /** Drops the oldest entry; the caller read it with {@link #oldestA}/{@link #oldestB} first if it needed it. */
    void evict() {
        head = (head + 1) & (at.length - 1);
        size--;
    }

    double oldestA() {
        return a[head];
    }

    double oldestB() {
        return b[head];
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** The first numbers of every entry, oldest first (a copy). */
    double[] firsts() {
        double[] out = new double[size];
        for (int k = 0; k < size; k++) {
            out[k] = a[(head + k) & (at.length - 1)];
        }
        return out;
    }

    private void grow() {
        int n = at.length;
        long[] at2 = new long[n * 2];
        double[] a2 = new double[n * 2];
        double[] b2 = new double[n * 2];
        for (int k = 0; k < size; k++) {
            int i = (head + k) & (n - 1);
            at2[k] = at[i];
            a2[k] = a[i];
            b2[k] = b[i];
        }
        at = at2;
        a = a2;
        b = b2;
        head = 0;
    }
}
