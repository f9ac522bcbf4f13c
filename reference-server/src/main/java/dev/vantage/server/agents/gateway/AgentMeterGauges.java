package dev.vantage.server.agents.gateway;

import dev.vantage.agent.protocol.AgentMeter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.ToDoubleFunction;

/**
 * The meters connected agents forward in their heartbeats, as {@code vantage_agent_*{agent="<id>"}} series of this
 * replica's {@code /metrics}. An agent's series exist while it is connected here: they are removed when its
 * connection closes (a deleted agent's is closed), so Prometheus marks them stale rather than repeating old values.
 * Names come only from {@link AgentMeter}, so the series are bounded by agents × that list.
 */
final class AgentMeterGauges {
    private final MeterRegistry registry;
    /** agentId -> its latest values and the meters registered for it; guarded by this. */
    private final Map<String, Agent> agents = new HashMap<>();

    private static final class Agent {
        volatile Map<AgentMeter, Double> values = Map.of();
        final Map<AgentMeter, Meter> meters = new EnumMap<>(AgentMeter.class);
    }

    AgentMeterGauges(MeterRegistry registry) {
        this.registry = registry;
    }

    /**
     * The agent's latest heartbeat meters; a meter it stops sending reads NaN. Nothing happens unless
     * {@code connected} (checked under the same lock as {@link #remove}), so a heartbeat read while the connection
     * closes cannot bring the series back.
     */
    synchronized void update(String agentId, Map<AgentMeter, Double> values, BooleanSupplier connected) {
        if (values.isEmpty() || !connected.getAsBoolean()) {
            return;
        }
        Agent a = agents.computeIfAbsent(agentId, k -> new Agent());
        a.values = values;
        values.keySet().forEach(m -> a.meters.computeIfAbsent(m, k -> register(agentId, a, k)));
    }

    /** Removes the agent's series: it disconnected from this replica. */
    synchronized void remove(String agentId) {
        Agent a = agents.remove(agentId);
        if (a != null) {
            a.meters.values().forEach(registry::remove);
        }
    }

    private Meter register(String agentId, Agent a, AgentMeter m) {
        ToDoubleFunction<Agent> value = x -> x.values.getOrDefault(m, Double.NaN);
        Tags tags = Tags.of("agent", agentId);
        return switch (m) {
            case SCHEDULER_LAG_P99 -> gauge("vantage.agent.scheduler.lag.p99", "seconds", tags, a, value,
                    "99th percentile of how late the agent's scheduled runs started");
            case SCHEDULER_TASKS -> gauge("vantage.agent.scheduler.tasks", null, tags, a, value, "Tasks the agent schedules");
            case PROBE_INFLIGHT -> gauge("vantage.agent.probe.inflight", null, tags, a, value, "Attempts running on the agent");
            case RESULTS_SUCCESS, RESULTS_FAILURE, RESULTS_TIMEOUT, RESULTS_ERROR -> counter("vantage.agent.probe.results",
                    tags.and("status", m.name().substring("RESULTS_".length())), a, value, "The agent's results by status");
            case SPOOL_RESULTS -> gauge("vantage.agent.spool.results", null, tags, a, value,
                    "Results in the agent's spool, not yet acknowledged");
            case SPOOL_BYTES -> gauge("vantage.agent.spool.bytes", "bytes", tags, a, value, "Bytes in the agent's spool");
            case SPOOL_DROPPED -> counter("vantage.agent.spool.dropped", tags, a, value,
                    "Results the agent's spool dropped by its bounds");
            case SINK_DROPPED -> counter("vantage.agent.sink.dropped", tags, a, value,
                    "Results the agent dropped before its spool (queue full)");
            case UPLINK_CONNECTIONS -> counter("vantage.agent.uplink.connections", tags, a, value,
                    "Connections the agent opened to a server since it started");
            case HEAP_USED_BYTES -> gauge("vantage.agent.heap.used", "bytes", tags, a, value, "The agent's JVM heap in use");
            case HEAP_MAX_BYTES -> gauge("vantage.agent.heap.max", "bytes", tags, a, value, "The agent's JVM heap limit");
            case PROCESS_CPU -> gauge("vantage.agent.process.cpu.usage", null, tags, a, value,
                    "CPU use of the agent's process, 0..1 of its host");
            case SYSTEM_CPU -> gauge("vantage.agent.system.cpu.usage", null, tags, a, value, "CPU use of the agent's host, 0..1");
            case SYSTEM_LOAD_1M -> gauge("vantage.agent.system.load.average.1m", null, tags, a, value,
                    "1-minute load average of the agent's host");
            case HOST_MEMORY_FREE_BYTES -> gauge("vantage.agent.host.memory.free", "bytes", tags, a, value,
                    "Free physical memory of the agent's host");
            case HOST_MEMORY_TOTAL_BYTES -> gauge("vantage.agent.host.memory.total", "bytes", tags, a, value,
                    "Physical memory of the agent's host");
            case DATA_DISK_FREE_BYTES -> gauge("vantage.agent.data.disk.free", "bytes", tags, a, value,
                    "Free space of the file system holding the agent's data directory");
            case DATA_DISK_TOTAL_BYTES -> gauge("vantage.agent.data.disk.total", "bytes", tags, a, value,
                    "Size of the file system holding the agent's data directory");
            case PROCESS_UPTIME_SECONDS -> gauge("vantage.agent.process.uptime", "seconds", tags, a, value,
                    "Time since the agent's process started");
        };
    }

    private Meter gauge(String name, String unit, Tags tags, Agent a, ToDoubleFunction<Agent> value, String description) {
        return Gauge.builder(name, a, value).baseUnit(unit).tags(tags).description(description).register(registry);
    }

    private Meter counter(String name, Tags tags, Agent a, ToDoubleFunction<Agent> value, String description) {
        return FunctionCounter.builder(name, a, value).tags(tags).description(description).register(registry);
    }
}
