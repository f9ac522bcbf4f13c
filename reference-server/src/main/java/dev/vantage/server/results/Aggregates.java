package dev.vantage.server.results;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Per time bucket and agent: count, availability (share of {@code SUCCESS}, in percent), percentiles of the latency
 * of the successful results (a timeout's duration is the timeout, not a latency; failures show in availability and
 * loss, as in SmokePing), and the mean {@code lossPercent} of the results that have one. Latency is the mean round
 * trip for ICMP and UDP, the duration otherwise ({@link ResultStore#latencyMs}).
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
        double[] latencies = rows.stream().filter(r -> "SUCCESS".equals(r.status()))
                .mapToDouble(ResultStore.Row::latencyMs).sorted().toArray();
        double[] losses = rows.stream().filter(r -> r.lossPercent() != null).mapToDouble(ResultStore.Row::lossPercent).toArray();
        boolean any = latencies.length > 0;
        return new Bucket(start, agent, rows.size(), 100.0 * latencies.length / rows.size(),
                any ? percentile(latencies, 0.50) : null, any ? percentile(latencies, 0.95) : null,
                any ? percentile(latencies, 0.99) : null, any ? latencies[0] : null,
                any ? latencies[latencies.length - 1] : null,
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
