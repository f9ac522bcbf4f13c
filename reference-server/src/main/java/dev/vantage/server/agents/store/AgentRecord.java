package dev.vantage.server.agents.store;

import dev.vantage.agent.protocol.Message.AgentStats;
import dev.vantage.agent.protocol.Message.Capabilities;
import java.time.Instant;
import java.util.Map;

/**
 * An agent as the server keeps it. {@code capabilities} and {@code stats} are null until the agent first says
 * hello and sends a heartbeat; {@code version} is empty until then.
 */
public record AgentRecord(String id, String name, Map<String, String> labels, AgentPolicy policy, String version,
                          Capabilities capabilities, AgentStats stats, boolean online, Instant lastSeen,
                          Instant createdAt, Instant revokedAt) {

    public AgentRecord {
        labels = Map.copyOf(labels);
    }

    public boolean revoked() {
        return revokedAt != null;
    }
}
