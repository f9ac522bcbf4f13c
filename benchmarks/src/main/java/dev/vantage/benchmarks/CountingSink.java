package dev.vantage.benchmarks;

import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.probe.spi.ProbeStatus;
import dev.vantage.probe.spi.ResultSink;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Counts the results that reached it, so benchmarks measure results delivered end to end rather than attempts
 * started. Also counts results that are not SUCCESS: every benchmark task asserts {@code status eq SUCCESS}, so a
 * non-zero figure means something other than the happy path was measured.
 */
public final class CountingSink implements ResultSink {
    private long count;
    private long notSuccess;

    @Override
    public String name() {
        return "counting";
    }

    @Override
    public void export(List<ProbeResult> batch) {
        int bad = 0;
        for (ProbeResult r : batch) {
            if (r.status() != ProbeStatus.SUCCESS) {
                bad++;
            }
        }
        add(batch.size(), bad);
    }

    /** Counts {@code n} items; the baselines call it from their own drain thread. */
    public synchronized void add(int n, int bad) {
        count += n;
        notSuccess += bad;
        notifyAll(); // once per batch (up to 1,000 results), so waking the waiter costs little
    }

    public synchronized long count() {
        return count;
    }

    public synchronized long notSuccess() {
        return notSuccess;
    }

    @Override
    public void close() {
    }

    /** Waits until at least {@code target} results have been counted. */
    public synchronized void awaitCount(long target, long timeout, TimeUnit unit)
            throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (count < target) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new TimeoutException("counted " + count + " of " + target + " results");
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }
}
