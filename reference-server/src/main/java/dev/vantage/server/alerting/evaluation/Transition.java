package dev.vantage.server.alerting.evaluation;

import java.time.Instant;
import java.util.List;

/**
 * A change of an alert that people hear of: it started firing, it still fires (a reminder), or it resolved.
 *
 * @param badAgents the agents judged bad when it happened (empty for a merged scope or a resolution)
 * @param evidence  ids of the latest results of the bad agents (or of the merged series), newest last
 * @param summary   what the verdict was based on, for people
 */
public record Transition(Kind kind, String ruleId, String taskId, Instant at, List<String> badAgents,
                         List<String> evidence, String summary) {
    public enum Kind { FIRING, REMINDER, RESOLVED }

    public Transition {
        badAgents = List.copyOf(badAgents);
        evidence = List.copyOf(evidence);
    }
}
