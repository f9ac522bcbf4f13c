package dev.vantage.probe.engine.sink;

import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.probe.spi.ProbeStatus;
import dev.vantage.probe.spi.ResultSink;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Probe results as metrics, like Cloudprober's surfacers: per task and agent, the last result's success as a gauge,
 * and histograms of the attempt's duration and of each phase. In Prometheus:
 *
 * <pre>
 * vantage_probe_success{task, agent, type}                       1 if the newest result succeeded, else 0
 * vantage_probe_duration_seconds_bucket{task, agent, type, le}   attempt durations
 * vantage_probe_phase_duration_seconds_bucket{task, agent, type, phase, le}
 * </pre>
 *
 * <p>Cardinality is bounded by design: one set of series per task × agent (the target and the engine's result labels
 * are not tags), removed with {@link #removeTask} when a task is deleted (a result of the task that started before
 * that and arrives later does not bring its series back). Only results newer than the last one seen
 * for the same task and agent are counted, so an agent's resent batches are not counted twice and a late result
 * does not overwrite a newer one's gauge. Results without a task id (one-off checks) are ignored. Thread-safe.
 */
public final class ResultMetrics {
    /**
     * Histogram bounds in seconds: from 0.5 ms (a loopback TCP connect) to 30 s (a probe's longest usual timeout),
     * a fixed small set so each series costs the same whatever it measures.
     */
    private static final Duration[] BUCKETS = {
        ms(0.5), ms(1), ms(2.5), ms(5), ms(10), ms(25), ms(50), ms(100), ms(250), ms(500),
        ms(1000), ms(2500), ms(5000), ms(10_000), ms(30_000)};

    private final MeterRegistry registry;
    /** By task id, then by agent. */
    private final Map<String, Map<String, Series>> tasks = new ConcurrentHashMap<>();
    /** Tasks removed, and when: their late results are not recorded. Forgotten after {@link #REMEMBER_REMOVED}. */
    private final Map<String, Instant> removed = new ConcurrentHashMap<>();
    private static final Duration REMEMBER_REMOVED = Duration.ofMinutes(10);

    public ResultMetrics(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    /** Records {@code result}, probed by {@code agent}, unless it is older than the newest one already seen. */
    public void record(String agent, ProbeResult result) {
        if (result.taskId().isEmpty()) {
            return;
        }
        Instant gone = removed.get(result.taskId());
        if (gone != null && result.startedAt().isBefore(gone)) {
            return; // started before its task was removed: late, not a new task of the same id
        }
        Series s = tasks.computeIfAbsent(result.taskId(), t -> new ConcurrentHashMap<>())
                .computeIfAbsent(agent, a -> new Series(result.taskId(), a, result.type()));
        s.record(result);
    }

    /** Removes every series of a task (all agents), e.g. once it was deleted. */
    public void removeTask(String taskId) {
        Instant now = Instant.now();
        removed.values().removeIf(at -> at.isBefore(now.minus(REMEMBER_REMOVED)));
        removed.put(taskId, now);
        Map<String, Series> byAgent = tasks.remove(taskId);
        if (byAgent != null) {
            byAgent.values().forEach(Series::remove);
        }
    }

    /** Removes every series of an agent (all tasks), e.g. once it was deleted. */
    public void removeAgent(String agent) {
        for (Map<String, Series> byAgent : tasks.values()) {
            Series s = byAgent.remove(agent);
            if (s != null) {
                s.remove();
            }
        }
    }

    /** A sink that records the engine's results as probed by {@code agent}. */
    public ResultSink sink(String agent) {
        return sink(agent, taskId -> true);
    }

    /**
     * A sink that records the engine's results as probed by {@code agent}, of the tasks {@code isTask} accepts: e.g.
     * {@code engine::isScheduled}, so that one-off runs and the last results of a removed task make no series.
     */
    public ResultSink sink(String agent, Predicate<String> isTask) {
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(isTask, "isTask");
        return new ResultSink() {
            @Override
            public String name() {
                return "metrics";
            }

            @Override
            public void export(List<ProbeResult> batch) {
                for (ProbeResult r : batch) {
                    if (isTask.test(r.taskId())) {
                        record(agent, r);
                    }
                }
            }
        };
    }

    /** The meters of one task × agent. */
    private final class Series {
        final Tags tags;
        final Timer duration;
        final Map<String, Timer> phases = new ConcurrentHashMap<>();
        final List<Meter> meters = new ArrayList<>();
        volatile double success;
        Instant newest = Instant.MIN;
        boolean removed;

        Series(String task, String agent, String type) {
            tags = Tags.of("task", task, "agent", agent, "type", type);
            meters.add(Gauge.builder("vantage.probe.success", this, s -> s.success)
                    .description("1 if the task's newest result on this agent succeeded, else 0").tags(tags)
                    .register(registry));
            duration = Timer.builder("vantage.probe.duration").description("Probe attempt durations")
                    .tags(tags).serviceLevelObjectives(BUCKETS).register(registry);
            meters.add(duration);
        }

        synchronized void record(ProbeResult r) {
            if (removed || !r.startedAt().isAfter(newest)) {
                return;
            }
            newest = r.startedAt();
            success = r.status() == ProbeStatus.SUCCESS ? 1 : 0;
            duration.record(r.duration());
            r.phases().forEach((phase, d) -> phases.computeIfAbsent(phase, p -> {
                Timer t = Timer.builder("vantage.probe.phase.duration").description("Probe phase durations")
                        .tags(tags).tag("phase", p).serviceLevelObjectives(BUCKETS).register(registry);
                meters.add(t);
                return t;
            }).record(d));
        }

        synchronized void remove() {
            removed = true;
            meters.forEach(registry::remove);
        }
    }

    private static Duration ms(double millis) {
        return Duration.ofNanos((long) (millis * 1_000_000));
    }
}
