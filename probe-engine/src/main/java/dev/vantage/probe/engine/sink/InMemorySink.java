package dev.vantage.probe.engine.sink;

import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.probe.spi.ResultSink;
import java.util.ArrayList;
import java.util.List;

/** Keeps every result in memory, for tests and small embedders. Thread-safe. */
public final class InMemorySink implements ResultSink {
    private final List<ProbeResult> results = new ArrayList<>();

    @Override
    public String name() {
        return "memory";
    }

    @Override
    public synchronized void export(List<ProbeResult> batch) {
        results.addAll(batch);
    }

    /** A copy of the results received so far, in delivery order. */
    public synchronized List<ProbeResult> results() {
        return List.copyOf(results);
    }

    public synchronized int size() {
        return results.size();
    }

    public synchronized void clear() {
        results.clear();
    }
}
