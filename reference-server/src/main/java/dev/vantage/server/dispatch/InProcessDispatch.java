package dev.vantage.server.dispatch;

import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.server.results.ResultStore;
import dev.vantage.server.results.StoredCount;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One server, no broker: a batch is safe once committed. One writer thread stores every batch waiting, from any
 * number of agents, in one transaction, while each caller waits for its own: with a commit written to disk at once
 * (H2's {@code WRITE_DELAY=0}), one commit per agent batch would cost more than the inserts.
 */
public final class InProcessDispatch implements Dispatch {
    /** Most batches stored together: bounds the transaction (at 200 results a batch, 100,000 rows). */
    private static final int MAX_GROUP = 500;

    private record Pending(ResultStore.Batch batch, CompletableFuture<StoredCount> done) {
    }

    private final ResultStore results;
    private final String replicaId;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    private volatile boolean closed;
    private volatile Evaluator evaluator;

    public InProcessDispatch(ResultStore results, String replicaId) {
        this.results = results;
        this.replicaId = replicaId;
        this.writer = Thread.ofVirtual().name("result-writer").start(this::write);
    }

    @Override
    public CompletionStage<StoredCount> store(String agentId, List<ProbeResult> batch) {
        try {
            ResultStore.validate(batch); // refused alone, before it could fail the other agents' batches
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("the server is stopping"));
        }
        Pending p = new Pending(new ResultStore.Batch(agentId, batch), new CompletableFuture<>());
        queue.add(p);
        // not waited for here: an agent's next batches, sent before this one is acked, join the same transaction
        // (issue 13: waiting made one agent's batches one commit each, ~2,000 results/s, and left its socket
        // unread meanwhile). The stage completes on the writer thread: callers move their follow-up work off it.
        return p.done();
    }

    private void write() {
        List<Pending> group = new ArrayList<>();
        while (!closed || !queue.isEmpty()) {
            try {
                Pending first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                group.clear();
                group.add(first);
                queue.drainTo(group, MAX_GROUP - 1);
                store(group);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Completes each batch with its own counts; a failure fails them all (their agents send them again). */
    private void store(List<Pending> group) {
        try {
            List<StoredCount> counts = results.storeEach(group.stream().map(Pending::batch).toList());
            for (int i = 0; i < group.size(); i++) {
                group.get(i).done().complete(counts.get(i));
            }
        } catch (RuntimeException e) {
            group.forEach(p -> p.done().completeExceptionally(e));
        }
    }

    @Override
    public void evaluate(String agentId, List<ProbeResult> stored) {
        Evaluator e = evaluator;
        if (e != null) {
            e.judge(agentId, stored);
        }
    }

    @Override
    public void evaluateWith(Evaluator evaluator) {
        evaluator.activate(); // the only replica: always its turn
        this.evaluator = evaluator;
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

    /** Stores what is queued, then stops the writer. */
    @Override
    public void close() {
        closed = true;
        try {
            writer.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        writer.interrupt();
    }
}
