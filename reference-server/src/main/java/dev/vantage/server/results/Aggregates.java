package dev.vantage.server.results;

import dev.vantage.server.results.rollups.Resolution;
import dev.vantage.server.results.rollups.Rollup;
import dev.vantage.server.results.rollups.RollupStore;
import dev.vantage.server.results.rollups.Rollups;
import dev.vantage.server.results.places.Places;
import dev.vantage.server.results.places.Places.Dimension;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

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
    /**
     * Statistics of one bucket of one agent's results ({@code agentId} is {@code null} for all agents merged or
     * grouped by a label), or of a label's group of agents ({@code group}, {@code null} otherwise).
     */
    public record Bucket(Instant start, String agentId, String group, long count, double availability, Double p50,
                         Double p95, Double p99, Double min, Double max, Double lossPercentAvg) {
    }

    /**
     * A window's results of the agents in one group (a cell of the matrix, a province, a carrier, a country).
     *
     * @param province the cell's province key ({@link Places}), {@code null} outside the cells
     * @param isp      the cell's carrier key, {@code null} outside the cells
     * @param key      the group's key in its own dimension, {@code null} for a cell
     * @param agents   how many agents sent results
     */
    public record Cell(String province, String isp, String key, long count, int agents, double availability,
                       Double p50, Double p95, Double p99, Double lossPercentAvg) {
    }

    /**
     * A window's results, per agent group: province × carrier cells, and each province, carrier and country with all
     * its agents (percentiles of a row are the merge of its agents' sketches, not of its cells' numbers).
     */
    public record Matrix(String resolution, List<Cell> cells, List<Cell> provinces, List<Cell> carriers,
                         List<Cell> countries) {
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

    /**
     * Per bucket (all agents merged, or the one asked for): the successful results per latency band, the results
     * that were not successful and the mean loss, as a SmokePing-style heatmap draws them.
     *
     * @param bands successful results per band {@code [edges[i], edges[i + 1])} ({@link Rollup#latencyBands}); empty
     *              when the window has no successful result
     */
    public record HeatBucket(Instant start, long count, long failures, Double lossPercentAvg, long[] bands) {
    }

    /**
     * A heatmap: {@value #BANDS} log-spaced latency bands over the window's latency range, per bucket.
     *
     * @param edges the bands' edges in ms ({@value #BANDS} + 1, increasing), or none when no result succeeded
     */
    public record Heatmap(String resolution, double[] edges, List<HeatBucket> items) {
    }

    /** Latency bands of a heatmap: enough to show a distribution's shape, few enough for a year of columns. */
    public static final int BANDS = 32;

    /** The merged rollups per bucket start, then agent id ({@code ""} for all agents), and the coarsest resolution. */
    private record Groups(String resolution, Map<Long, Map<String, Rollup>> byStart) {
    }

    private final ResultStore results;
    private final Rollups rollups;
    private final int maxRawRows;

    /** @param maxRawRows most raw results one piece of a window may read (the rest is {@link ResultStore.TooManyRows}) */
    public Aggregates(ResultStore results, Rollups rollups, int maxRawRows) {
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
        Groups groups = groups(taskId, agentId, from, to, bucket, byAgent);
        List<Bucket> out = new ArrayList<>();
        groups.byStart().forEach((start, byKey) -> byKey.forEach((agent, r) ->
                out.add(bucket(Instant.ofEpochMilli(start), agent.isEmpty() ? null : agent, null, r))));
        return new Answer(groups.resolution(), out);
    }

    /**
     * Per bucket, the agents grouped by {@code groupOf} (an agent id to its group's key) and merged: the rollups are
     * read per agent, then the agents of a group merged, so a group's percentiles come from all its results.
     *
     * @param agentId only this agent's results, or all when {@code null}
     * @throws ResultStore.TooManyRows if a raw part of the window holds more than the allowed rows
     */
    public Answer query(String taskId, String agentId, Instant from, Instant to, Duration bucket,
                        Function<String, String> groupOf) {
        Groups groups = groups(taskId, agentId, from, to, bucket, true);
        List<Bucket> out = new ArrayList<>();
        groups.byStart().forEach((start, byAgent) -> regroup(byAgent, groupOf).forEach((group, m) ->
                out.add(bucket(Instant.ofEpochMilli(start), null, group, m.rollup()))));
        return new Answer(groups.resolution(), out);
    }

    /**
     * The window {@code [from, to)} as a province × carrier matrix of the agents' groups ({@code labelsOf}: an agent's
     * labels, normalised by {@link Places}), read from the coarsest rollups that fit (day rollups for whole days).
     *
     * @throws ResultStore.TooManyRows if a raw part of the window holds more than the allowed rows
     */
    public Matrix matrix(String taskId, Instant from, Instant to, Function<String, Map<String, String>> labelsOf) {
        Groups groups = groups(taskId, null, from, to, Duration.ofDays(1), true);
        Map<String, Rollup> perAgent = new TreeMap<>();
        groups.byStart().values().forEach(byAgent -> byAgent.forEach((agent, r) ->
                perAgent.computeIfAbsent(agent, k -> new Rollup()).merge(r)));
        Places places = Places.get();
        Function<Dimension, Function<String, String>> by = d -> agent -> places.key(d, labelsOf.apply(agent));
        Function<String, String> province = by.apply(Dimension.PROVINCE);
        Function<String, String> isp = by.apply(Dimension.ISP);
        List<Cell> cells = new ArrayList<>();
        regroup(perAgent, agent -> province.apply(agent) + "\n" + isp.apply(agent)).forEach((k, m) -> {
            String[] pair = k.split("\n", 2);
            cells.add(cell(pair[0], pair[1], null, m));
        });
        Comparator<Cell> byProvince = Comparator.comparing(Cell::province, places.order(Dimension.PROVINCE));
        cells.sort(byProvince.thenComparing(Cell::isp, places.order(Dimension.ISP)));
        return new Matrix(groups.resolution(), cells, groupCells(perAgent, Dimension.PROVINCE, by),
                groupCells(perAgent, Dimension.ISP, by), groupCells(perAgent, Dimension.COUNTRY, by));
    }

    private static List<Cell> groupCells(Map<String, Rollup> perAgent, Dimension d,
                                         Function<Dimension, Function<String, String>> by) {
        List<Cell> out = new ArrayList<>();
        regroup(perAgent, by.apply(d)).forEach((key, m) -> out.add(cell(null, null, key, m)));
        out.sort(Comparator.comparing(Cell::key, Places.get().order(d)));
        return out;
    }

    /** Agents' rollups merged per group, with how many agents each group holds. */
    private record Merged(Rollup rollup, int[] agents) {
    }

    private static Map<String, Merged> regroup(Map<String, Rollup> byAgent, Function<String, String> groupOf) {
        Map<String, Merged> out = new TreeMap<>();
        byAgent.forEach((agent, r) -> {
            Merged m = out.computeIfAbsent(groupOf.apply(agent), k -> new Merged(new Rollup(), new int[1]));
            m.rollup().merge(r);
            m.agents()[0]++;
        });
        return out;
    }

    private static Cell cell(String province, String isp, String key, Merged m) {
        Rollup r = m.rollup();
        return new Cell(province, isp, key, r.total(), m.agents()[0], 100.0 * r.successes() / r.total(),
                latency(r, 0.50), latency(r, 0.95), latency(r, 0.99), r.lossCount() == 0 ? null : r.lossSum() / r.lossCount());
    }

    /**
     * The heatmap of a window, all agents merged (or {@code agentId}'s alone), read like {@link #query}.
     *
     * @throws ResultStore.TooManyRows if a raw part of the window holds more than the allowed rows
     */
    public Heatmap heatmap(String taskId, String agentId, Instant from, Instant to, Duration bucket) {
        Groups groups = groups(taskId, agentId, from, to, bucket, false);
        List<Rollup> merged = groups.byStart().values().stream().map(byKey -> byKey.get("")).toList();
        double min = merged.stream().filter(r -> r.successes() > 0).mapToDouble(Rollup::latencyMin).min().orElse(Double.NaN);
        double max = merged.stream().filter(r -> r.successes() > 0).mapToDouble(Rollup::latencyMax).max().orElse(Double.NaN);
        double[] edges = Double.isNaN(min) ? new double[0] : bandEdges(min, max, BANDS);
        List<HeatBucket> out = new ArrayList<>();
        groups.byStart().forEach((start, byKey) -> {
            Rollup r = byKey.get("");
            out.add(new HeatBucket(Instant.ofEpochMilli(start), r.total(), r.total() - r.successes(),
                    r.lossCount() == 0 ? null : r.lossSum() / r.lossCount(),
                    edges.length == 0 ? new long[0] : r.latencyBands(edges)));
        });
        return new Heatmap(groups.resolution(), edges, out);
    }

    /**
     * {@code n} bands, equally wide on a log scale, from {@code min} to {@code max} (ms). Latencies of 0 and below a
     * microsecond start at a microsecond; a single value (or nearly) gets a range 10 % wide from it.
     */
    static double[] bandEdges(double min, double max, int n) {
        double lo = Math.max(min, 0.001);
        double hi = Math.max(max, lo * 1.1);
        double[] edges = new double[n + 1];
        for (int i = 0; i < n; i++) {
            edges[i] = lo * Math.pow(hi / lo, (double) i / n);
        }
        edges[n] = hi;
        return edges;
    }

    private Groups groups(String taskId, String agentId, Instant from, Instant to, Duration bucket, boolean byAgent) {
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
        return new Groups(coarsest == null ? "raw" : coarsest.label(), groups);
    }

    /** Buckets of raw rows alone, per agent. */
    static List<Bucket> compute(List<ResultStore.Row> rows, Duration bucket) {
        Map<Long, Map<String, Rollup>> groups = new TreeMap<>();
        for (ResultStore.Row r : rows) {
            group(groups, bucket.toMillis(), r.startedAt(), r.agentId()).add(r.sample());
        }
        List<Bucket> out = new ArrayList<>();
        groups.forEach((start, byAgent) -> byAgent.forEach((agent, r) -> out.add(bucket(Instant.ofEpochMilli(start), agent, null, r))));
        return out;
    }

    private static Rollup group(Map<Long, Map<String, Rollup>> groups, long size, Instant at, String key) {
        long start = Math.floorDiv(at.toEpochMilli(), size) * size;
        return groups.computeIfAbsent(start, k -> new TreeMap<>()).computeIfAbsent(key, k -> new Rollup());
    }

    private static Bucket bucket(Instant start, String agent, String group, Rollup r) {
        return new Bucket(start, agent, group, r.total(), 100.0 * r.successes() / r.total(),
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
