package dev.vantage.probe.engine.internal;

import dev.vantage.probe.engine.EngineStats;
import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.probe.spi.ResultSink;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One sink's bounded queue and delivery thread: the "buffer, drop when full" block every sink needs, written
 * once. Probing never waits on a sink: {@link #offer} drops and counts when the queue is full.
 */
public final class SinkDispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(SinkDispatcher.class);

    /** The engine's default linger: enough to gather a burst, too short for anyone to notice. */
    public static final long DEFAULT_LINGER_NANOS = 1_000_000;

    private final ResultSink sink;
    private final String name;
    private final BlockingQueue<ProbeResult> queue;
    private final int maxBatch;
    private final long lingerNanos;
    private final Thread thread;
    private final LongAdder delivered = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private final LongAdder failedBatches = new LongAdder();
    private volatile boolean closing;

    public SinkDispatcher(ResultSink sink, String name, int capacity, int maxBatch) {
        this(sink, name, capacity, maxBatch, DEFAULT_LINGER_NANOS);
    }

    /** @param lingerNanos how long a small batch's results may wait for more before they are exported (from taking it) */
    public SinkDispatcher(ResultSink sink, String name, int capacity, int maxBatch, long lingerNanos) {
        this.sink = sink;
        this.name = name;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.maxBatch = maxBatch;
        this.lingerNanos = lingerNanos;
        this.thread = Thread.ofPlatform().daemon().name("vantage-sink-" + name).unstarted(this::deliver);
        thread.start();
    }

    public String name() {
        return name;
    }

    /** Publishes this sink's queue depth, dropped and delivered counts, tagged with its name. */
    public void bindTo(MeterRegistry registry) {
        List<Tag> tags = List.of(Tag.of("sink", name));
        registry.gauge("vantage.sink.queue.depth", tags, this, SinkDispatcher::queued);
        registry.more().counter("vantage.sink.dropped", tags, this, SinkDispatcher::dropped);
        registry.more().counter("vantage.sink.delivered", tags, this, SinkDispatcher::delivered);
    }

    /** Queues a result; counts it as dropped if the queue is full. Never blocks. */
    public void offer(ProbeResult result) {
        if (!queue.offer(result)) {
            dropped.increment();
        }
    }

    public int queued() {
        return queue.size();
    }

    public long delivered() {
        return delivered.sum();
    }

    public long dropped() {
        return dropped.sum();
    }

    public long failedBatches() {
        return failedBatches.sum();
    }

    public EngineStats.SinkStats stats() {
        return new EngineStats.SinkStats(name, queued(), delivered(), dropped(), failedBatches());
    }

    private void deliver() {
        List<ProbeResult> batch = new ArrayList<>(maxBatch);
        List<ProbeResult> view = Collections.unmodifiableList(batch);
        while (true) {
            try {
                ProbeResult first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    if (closing) {
                        break;
                    }
                    continue;
                }
                long taken = System.nanoTime();
                batch.add(first);
                queue.drainTo(batch, maxBatch - 1);
                try {
                    sink.export(view);
                    delivered.add(batch.size());
                } catch (Exception e) {
                    failedBatches.increment();
                    LOG.warn("sink {} failed to export {} results: {}", name, batch.size(), e.toString());
                }
                boolean small = batch.size() < maxBatch / 4;
                batch.clear();
                long rest = lingerNanos - (System.nanoTime() - taken);
                if (small && !closing && rest > 0) {
                    // let more results gather: one wake-up (or file, frame, commit) per result costs more than the
                    // batch's export; a sleep, not a timed poll, so arrivals meanwhile wake nobody
                    TimeUnit.NANOSECONDS.sleep(rest);
                }
            } catch (InterruptedException e) {
                break; // close() gave up waiting; what is still queued is lost and was counted as queued
            }
        }
        try {
            sink.close();
        } catch (Exception e) {
            LOG.warn("sink {} failed to close: {}", name, e.toString());
        }
    }

    /** Delivers what is queued, closes the sink, and waits up to {@code timeoutMillis} for that. */
    public void close(long timeoutMillis) {
        closing = true;
        try {
            thread.join(timeoutMillis);
            if (thread.isAlive()) {
                LOG.warn("sink {} did not drain within {} ms; {} results not delivered", name, timeoutMillis, queue.size());
                thread.interrupt();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
