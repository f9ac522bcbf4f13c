package dev.vantage.server.results;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Per time bucket and agent: count, availability (share of {@code SUCCESS}, in percent), percentiles of
 * {@code durationMs} over all results of the bucket, and the mean {@code lossPercent} of the results that have one.
 * Computed in Java over the rows of the window, which keeps the numbers identical on H2 and PostgreSQL.
 * Percentiles interpolate linearly between the two nearest ranks (like SQL's {@code percentile_cont}).
 * Buckets are aligned to the epoch, so a {@code 1m} bucket starts on a whole minute.
 */
public final class Aggregates {
    private Aggregates() {
    }

    /** Statistics of one bucket of one agent's results. */
    public record Bucket(Instant start, String agentId, int count, double availability, Double p50, Double p95,
                         Double p99, Double min, Double max, Double lossPercentAvg) {
    }

    public static List<Bucket> compute(List<ResultStore.Row> rows, Duration bucket) {
        long size = bucket.toMillis();
        // ordered by bucket start, then agent id
        Map<Long, Map<String, List<ResultStore.Row>>> groups = new TreeMap<>();
        for (ResultStore.Row r : rows) {
            long start = Math.floorDiv(r.startedAt().toEpochMilli(), size) * size;
            groups.computeIfAbsent(start, k -> new TreeMap<>()).computeIfAbsent(r.agentId(), k -> new ArrayList<>()).add(r);
        }
        List<Bucket> out = new ArrayList<>();
        groups.forEach((start, byAgent) -> byAgent.forEach((agent, list) -> out.add(bucket(Instant.ofEpochMilli(start), agent, list))));
        return out;
    }

    private static Bucket bucket(Instant start, String agent, List<ResultStore.Row> rows) {
        double[] durations = rows.stream().mapToDouble(ResultStore.Row::durationMs).sorted().toArray();
        long ok = rows.stream().filter(r -> "SUCCESS".equals(r.status())).count();
        double[] losses = rows.stream().filter(r -> r.lossPercent() != null).mapToDouble(ResultStore.Row::lossPercent).toArray();
        return new Bucket(start, agent, rows.size(), 100.0 * ok / rows.size(),
                percentile(durations, 0.50), percentile(durations, 0.95), percentile(durations, 0.99),
                durations[0], durations[durations.length - 1],
                losses.length == 0 ? null : Arrays.stream(losses).average().orElseThrow());
    }

    /** The {@code p} quantile (0..1) of sorted values, interpolating between neighbours. */
    static double percentile(double[] sorted, double p) {
        double rank = p * (sorted.length - 1);
        int low = (int) Math.floor(rank);
        int high = (int) Math.ceil(rank);
        return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
    }
}
