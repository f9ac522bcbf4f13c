package dev.vantage.server.sla;

import dev.vantage.server.results.rollups.Resolution;
import dev.vantage.server.results.rollups.Rollup;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/** What SLA reports need of the other slices (tasks, rollups, silences); the server wires it. */
public interface SlaSources {
    /** The ids of all tasks, sorted. */
    List<String> taskIds();

    boolean taskExists(String taskId);

    /** A task's rollups of one resolution with buckets starting in {@code [from, to)}, all agents merged per bucket. */
    Map<Instant, Rollup> merged(String taskId, Resolution resolution, Instant from, Instant to);

    /**
     * Whether a minute lies in a maintenance window of the task (a silence of every alert rule matching it), or empty
     * when no such window applies to the task at all.
     */
    Optional<Predicate<Instant>> maintenance(String taskId);
}
