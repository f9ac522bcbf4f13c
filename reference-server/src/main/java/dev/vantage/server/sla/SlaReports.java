package dev.vantage.server.sla;

import dev.vantage.server.results.rollups.Resolution;
import dev.vantage.server.results.rollups.Rollup;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * SLA figures per task and period, from the 1-day rollups merged over all agents (never raw results). A day that
 * touches a maintenance window is read from its 1-minute rollups instead, leaving out the minutes inside the window;
 * when those are gone (older than their retention) the whole day counts and {@code maintenanceNotExcludedDays} says so.
 */
public final class SlaReports {
    private static final Duration DAY = Duration.ofDays(1);

    /**
     * One task's figures over one period. Counts are of results; {@code failures} are results that were not
     * {@code SUCCESS}. Objective-dependent fields are {@code null} without an objective (or without results).
     *
     * @param budgetRemaining percent of the error budget left (negative once overspent)
     * @param burnRate        failure rate over the allowed one: 1 spends the budget exactly by the period's end
     * @param complete        whether the period has ended
     */
    public record Row(String taskId, String period, Instant start, Instant end, boolean complete, long total,
                      long successes, long failures, Double availability, Double availabilityObjective,
                      Boolean availabilityMet, Double allowedFailures, Double budgetRemaining, Double burnRate,
                      Double latencyQuantile, Double latencyMs, Double latencyObjectiveMs, Boolean latencyMet,
                      long excludedMinutes, long excludedResults, int maintenanceNotExcludedDays) {
    }

    /** The names of a row's fields, in order: the CSV header. */
    public static final List<String> COLUMNS = java.util.Arrays.stream(Row.class.getRecordComponents())
            .map(java.lang.reflect.RecordComponent::getName).toList();

    private final SlaSources sources;
    private final Clock clock;

    public SlaReports(SlaSources sources, Clock clock) {
        this.sources = sources;
        this.clock = clock;
    }

    /** The task's last {@code count} periods, oldest first, the last one the period now running. */
    public List<Row> report(String taskId, Objective objective, Period period, int count) {
        Instant now = clock.instant();
        Instant current = period.floor(now);
        Instant first = period.minus(current, count - 1);
        Instant end = period.next(current);
        Map<Instant, Rollup> days = sources.merged(taskId, Resolution.DAY, first, end);
        Optional<Predicate<Instant>> maintenance = sources.maintenance(taskId);
        List<Row> rows = new ArrayList<>();
        for (Instant start = first; start.isBefore(end); start = period.next(start)) {
            Instant until = period.next(start);
            Rollup counted = new Rollup();
            long excludedMinutes = 0;
            long excludedResults = 0;
            int notExcluded = 0;
            for (Instant day = start; day.isBefore(until); day = day.plus(DAY)) {
                Rollup whole = days.get(day);
                Set<Instant> covered = maintenance.isEmpty() ? Set.of() : covered(maintenance.get(), day, now);
                excludedMinutes += covered.size();
                if (whole == null) {
                    continue;
                }
                if (covered.isEmpty()) {
                    counted.merge(whole);
                    continue;
                }
                Map<Instant, Rollup> minutes = sources.merged(taskId, Resolution.MINUTE, day, day.plus(DAY));
                if (minutes.values().stream().mapToLong(Rollup::total).sum() != whole.total()) {
                    counted.merge(whole); // minute rollups past their retention: the window cannot be cut out
                    notExcluded++;
                    continue;
                }
                for (Map.Entry<Instant, Rollup> m : minutes.entrySet()) {
                    if (covered.contains(m.getKey())) {
                        excludedResults += m.getValue().total();
                    } else {
                        counted.merge(m.getValue());
                    }
                }
            }
            rows.add(row(taskId, objective, period, start, until, !until.isAfter(now), counted, excludedMinutes,
                    excludedResults, notExcluded));
        }
        return rows;
    }

    /**
     * {@link #report} of every task in {@code taskIds}, in that order. Tasks are reported side by side, as many at once
     * as there are processors: each waits on its rollup rows, then decodes them (an all-task report reads a row per
     * task, agent and day).
     */
    public List<Row> reportAll(List<String> taskIds, Map<String, Objective> objectives, Period period, int count) {
        List<java.util.concurrent.Future<List<Row>>> each = new ArrayList<>();
        List<Row> rows = new ArrayList<>();
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors(),
                Thread.ofVirtual().factory())) {
            for (String id : taskIds) {
                each.add(pool.submit(() -> report(id, objectives.get(id), period, count)));
            }
            for (java.util.concurrent.Future<List<Row>> f : each) {
                rows.addAll(f.get());
            }
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        return rows;
    }

    /** The minutes of a day, up to now, inside a maintenance window. */
    private static Set<Instant> covered(Predicate<Instant> maintenance, Instant day, Instant now) {
        Set<Instant> covered = new HashSet<>();
        Instant end = day.plus(DAY);
        for (Instant m = day; m.isBefore(end) && m.isBefore(now); m = m.plusSeconds(60)) {
            if (maintenance.test(m)) {
                covered.add(m);
            }
        }
        return covered;
    }

    private static Row row(String taskId, Objective o, Period period, Instant start, Instant end, boolean complete,
                           Rollup r, long excludedMinutes, long excludedResults, int notExcluded) {
        long total = r.total();
        long failures = total - r.successes();
        Double availability = total == 0 ? null : 100.0 * r.successes() / total;
        Double target = o == null ? null : o.availability();
        Boolean met = null;
        Double allowed = null;
        Double remaining = null;
        Double burn = null;
        if (o != null && total > 0) {
            double allowedRate = (100.0 - o.availability()) / 100.0;
            met = availability >= o.availability();
            allowed = allowedRate * total;
            if (allowedRate > 0) {
                remaining = 100.0 * (1 - failures / allowed);
                burn = ((double) failures / total) / allowedRate;
            }
        }
        Double quantile = o == null ? null : o.latencyQuantile();
        Double latency = quantile == null ? null : r.quantile(Rollup.LATENCY, quantile);
        Double latencyBound = o == null ? null : o.latencyMs();
        Boolean latencyMet = latency == null ? null : latency <= latencyBound;
        return new Row(taskId, period.label(), start, end, complete, total, r.successes(), failures, availability,
                target, met, allowed, remaining, burn, quantile, latency, latencyBound, latencyMet, excludedMinutes,
                excludedResults, notExcluded);
    }

    /** The accessors of a row's fields, in order: looked up once (an all-task report has tens of thousands of rows). */
    private static final List<java.lang.reflect.Method> ACCESSORS = java.util.Arrays.stream(Row.class.getRecordComponents())
            .map(java.lang.reflect.RecordComponent::getAccessor).toList();

    /** A row's fields by name, in the order of the record (the JSON item and the CSV columns). */
    public static Map<String, Object> fields(Row row) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < ACCESSORS.size(); i++) {
            try {
                m.put(COLUMNS.get(i), ACCESSORS.get(i).invoke(row));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        return m;
    }
}
