package dev.vantage.server.results;

import dev.vantage.probe.engine.sink.SinkQueue;
import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.server.config.ServerConfig;
import dev.vantage.sink.influxdb.InfluxDbSink;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * Passes every newly stored result on to InfluxDB, labelled with the agent's id ({@code agent}) and the labels the
 * server keeps for that agent ({@code region}, {@code isp}, ...), which win over labels the agent sent. Results
 * wait in the engine's bounded {@link SinkQueue}, so storing never waits on InfluxDB; what does not fit is dropped
 * and counted ({@code vantage.sink.dropped{sink="influxdb"}}).
 */
public final class InfluxExport implements BiConsumer<String, List<ProbeResult>>, AutoCloseable {
    // an agent's labels may be changed through the API: look them up again now and then
    private static final Duration LABELS_TTL = Duration.ofMinutes(1);

    /** The labels the server keeps for an agent (empty for an unknown one); the agents slice provides them. */
    @FunctionalInterface
    public interface AgentLabels {
        Map<String, String> of(String agentId);
    }

    private record Labels(Map<String, String> values, Instant loaded) {
    }

    private final SinkQueue queue;
    private final AgentLabels agents;
    private final Clock clock;
    private final Map<String, Labels> labels = new ConcurrentHashMap<>();

    private InfluxExport(SinkQueue queue, AgentLabels agents, Clock clock) {
        this.queue = queue;
        this.agents = agents;
        this.clock = clock;
    }

    public static InfluxExport start(ServerConfig config, AgentLabels agents, MeterRegistry registry, Clock clock) {
        InfluxDbSink sink = InfluxDbSink.builder().url(config.influxUrl()).token(config.influxToken().value())
                .org(config.influxOrg()).bucket(config.influxBucket()).meterRegistry(registry).build();
        return new InfluxExport(new SinkQueue(sink, 65_536, 1_000, registry), agents, clock);
    }

    @Override
    public void accept(String agentId, List<ProbeResult> stored) {
        Map<String, String> agentLabels = labelsOf(agentId);
        for (ProbeResult r : stored) {
            queue.offer(r.toBuilder().labels(agentLabels).label("agent", agentId).build());
        }
    }

    private Map<String, String> labelsOf(String agentId) {
        Instant now = clock.instant();
        Labels cached = labels.get(agentId);
        if (cached == null || cached.loaded().plus(LABELS_TTL).isBefore(now)) {
            cached = new Labels(agents.of(agentId), now);
            labels.put(agentId, cached);
        }
        return cached.values();
    }

    @Override
    public void close() {
        queue.close();
    }
}
