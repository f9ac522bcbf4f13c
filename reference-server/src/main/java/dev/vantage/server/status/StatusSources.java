package dev.vantage.server.status;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What a public status page shows of its tasks, asked of the other slices (tasks, rollups, incidents); the server
 * wires it. Each call reads the database: {@link PublicStatus} calls them only when it rebuilds a page.
 */
public interface StatusSources {
    /** One UTC day of a task's results, all agents merged, from the 1-day rollups. */
    record Day(Instant start, long count, double availability) {
    }

    /** An incident still open, its summary in the reader's language. */
    record OpenIncident(Instant startedAt, String summary) {
    }

    /** The task's target, or empty when there is no such task. */
    Optional<String> target(String taskId);

    /** The task's days with results in {@code [from, to)}, oldest first. */
    List<Day> daily(String taskId, Instant from, Instant to);

    /** Share of successful results (percent) in the newest minute with results in {@code [from, to)}; empty if none. */
    Optional<Double> latestAvailability(String taskId, Instant from, Instant to);

    List<OpenIncident> openIncidents(String taskId, Locale locale);
}
