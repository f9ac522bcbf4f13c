package dev.vantage.server.alerting.rules;

import java.time.Instant;
import java.util.List;

/**
 * An alert rule as the server keeps it: its name, the tasks it watches, how it judges them ({@link AlertRule}), where
 * its notifications go, and its bookkeeping. {@code revision} grows by one with every change.
 */
public record StoredRule(String id, String name, TaskMatch tasks, AlertRule rule, List<String> channelIds,
                         boolean enabled, String createdBy, Instant createdAt, Instant updatedAt, long revision) {
    public StoredRule {
        channelIds = List.copyOf(channelIds);
    }
}
