package dev.vantage.probe.engine.sink;

import dev.vantage.probe.engine.EngineStats;
import dev.vantage.probe.engine.internal.SinkDispatcher;
import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.probe.spi.ResultSink;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Objects;

/**
 * A sink behind the same bounded queue and delivery thread the engine gives each of its sinks, for results that
 * did not come from an engine here, such as a server passing on what its agents sent. {@link #offer} never
 * blocks: when the queue is full the result is dropped and counted. Meters as for engine sinks
 * ({@code vantage.sink.queue.depth}, {@code vantage.sink.dropped}, {@code vantage.sink.delivered}, tag {@code sink}).
 * Thread-safe.
 */
public final class SinkQueue implements AutoCloseable {
    private final SinkDispatcher dispatcher;

    /**
     * Starts the delivery thread.
     *
     * @param capacity  results that may wait before further ones are dropped
     * @param batchSize the largest batch handed to the sink at once
     */
    public SinkQueue(ResultSink sink, int capacity, int batchSize, MeterRegistry registry) {
        if (capacity < 1 || batchSize < 1) {
            throw new IllegalArgumentException("capacity and batchSize must be at least 1");
        }
        this.dispatcher = new SinkDispatcher(Objects.requireNonNull(sink, "sink"), sink.name(), capacity, batchSize);
        dispatcher.bindTo(Objects.requireNonNull(registry, "registry"));
    }

    /** Queues a result, or drops and counts it if the queue is full. */
    public void offer(ProbeResult result) {
        dispatcher.offer(Objects.requireNonNull(result, "result"));
    }

    /** Queues each result in turn (see {@link #offer(ProbeResult)}). */
    public void offerAll(List<ProbeResult> results) {
        results.forEach(this::offer);
    }

    public EngineStats.SinkStats stats() {
        return dispatcher.stats();
    }

    /** Delivers what is queued and closes the sink, waiting up to 5 seconds for that. */
    @Override
    public void close() {
        dispatcher.close(5_000);
    }
}
