package dev.vantage.agent.metrics;

import dev.vantage.agent.spool.Spool;
import dev.vantage.agent.uplink.Uplink;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.DiskSpaceMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;

/**
 * The agent's own meters beside the engine's: spool, uplink, JVM and host (CPU, load, memory, disk of the data
 * directory). The engine registers its meters itself (scheduler lag, in flight, results by status, sink queues).
 */
public final class AgentMeters implements AutoCloseable {
    private final JvmGcMetrics gc = new JvmGcMetrics();

    public AgentMeters(MeterRegistry registry, Spool spool, Uplink uplink, Path dataDir) {
        Gauge.builder("vantage.agent.spool.results", spool, s -> s.stats().results())
                .description("Results on disk waiting to be sent").register(registry);
        Gauge.builder("vantage.agent.spool.bytes", spool, s -> s.stats().bytes()).baseUnit("bytes")
                .description("Bytes on disk waiting to be sent").register(registry);
        FunctionCounter.builder("vantage.agent.spool.dropped", spool, s -> s.stats().droppedResults())
                .description("Results dropped by the spool's size and age bounds").register(registry);
        Gauge.builder("vantage.agent.uplink.connected", uplink, u -> u.connected() ? 1 : 0)
                .description("1 while connected to a server and welcomed, else 0").register(registry);
        FunctionCounter.builder("vantage.agent.uplink.connections", uplink, Uplink::connectionAttempts)
                .description("Connections to a server tried since the agent started").register(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        gc.bindTo(registry);
        new ProcessorMetrics().bindTo(registry); // system and process CPU, load average
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        new DiskSpaceMetrics(dataDir.toFile()).bindTo(registry);
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            Gauge.builder("vantage.host.memory.total", os, com.sun.management.OperatingSystemMXBean::getTotalMemorySize)
                    .baseUnit("bytes").description("Physical memory of the host").register(registry);
            Gauge.builder("vantage.host.memory.free", os, com.sun.management.OperatingSystemMXBean::getFreeMemorySize)
                    .baseUnit("bytes").description("Free physical memory of the host").register(registry);
        }
    }

    @Override
    public void close() {
        gc.close();
    }
}
