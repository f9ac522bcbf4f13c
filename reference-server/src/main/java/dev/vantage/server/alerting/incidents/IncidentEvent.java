package dev.vantage.server.alerting.incidents;

import dev.vantage.server.alerting.evaluation.Summary;
import java.time.Instant;
import java.util.List;

/**
 * One entry of an incident's timeline.
 *
 * @param kind      {@code firing}, {@code reminder}, {@code resolved}, {@code acknowledged} or {@code note}
 * @param actor     who acknowledged or wrote the note; {@code null} for what the rule did
 * @param evidence    ids of the results that caused it
 * @param silencedBy  the silence that kept it from being sent, or {@code null}
 */
public record IncidentEvent(String id, String incidentId, Instant at, String kind, String actor, Summary summary,
                            List<String> badAgents, List<String> evidence, String silencedBy) {
    public IncidentEvent {
        badAgents = List.copyOf(badAgents);
        evidence = List.copyOf(evidence);
    }
}
