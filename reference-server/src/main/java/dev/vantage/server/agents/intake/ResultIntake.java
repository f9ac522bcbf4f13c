package dev.vantage.server.agents.intake;

import dev.vantage.agent.protocol.Message.Ack;
import dev.vantage.agent.protocol.Message.Results;
import dev.vantage.probe.engine.sink.ResultMetrics;
import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.server.live.LiveFeed;
import dev.vantage.server.results.StoredCount;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes a batch of results from an agent: admits only results of tasks the agent may write into, hands them to the
 * {@link ResultWriter}, acknowledges the batch once it is safe, and publishes the results on the live feed.
 */
public final class ResultIntake {
    private static final Logger LOG = LoggerFactory.getLogger(ResultIntake.class);

    /**
     * Where accepted results go. The stage completes with the counts once the batch is safe (committed, or confirmed
     * by the broker): only then is the agent sent its {@code ack}.
     */
    @FunctionalInterface
    public interface ResultWriter {
        CompletionStage<StoredCount> store(String agentId, List<ProbeResult> results);
    }

    /** How the intake answers the agent that sent the batch. */
    public interface Reply {
        /** Sends the acknowledgement; throws if the connection is gone (the agent will resend). */
        void ack(Ack ack);

        /** The batch was not stored: close the connection with "try again later" so the agent backs off and resends. */
        void retryLater();

        /**
         * Where the ack and what follows it run, off the thread that completed the storing (the dispatch's writer);
         * it keeps one connection's batches in the order they were accepted.
         */
        Executor executor();
    }

    /**
     * Which task ids an agent may send results for.
     *
     * @param given   tasks or instant tests given to this agent on this connection
     * @param isKnown any task or instant test that exists: results of a task changed or disabled while they sat in
     *                the agent's spool are still accepted
     */
    public record Admission(Predicate<String> given, Predicate<String> isKnown) {
        boolean admits(String taskId) {
            return given.test(taskId) || isKnown.test(taskId);
        }
    }

    private final ResultWriter writer;
    private final LiveFeed live;
    private final ResultMetrics resultMetrics;
    private final Counter stored;
    private final Counter duplicates;
    private final Counter foreign;
    private final Timer batchTimer;

    /**
     * @param resultMetrics where results of tasks (not instant tests) become {@code vantage_probe_*} series (null: off) on
     *                      {@code /metrics}
     */
    public ResultIntake(ResultWriter writer, LiveFeed live, ResultMetrics resultMetrics, MeterRegistry registry) {
        this.writer = writer;
        this.live = live;
        this.resultMetrics = resultMetrics;
        this.stored = Counter.builder("vantage.results.stored").description("Results stored from agents").register(registry);
        this.duplicates = Counter.builder("vantage.results.duplicates")
                .description("Results received again and not stored twice (agent resends)").register(registry);
        this.foreign = Counter.builder("vantage.results.refused")
                .description("Results of tasks the sending agent was not given; not stored").register(registry);
        this.batchTimer = Timer.builder("vantage.results.batch.store").description("Storing one agent batch")
                .publishPercentiles(0.5, 0.99).register(registry);
    }

    /**
     * Admits, stores and acknowledges one batch of {@code agentId}.
     *
     * @param instant whether a task id is an instant test this agent was sent (its results go to the live feed as such)
     * @return completes once the batch was acked or refused; {@code accept} itself does not wait for the storing
     */
    public CompletionStage<Void> accept(String agentId, Results batch, Admission admission, Predicate<String> instant,
                                        Reply reply) {
        List<ProbeResult> accepted = new ArrayList<>(batch.results().size());
        int refused = 0;
        for (ProbeResult r : batch.results()) {
            // results of tasks this agent was never given are not stored: an agent cannot write into other tasks
            if (admission.admits(r.taskId())) {
                accepted.add(r);
            } else {
                refused++;
            }
        }
        if (refused > 0) {
            foreign.increment(refused);
            LOG.warn("agent {} sent {} results of tasks it was not given; dropped", agentId, refused);
        }
        if (accepted.isEmpty()) {
            reply.ack(new Ack(batch.batch(), 0, 0));
            return CompletableFuture.completedFuture(null);
        }
        long start = System.nanoTime();
        return writer.store(agentId, accepted).handleAsync((counts, failure) -> {
            batchTimer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            if (failure != null) {
                // not safe, so not acked: the agent keeps the batch in its spool and sends it again after
                // reconnecting; "try again later" makes it back off instead of piling on a busy or broken backend
                LOG.warn("agent {}: batch {} not stored, closing its connection so it retries later: {}", agentId,
                        batch.batch(), failure.toString());
                reply.retryLater();
                return null;
            }
            stored.increment(counts.stored());
            duplicates.increment(counts.duplicates());
            try {
                reply.ack(new Ack(batch.batch(), counts.stored(), counts.duplicates()));
            } catch (RuntimeException e) {
                // the connection closed meanwhile: the agent resends and the store skips what it has, so the results
                // are published now or never
            }
            for (ProbeResult r : accepted) {
                boolean once = instant.test(r.taskId());
                live.publishResult(agentId, r, once);
                if (!once && resultMetrics != null) {
                    resultMetrics.record(agentId, r); // a resent result is older than the newest seen: not counted
                }
            }
            return null;
        }, reply.executor());
    }
}
