package dev.vantage.agent.protocol;

import dev.vantage.probe.engine.TaskSpec;
import dev.vantage.probe.spi.ProbeResult;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One frame of the agent WebSocket (docs/agent-protocol.md). Each record is one message {@code type}; lists and
 * maps are copied, so messages are immutable values.
 */
public sealed interface Message {

    /** The JSON {@code type} of this message. */
    String type();

    // ---- agent -> server ----

    /**
     * First message on a connection: who the agent is and what it can run. The agent speaks every protocol version
     * from {@code protocol} to {@code maxProtocol}; the server answers with the highest one both speak, so a fleet
     * can run mixed versions during a rollout ({@link ProtocolVersions}).
     */
    record Hello(int protocol, int maxProtocol, String agentVersion, Capabilities capabilities,
                 Map<String, String> labels) implements Message {
        /** The lowest version this code speaks (what a version 1 server compares). */
        public static final int PROTOCOL = ProtocolVersions.MIN;

        public Hello {
            Objects.requireNonNull(agentVersion, "agentVersion");
            Objects.requireNonNull(capabilities, "capabilities");
            if (maxProtocol < protocol) {
                throw new IllegalArgumentException("maxProtocol " + maxProtocol + " is below protocol " + protocol);
            }
            labels = Map.copyOf(labels);
        }

        /** A peer that speaks one version only. */
        public Hello(int protocol, String agentVersion, Capabilities capabilities, Map<String, String> labels) {
            this(protocol, protocol, agentVersion, capabilities, labels);
        }

        @Override
        public String type() {
            return "hello";
        }
    }

    /** Liveness plus the agent's resource use. */
    /**
     * Liveness plus the agent's resource use; {@code meters} is a snapshot of the agent's own meters for the
     * server's {@code /metrics} (empty from agents that send none). Non-finite values are left out.
     */
    record Heartbeat(java.time.Instant sentAt, AgentStats stats, Map<AgentMeter, Double> meters) implements Message {
        public Heartbeat {
            Objects.requireNonNull(sentAt, "sentAt");
            Objects.requireNonNull(stats, "stats");
            java.util.EnumMap<AgentMeter, Double> finite = new java.util.EnumMap<>(AgentMeter.class);
            meters.forEach((k, v) -> {
                if (Double.isFinite(v)) {
                    finite.put(k, v);
                }
            });
            meters = java.util.Collections.unmodifiableMap(finite);
        }

        /** A heartbeat without meters, as agents before them send. */
        public Heartbeat(java.time.Instant sentAt, AgentStats stats) {
            this(sentAt, stats, Map.of());
        }

        @Override
        public String type() {
            return "heartbeat";
        }
    }

    /** A batch of results that is already in the agent's spool; {@code batch} is unique per agent. */
    record Results(String batch, List<ProbeResult> results) implements Message {
        public Results {
            Objects.requireNonNull(batch, "batch");
            results = List.copyOf(results);
        }

        @Override
        public String type() {
            return "results";
        }
    }

    /** A task the agent cannot run. */
    record Rejected(String taskId, String reason) implements Message {
        public Rejected {
            Objects.requireNonNull(taskId, "taskId");
            Objects.requireNonNull(reason, "reason");
        }

        @Override
        public String type() {
            return "rejected";
        }
    }

    // ---- server -> agent ----

    /**
     * Answer to {@link Hello}: the complete task set; the agent stops anything not in it. {@code protocol} is the
     * version chosen for this connection (1 when a version 1 server leaves it out).
     */
    record Welcome(String agentId, Duration heartbeatInterval, Policy policy, List<TaskSpec> tasks, int protocol)
            implements Message {
        public Welcome {
            Objects.requireNonNull(agentId, "agentId");
            Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
            Objects.requireNonNull(policy, "policy");
            tasks = List.copyOf(tasks);
        }

        /** A welcome on protocol version 1. */
        public Welcome(String agentId, Duration heartbeatInterval, Policy policy, List<TaskSpec> tasks) {
            this(agentId, heartbeatInterval, policy, tasks, ProtocolVersions.MIN);
        }

        @Override
        public String type() {
            return "welcome";
        }
    }

    /** Changes to the task set after {@link Welcome}: replace by id, or remove. */
    record TaskChanges(List<TaskSpec> upsert, List<String> remove) implements Message {
        public TaskChanges {
            upsert = List.copyOf(upsert);
            remove = List.copyOf(remove);
        }

        @Override
        public String type() {
            return "tasks";
        }
    }

    /** The agent's address policy changed. */
    record PolicyUpdate(Policy policy) implements Message {
        public PolicyUpdate {
            Objects.requireNonNull(policy, "policy");
        }

        @Override
        public String type() {
            return "policy";
        }
    }

    /** Run one probe now; its results carry {@code id} as their task id. */
    record InstantTest(String id, TaskSpec task) implements Message {
        public InstantTest {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(task, "task");
        }

        @Override
        public String type() {
            return "instant";
        }
    }

    /** A results batch is stored; the agent may delete it from its spool. */
    record Ack(String batch, int stored, int duplicates) implements Message {
        public Ack {
            Objects.requireNonNull(batch, "batch");
        }

        @Override
        public String type() {
            return "ack";
        }
    }

    /**
     * Protocol 2: switch to agent release {@code version}. The agent downloads it ({@code GET /ws/agent/releases/
     * {version}} with its credential), checks its {@code size} and {@code sha256} (hex) and the release key's
     * Ed25519 {@code signature} (base64) over {@link #signedText}, and answers with {@link UpdateStatus}es.
     */
    record Update(String version, long size, String sha256, String signature) implements Message {
        public Update {
            Objects.requireNonNull(version, "version");
            Objects.requireNonNull(sha256, "sha256");
            Objects.requireNonNull(signature, "signature");
        }

        /**
         * What the release key signs: the version and the artifact's checksum, so that a signature cannot be moved
         * to another version (a downgrade) or another artifact.
         */
        public static String signedText(String version, String sha256) {
            return "vantage-agent release " + version + " sha256:" + sha256;
        }

        @Override
        public String type() {
            return "update";
        }
    }

    /**
     * Protocol 2: how an {@link Update} is going. {@code state} is one of {@link #STATES}; {@code reason} says why
     * for {@code failed} and {@code rolledBack}, else null.
     */
    record UpdateStatus(String version, String state, String reason) implements Message {
        public static final String DOWNLOADING = "downloading";
        public static final String SWITCHING = "switching";
        public static final String HEALTHY = "healthy";
        public static final String FAILED = "failed";
        public static final String ROLLED_BACK = "rolledBack";
        public static final List<String> STATES = List.of(DOWNLOADING, SWITCHING, HEALTHY, FAILED, ROLLED_BACK);

        public UpdateStatus {
            Objects.requireNonNull(version, "version");
            if (!STATES.contains(state)) {
                throw new IllegalArgumentException("state must be one of " + STATES + ", got " + state);
            }
        }

        @Override
        public String type() {
            return "updateStatus";
        }
    }

    /** The peer could not understand a message; the connection stays open. */
    record ErrorReply(String message) implements Message {
        public ErrorReply {
            Objects.requireNonNull(message, "message");
        }

        @Override
        public String type() {
            return "error";
        }
    }

    // ---- values used inside messages ----

    /** What an agent can run. {@code icmpMode} is {@code datagram}, {@code raw} or {@code none}. */
    record Capabilities(List<Plugin> plugins, String icmpMode, boolean ipv6) {
        public Capabilities {
            plugins = List.copyOf(plugins);
            Objects.requireNonNull(icmpMode, "icmpMode");
        }

        /** The probe types, for matching tasks to agents. */
        public List<String> types() {
            return plugins.stream().map(Plugin::type).toList();
        }
    }

    /** One installed probe plugin. */
    record Plugin(String type, String version) {
        public Plugin {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(version, "version");
        }
    }

    /** Resource use reported with each heartbeat. */
    record AgentStats(double cpuLoad, double systemLoad, long memoryUsedBytes, long memoryMaxBytes, int tasks,
                      long spooledResults, long spooledBytes, long droppedResults) {
    }
}
