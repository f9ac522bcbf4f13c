package dev.vantage.server.alerting.rules;

import java.time.Instant;

/**
 * An alert rule as the server keeps it: its definition (name, tasks, condition, timers, channels) and its
 * bookkeeping. {@code revision} grows by one with every change.
 */
public record StoredRule(String id, RuleJson.Definition definition, String createdBy, Instant createdAt,
                         Instant updatedAt, long revision) {

    /** How it judges, for the evaluation. */
    public AlertRule rule() {
        return definition.rule(id);
    }

    public boolean enabled() {
        return definition.enabled();
    }

    public TaskMatch tasks() {
        return definition.tasks();
    }
}
