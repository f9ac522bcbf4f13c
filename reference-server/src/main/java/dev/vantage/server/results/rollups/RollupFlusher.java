package dev.vantage.server.results.rollups;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves queued results into the rollups every interval ({@link RollupStore#flush}), on every replica: flushes take
 * turns on a lock, and one that finds the queue empty ends at once.
 */
public final class RollupFlusher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RollupFlusher.class);
    /** Results a flush transaction takes: bounds its memory (a few hundred bytes a result) and its lock time. */
    static final int BATCH = 100_000;
    private static final int MAX_ROUNDS = 50;

    private final RollupStore store;
    private final Duration interval;
    private final ScheduledExecutorService timer =
            Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("rollup-flush").factory());

    public RollupFlusher(RollupStore store, Duration interval) {
        this.store = store;
        this.interval = interval;
    }

    public RollupFlusher start() {
        timer.scheduleWithFixedDelay(this::flushQuietly, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /**
     * Flushes until the queue is empty (a backlog after a pause takes several transactions), or for at most
     * {@link #MAX_ROUNDS} transactions, so a queue filling faster than it drains still leaves the timer a pause.
     */
    public long flush() {
        long moved = 0;
        for (int round = 0; round < MAX_ROUNDS; round++) {
            int n = store.flush(BATCH);
            moved += n;
            if (n < BATCH) {
                break;
            }
        }
        return moved;
    }

    private void flushQuietly() {
        try {
            flush();
        } catch (RuntimeException e) {
            // the queue is durable: the next round takes what this one left
            LOG.warn("rollup flush: {} (tried again in {})", e.toString(), interval);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
