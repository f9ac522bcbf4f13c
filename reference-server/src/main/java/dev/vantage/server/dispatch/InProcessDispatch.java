package dev.vantage.server.dispatch;

import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.server.results.ResultStore;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/** One server, no broker: a batch is stored on the caller's thread and is safe once committed. */
public final class InProcessDispatch implements Dispatch {
    private final ResultStore results;
    private final String replicaId;

    public InProcessDispatch(ResultStore results, String replicaId) {
        this.results = results;
        this.replicaId = replicaId;
    }

    @Override
    public CompletionStage<int[]> store(String agentId, List<ProbeResult> batch) {
        try {
            return CompletableFuture.completedFuture(results.storeBatch(agentId, batch));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public void broadcast(Control message) {
        // no other replica
    }

    @Override
    public void listen(Consumer<Control> listener) {
        // nothing will ever arrive
    }

    @Override
    public boolean distributed() {
        return false;
    }

    @Override
    public String replicaId() {
        return replicaId;
    }

    @Override
    public void close() {
    }
}
