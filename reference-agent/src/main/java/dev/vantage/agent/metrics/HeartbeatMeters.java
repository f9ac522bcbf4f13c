package dev.vantage.agent.metrics;

import dev.vantage.agent.protocol.AgentMeter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The snapshot of the agent's meters a heartbeat carries to the server ({@link AgentMeter}): read from the same
 * registry the agent's own {@code /metrics} serves, so both tell the same figures.
 */
public final class HeartbeatMeters {
    private final MeterRegistry registry;

    /** @param registry the engine's registry, with {@link AgentMeters} bound to it */
    public HeartbeatMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    /** The meters now; a meter the platform lacks (e.g. no load average) is absent or non-finite, and not sent. */
    public Map<AgentMeter, Double> snapshot() {
        Map<AgentMeter, Double> m = new EnumMap<>(AgentMeter.class);
        for (AgentMeter meter : AgentMeter.values()) {
            double v = switch (meter) {
                case SCHEDULER_LAG_P99 -> p99Seconds("vantage.scheduler.lag");
                case SCHEDULER_TASKS -> sum("vantage.scheduler.tasks");
                case PROBE_INFLIGHT -> sum("vantage.probe.inflight");
                case RESULTS_SUCCESS -> sum("vantage.probe.results", "status", "SUCCESS");
                case RESULTS_FAILURE -> sum("vantage.probe.results", "status", "FAILURE");
                case RESULTS_TIMEOUT -> sum("vantage.probe.results", "status", "TIMEOUT");
                case RESULTS_ERROR -> sum("vantage.probe.results", "status", "ERROR");
                case SPOOL_RESULTS -> sum("vantage.agent.spool.results");
                case SPOOL_BYTES -> sum("vantage.agent.spool.bytes");
                case SPOOL_DROPPED -> sum("vantage.agent.spool.dropped");
                case SINK_DROPPED -> sum("vantage.sink.dropped", "sink", "spool");
                case UPLINK_CONNECTIONS -> sum("vantage.agent.uplink.connections");
                case HEAP_USED_BYTES -> heap().getUsed();
                case HEAP_MAX_BYTES -> heap().getMax() > 0 ? heap().getMax() : Runtime.getRuntime().maxMemory();
                case PROCESS_CPU -> sum("process.cpu.usage");
                case SYSTEM_CPU -> sum("system.cpu.usage");
                case SYSTEM_LOAD_1M -> nonNegative(sum("system.load.average.1m"));
                case HOST_MEMORY_FREE_BYTES -> sum("vantage.host.memory.free");
                case HOST_MEMORY_TOTAL_BYTES -> sum("vantage.host.memory.total");
                case DATA_DISK_FREE_BYTES -> sum("disk.free");
                case DATA_DISK_TOTAL_BYTES -> sum("disk.total");
                case PROCESS_UPTIME_SECONDS -> sum("process.uptime");
            };
            if (Double.isFinite(v)) {
                m.put(meter, v);
            }
        }
        return m;
    }

    /** The sum of the first measurement (value or count, in base units) of every meter of that name and tags. */
    private double sum(String name, String... tags) {
        var meters = registry.find(name).tags(tags).meters();
        if (meters.isEmpty()) {
            return Double.NaN;
        }
        double total = 0;
        for (Meter meter : meters) {
            total += meter.measure().iterator().next().getValue();
        }
        return total;
    }

    private double p99Seconds(String name) {
        Timer t = registry.find(name).timer();
        if (t == null) {
            return Double.NaN;
        }
        for (ValueAtPercentile p : t.takeSnapshot().percentileValues()) {
            if (p.percentile() == 0.99) {
                return p.value(TimeUnit.SECONDS);
            }
        }
        return Double.NaN;
    }

    private static MemoryUsage heap() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    }

    private static double nonNegative(double v) {
        return v < 0 ? Double.NaN : v; // the JDK's "not available"
    }
}
