package dev.vantage.probe.spi;

import java.util.List;

/**
 * Receives results in batches and routes them somewhere: a file, a database, a message broker, a metrics
 * backend. Embedders implement it to take results into their own systems.
 *
 * <p><b>Threads and blocking.</b> The engine gives each sink its own delivery thread and a bounded queue, and calls
 * {@link #export(List)} from that thread only, one batch at a time; the sink may block (network I/O). A slow sink
 * never slows probing: when its queue is full, results for that sink are dropped and counted. An exception from
 * {@code export} is counted and logged, and the batch is not retried by the engine; a sink that needs
 * at-least-once delivery keeps its own spool.
 *
 * @since 0.1
 */
public interface ResultSink extends AutoCloseable {

    /**
     * A short name for logs and metrics, e.g. {@code jsonl} or {@code influx}. Defaults to the class name, or
     * {@code sink} for a lambda.
     */
    default String name() {
        return getClass().isHidden() || getClass().isAnonymousClass() ? "sink" : getClass().getSimpleName();
    }

    /**
     * Exports one batch of results, in the order they completed. Called on the sink's delivery thread; may block.
     *
     * @param batch one or more results; the list is immutable and only valid during the call
     * @throws Exception if the batch could not be exported; the engine counts it as failed
     */
    void export(List<ProbeResult> batch) throws Exception;

    /**
     * Called on the delivery thread after the engine has delivered every queued result at shutdown. Flush and
     * release resources here. The default does nothing.
     */
    @Override
    default void close() throws Exception {
    }
}
