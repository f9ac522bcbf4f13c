package dev.vantage.agent.protocol;

import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The agent meters a heartbeat may carry (its {@code meters} object, docs/agent-protocol.md). The list is fixed so
 * that a server's series stay bounded whatever an agent sends: a key not listed here is dropped when the frame is
 * read. A newer agent may send keys an older server does not know; they are dropped the same way.
 */
public enum AgentMeter {
    /** 99th percentile of how late scheduled runs started (the engine's recent window). */
    SCHEDULER_LAG_P99("schedulerLagP99Seconds", Kind.GAUGE),
    SCHEDULER_TASKS("schedulerTasks", Kind.GAUGE),
    PROBE_INFLIGHT("probeInflight", Kind.GAUGE),
    RESULTS_SUCCESS("resultsSuccess", Kind.COUNTER),
    RESULTS_FAILURE("resultsFailure", Kind.COUNTER),
    RESULTS_TIMEOUT("resultsTimeout", Kind.COUNTER),
    RESULTS_ERROR("resultsError", Kind.COUNTER),
    SPOOL_RESULTS("spoolResults", Kind.GAUGE),
    SPOOL_BYTES("spoolBytes", Kind.GAUGE),
    /** Results dropped by the spool's bounds. */
    SPOOL_DROPPED("spoolDropped", Kind.COUNTER),
    /** Results dropped before the spool, its engine queue being full. */
    SINK_DROPPED("sinkDropped", Kind.COUNTER),
    /** Connections the uplink opened since the agent started: it grows with every reconnect. */
    UPLINK_CONNECTIONS("uplinkConnections", Kind.COUNTER),
    HEAP_USED_BYTES("heapUsedBytes", Kind.GAUGE),
    HEAP_MAX_BYTES("heapMaxBytes", Kind.GAUGE),
    /** CPU use of the agent's process, 0..1 of the machine. */
    PROCESS_CPU("processCpu", Kind.GAUGE),
    /** CPU use of the whole machine, 0..1. */
    SYSTEM_CPU("systemCpu", Kind.GAUGE),
    SYSTEM_LOAD_1M("systemLoad1m", Kind.GAUGE),
    HOST_MEMORY_FREE_BYTES("hostMemoryFreeBytes", Kind.GAUGE),
    HOST_MEMORY_TOTAL_BYTES("hostMemoryTotalBytes", Kind.GAUGE),
    /** Free space of the file system holding the agent's data directory (its spool). */
    DATA_DISK_FREE_BYTES("dataDiskFreeBytes", Kind.GAUGE),
    DATA_DISK_TOTAL_BYTES("dataDiskTotalBytes", Kind.GAUGE),
    PROCESS_UPTIME_SECONDS("processUptimeSeconds", Kind.GAUGE);

    /** A gauge is a level; a counter only grows while the agent runs (it restarts from 0 with the agent). */
    public enum Kind { GAUGE, COUNTER }

    private static final Map<String, AgentMeter> BY_KEY = Stream.of(values())
            .collect(Collectors.toUnmodifiableMap(AgentMeter::key, Function.identity()));

    private final String key;
    private final Kind kind;

    AgentMeter(String key, Kind kind) {
        this.key = key;
        this.kind = kind;
    }

    /** The key in the heartbeat's {@code meters} object. */
    public String key() {
        return key;
    }

    public Kind kind() {
        return kind;
    }

    /** The meter of a heartbeat key, or empty for a key not on the list. */
    public static Optional<AgentMeter> byKey(String key) {
        return Optional.ofNullable(BY_KEY.get(key));
    }
}
