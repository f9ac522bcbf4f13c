package dev.vantage.server.dispatch;

import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.server.config.ServerConfig;
import dev.vantage.server.db.Database;
import dev.vantage.server.results.ResultStore;
import dev.vantage.server.results.StoredCount;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * How accepted results reach the database and how changes reach replicas other than this one. Two kinds:
 * {@link InProcessDispatch} (one server: results stored at once, nobody else to tell) and {@link AmqpDispatch}
 * (several replicas: results through a RabbitMQ quorum queue, control messages on a fanout exchange).
 */
public interface Dispatch extends AutoCloseable {

    /**
     * Takes one batch from an agent. The stage completes when the batch is safe (committed, or confirmed by the
     * broker) with the counts, and fails when it is not: then the agent must send it again.
     */
    CompletionStage<StoredCount> store(String agentId, List<ProbeResult> results);

    /** Tells every other replica; the caller applies the change locally itself. Best effort, never blocks long. */
    void broadcast(Control message);

    /** Adds a listener for control messages from other replicas (and {@link Control#RESYNC}). */
    void listen(Consumer<Control> listener);

    /**
     * Hands newly stored results to the cluster's active {@link Evaluator}: this replica's own, or, with several
     * replicas, whichever one is active. Never blocks; called once per stored batch, duplicates left out.
     */
    void evaluate(String agentId, List<ProbeResult> stored);

    /** Offers this replica's evaluator: it is activated at once on one server, or when its turn comes among replicas. */
    void evaluateWith(Evaluator evaluator);

    /** Whether other replicas may share this database, so local views (who is connected) are not the whole truth. */
    boolean distributed();

    /** This replica's id. */
    String replicaId();

    @Override
    void close();

    /** The dispatch the configuration asks for: RabbitMQ when {@code vantage.amqp.uri} is set. */
    static Dispatch create(ServerConfig config, ResultStore results, Database db, MeterRegistry registry) {
        return config.amqp().enabled()
                ? AmqpDispatch.start(config.amqp(), config.replicaId(), results, db, registry, true)
                : new InProcessDispatch(results, config.replicaId());
    }
}
