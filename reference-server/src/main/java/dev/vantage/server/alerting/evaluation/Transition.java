package dev.vantage.server.alerting.evaluation;

import java.time.Instant;
import java.util.List;

/**
 * A change of an alert that people hear of: it started firing, it still fires (a reminder), or it resolved.
 *
 * @param badAgents      the agents judged bad when it happened (empty for a merged scope or a resolution)
 * @param evidence       ids of the latest results of the bad agents (or of the merged series), newest last
 * @param summary        what the verdict was based on, for people (in their language)
 * @param resultNanos    {@link System#nanoTime()} when the stored result that caused it reached alerting, for the
 *                       latency from storage to notification; 0 when time alone caused it (a timer, a reminder) or
 *                       in a preview
 */
public record Transition(Kind kind, String ruleId, String taskId, Instant at, List<String> badAgents,
                         List<String> evidence, Summary summary, long resultNanos) {
    public enum Kind { FIRING, REMINDER, RESOLVED }

    public Transition {
        badAgents = List.copyOf(badAgents);
        evidence = List.copyOf(evidence);
    }

    /** A transition that no result caused (yet): see {@link #causedBy}. */
    public Transition(Kind kind, String ruleId, String taskId, Instant at, List<String> badAgents, List<String> evidence,
                      Summary summary) {
        this(kind, ruleId, taskId, at, badAgents, evidence, summary, 0);
    }

    /** This transition, caused by a result that reached alerting at {@code resultNanos}. */
    public Transition causedBy(long resultNanos) {
        return new Transition(kind, ruleId, taskId, at, badAgents, evidence, summary, resultNanos);
    }
}
