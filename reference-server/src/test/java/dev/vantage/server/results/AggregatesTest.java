package dev.vantage.server.results;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class AggregatesTest {
    @Test
    void percentilesInterpolateLikePercentileCont() {
        double[] v = {1, 2, 3, 4};
        assertThat(Aggregates.percentile(v, 0.5)).isEqualTo(2.5);
        assertThat(Aggregates.percentile(v, 0.0)).isEqualTo(1);
        assertThat(Aggregates.percentile(v, 1.0)).isEqualTo(4);
        assertThat(Aggregates.percentile(new double[] {7}, 0.99)).isEqualTo(7);
    }

    @Test
    void bucketsAlignToTheEpochAndSortByStartThenAgent() {
        Instant t = Instant.parse("2025-01-01T00:04:59.999Z");
        List<ResultStore.Row> rows = List.of(
                new ResultStore.Row("z", t, "SUCCESS", 1, null),
                new ResultStore.Row("a", t.plusMillis(1), "SUCCESS", 2, null),
                new ResultStore.Row("a", t, "ERROR", 3, 100.0));
        List<Aggregates.Bucket> buckets = Aggregates.compute(rows, Duration.ofMinutes(5));
        assertThat(buckets).extracting(b -> b.start() + " " + b.agentId() + " " + b.count())
                .containsExactly("2025-01-01T00:00:00Z a 1", "2025-01-01T00:00:00Z z 1", "2025-01-01T00:05:00Z a 1");
        assertThat(buckets.get(0).availability()).isZero();
        assertThat(buckets.get(0).lossPercentAvg()).isEqualTo(100.0);
        // a failed attempt's duration is no latency: a bucket of failures has none
        assertThat(buckets.get(0).p50()).isNull();
        assertThat(buckets.get(1).p50()).isEqualTo(1.0);
    }

    @Test
    void latencyIsTheRoundTripWhereTheProbeMeasuresOne() {
        var ping = dev.vantage.probe.spi.ProbeResult.builder().type("icmp").target("h").startedAt(Instant.EPOCH)
                .duration(Duration.ofMillis(400)).measurement("rttAvgMs", 0.05).build();
        var http = dev.vantage.probe.spi.ProbeResult.builder().type("http").target("h").startedAt(Instant.EPOCH).duration(Duration.ofMillis(12)).build();
        assertThat(ResultStore.latencyMs(ping)).isEqualTo(0.05);
        assertThat(ResultStore.latencyMs(http)).isEqualTo(12.0);
    }
}
