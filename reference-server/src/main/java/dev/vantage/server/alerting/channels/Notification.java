package dev.vantage.server.alerting.channels;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One message about an incident, as channels render it.
 *
 * @param kind      what happened
 * @param incidentId the incident it belongs to
 * @param ruleName  the alert rule's name
 * @param taskName  the task's name (its id when it has none)
 * @param target    what the task probes, e.g. {@code https://example.com/}
 * @param at        when it happened
 * @param summary   what the verdict was based on ("2 of 3 agents bad; ...")
 * @param badAgents the names of the agents judged bad
 * @param link      the incident in the web UI
 */
public record Notification(Kind kind, String incidentId, String ruleName, String taskName, String target, Instant at,
                           String summary, List<String> badAgents, URI link) {
    public enum Kind { FIRING, REMINDER, RESOLVED, TEST }

    public Notification {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(at, "at");
        badAgents = List.copyOf(badAgents);
    }
}
