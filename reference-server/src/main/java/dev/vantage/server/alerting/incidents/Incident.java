package dev.vantage.server.alerting.incidents;

import dev.vantage.server.alerting.evaluation.Summary;
import java.time.Instant;

/**
 * One firing of a rule on a task, from the moment it fired until it resolved ({@code resolvedAt} null while open).
 */
public record Incident(String id, String ruleId, String taskId, Instant startedAt, Instant resolvedAt,
                       String acknowledgedBy, Instant acknowledgedAt, Summary summary) {
    public boolean open() {
        return resolvedAt == null;
    }
}
