package dev.vantage.server.alerting.evaluation;

import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.server.alerting.rules.AlertRule;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What a rule would have done: the results of a task, in the order they arrived, judged by a fresh alert exactly as
 * the engine judges them, in simulated time. Pure: the caller reads the results.
 */
public final class Preview {
    /** One stored result and the agent it came from. */
    public record Stored(String agentId, ProbeResult result) {
    }

    private Preview() {
    }

    /** The transitions the rule would have made on {@code taskId} over {@code results} (oldest first), up to {@code end}. */
    public static List<Transition> run(AlertRule rule, String taskId, List<Stored> results, Duration staleAfter, Instant end) {
        AlertInstance alert = new AlertInstance(rule, taskId, staleAfter);
        List<Transition> out = new ArrayList<>();
        for (Stored s : results) {
            Instant arrived = s.result().startedAt().plus(s.result().duration() == null ? Duration.ZERO : s.result().duration());
            alert.add(s.agentId(), s.result(), arrived).ifPresent(out::add);
        }
        alert.tick(end).ifPresent(out::add);
        return out;
    }
}
