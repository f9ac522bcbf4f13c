package dev.vantage.server.results;

import dev.vantage.server.results.rollups.Resolution;
import dev.vantage.server.results.rollups.Rollup;
import dev.vantage.server.results.rollups.RollupStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Per time bucket and agent (or all agents merged): count, availability (share of {@code SUCCESS}, in percent),
 * percentiles, minimum and maximum of the latency of the successful results (a timeout's duration is the timeout, not
 * a latency; failures show in availability and loss, as in SmokePing), and the mean {@code lossPercent} of the results
 * that have one. Latency is the mean round trip for ICMP and UDP, the duration otherwise ({@link ResultStore#latencyMs}).
 * Buckets are aligned to the epoch, so a {@code 1m} bucket starts on a whole minute.
 *
 * <p>Read from the rollups where they fit ({@link #plan}): the coarsest resolution that divides the bucket covers the
 * aligned middle of the window, finer ones its edges, raw results what is left (less than a minute at each end, or
 * the whole window for buckets that are not whole minutes). Either way the numbers are the merge of {@link Rollup}s,
 * so percentiles are the sketches' (within {@link Rollup#RELATIVE_ACCURACY}), and counts are exact.
 */
public final class Aggregates {
    /** Statistics of one bucket of one agent's results ({@code agentId} is {@code null} for all agents merged). */
    public record Bucket(Instant start, String agentId, long count, double availability, Double p50, Double p95,
                         Double p99, Double min, Double max, Double lossPercentAvg) {
    }

    /**
     * The buckets, and where they came from.
     *
     * @param resolution the coarsest rollup resolution read ({@code 1m}, {@code 1h}, {@code 1d}), or {@code raw}
     */
    public record Answer(String resolution, List<Bucket> items) {
    }

    /** A part of the window and where it is read: rollups of a resolution, or raw results ({@code null}). */
    record Piece(Instant from, Instant to, Resolution resolution) {
    }

    private final ResultStore results;
    private final RollupStore rollups;
    private final int maxRawRows;

    /** @param maxRawRows most raw results one piece of a window may read (the rest is {@link ResultStore.TooManyRows}) */
    public Aggregates(ResultStore results, RollupStore rollups, int maxRawRows) {
        this.results = results;
        this.rollups = rollups;
        this.maxRawRows = maxRawRows;
    }

    /**
     * @param agentId  only this agent's results, or all when {@code null}
     * @param byAgent  a bucket per agent, or one for all agents merged
     * @throws ResultStore.TooManyRows if a raw part of the window holds more than the allowed rows
     */
    public Answer query(String taskId, String agentId, Instant from, Instant to, Duration bucket, boolean byAgent) {
        long size = bucket.toMillis();
        // bucket start, then agent id ("" for all agents): ordered as the API lists them
        Map<Long, Map<String, Rollup>> groups = new TreeMap<>();
        Resolution coarsest = null;
        for (Piece p : plan(from, to, bucket)) {
            if (p.resolution() == null) {
                for (ResultStore.Row r : results.rows(taskId, agentId, p.from(), p.to(), maxRawRows)) {
                    group(groups, size, r.startedAt(), byAgent ? r.agentId() : "").add(r.sample());
                }
            } else {
                coarsest = coarsest == null || p.resolution().compareTo(coarsest) > 0 ? p.resolution() : coarsest;
                for (RollupStore.Stored s : rollups.read(taskId, agentId, p.resolution(), p.from(), p.to())) {
                    group(groups, size, s.start(), byAgent ? s.agentId() : "").merge(s.rollup());
                }
            }
        }
        List<Bucket> out = new ArrayList<>();
        groups.forEach((start, byKey) -> byKey.forEach((agent, r) ->
                out.add(bucket(Instant.ofEpochMilli(start), agent.isEmpty() ? null : agent, r))));
        return new Answer(coarsest == null ? "raw" : coarsest.label(), out);
    }

    /** Buckets of raw rows alone, per agent. */
    static List<Bucket> compute(List<ResultStore.Row> rows, Duration bucket) {
        Map<Long, Map<String, Rollup>> groups = new TreeMap<>();
        for (ResultStore.Row r : rows) {
            group(groups, bucket.toMillis(), r.startedAt(), r.agentId()).add(r.sample());
        }
        List<Bucket> out = new ArrayList<>();
        groups.forEach((start, byAgent) -> byAgent.forEach((agent, r) -> out.add(bucket(Instant.ofEpochMilli(start), agent, r))));
        return out;
    }

    private static Rollup group(Map<Long, Map<String, Rollup>> groups, long size, Instant at, String key) {
        long start = Math.floorDiv(at.toEpochMilli(), size) * size;
        return groups.computeIfAbsent(start, k -> new TreeMap<>()).computeIfAbsent(key, k -> new Rollup());
    }

    private static Bucket bucket(Instant start, String agent, Rollup r) {
        return new Bucket(start, agent, r.total(), 100.0 * r.successes() / r.total(),
                latency(r, 0.50), latency(r, 0.95), latency(r, 0.99),
                r.latencyMin(), r.latencyMax(), r.lossCount() == 0 ? null : r.lossSum() / r.lossCount());
    }

    /** A latency percentile, kept within the exact minimum and maximum (a sketch's bin may reach past them). */
    private static Double latency(Rollup r, double q) {
        Double p = r.quantile(Rollup.LATENCY, q);
        return p == null ? null : Math.clamp(p, r.latencyMin(), r.latencyMax());
    }

    /**
     * How to read {@code [from, to)} for buckets of {@code bucket}: the coarsest resolution that divides the bucket
     * covers the part aligned to it, the next finer ones the edges left over, raw results the rest. Ordered by time.
     */
    static List<Piece> plan(Instant from, Instant to, Duration bucket) {
        List<Resolution> usable = new ArrayList<>();
        for (Resolution r : Resolution.values()) {
            if (r.divides(bucket)) {
                usable.addFirst(r); // coarsest first
            }
        }
        List<Piece> pieces = new ArrayList<>();
        plan(from, to, usable, pieces);
        return pieces;
    }

    private static void plan(Instant from, Instant to, List<Resolution> usable, List<Piece> out) {
        if (!from.isBefore(to)) {
            return;
        }
        if (usable.isEmpty()) {
            out.add(new Piece(from, to, null));
            return;
        }
        Resolution r = usable.getFirst();
        List<Resolution> finer = usable.subList(1, usable.size());
        Instant a = r.ceil(from);
        Instant b = r.floor(to);
        if (!a.isBefore(b)) {
            plan(from, to, finer, out);
            return;
        }
        plan(from, a, finer, out);
        out.add(new Piece(a, b, r));
        plan(b, to, finer, out);
    }
}
