package dev.vantage.server.results;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class AggregatesTest {
    @Test
    void theCoarsestResolutionThatDividesTheBucketCoversTheAlignedMiddleAndFinerOnesTheEdges() {
        Instant from = Instant.parse("2025-01-01T22:30:15Z");
        Instant to = Instant.parse("2025-01-04T01:02:30Z");
        assertThat(Aggregates.plan(from, to, Duration.ofDays(1))).extracting(AggregatesTest::describe).containsExactly(
                "raw 2025-01-01T22:30:15Z", "1m 2025-01-01T22:31:00Z", "1h 2025-01-01T23:00:00Z",
                "1d 2025-01-02T00:00:00Z", "1h 2025-01-04T00:00:00Z", "1m 2025-01-04T01:00:00Z", "raw 2025-01-04T01:02:00Z");
        // an hour bucket cannot use day rollups; 5 minutes only minute ones; 90 seconds none
        assertThat(Aggregates.plan(from, to, Duration.ofHours(1))).extracting(AggregatesTest::describe).containsExactly(
                "raw 2025-01-01T22:30:15Z", "1m 2025-01-01T22:31:00Z", "1h 2025-01-01T23:00:00Z",
                "1m 2025-01-04T01:00:00Z", "raw 2025-01-04T01:02:00Z");
        assertThat(Aggregates.plan(from, to, Duration.ofMinutes(5))).extracting(AggregatesTest::describe).containsExactly(
                "raw 2025-01-01T22:30:15Z", "1m 2025-01-01T22:31:00Z", "raw 2025-01-04T01:02:00Z");
        assertThat(Aggregates.plan(from, to, Duration.ofSeconds(90))).extracting(AggregatesTest::describe)
                .containsExactly("raw 2025-01-01T22:30:15Z");
        // aligned: one piece; shorter than a minute: raw only
        assertThat(Aggregates.plan(Instant.parse("2025-01-01T00:00:00Z"), Instant.parse("2025-02-01T00:00:00Z"), Duration.ofDays(1)))
                .extracting(AggregatesTest::describe).containsExactly("1d 2025-01-01T00:00:00Z");
        assertThat(Aggregates.plan(from, from.plusSeconds(30), Duration.ofDays(1))).extracting(AggregatesTest::describe)
                .containsExactly("raw 2025-01-01T22:30:15Z");
    }

    @Test
    void thePiecesCoverTheWindowExactlyOnce() {
        java.util.Random random = new java.util.Random(17);
        List<Duration> buckets = List.of(Duration.ofSeconds(10), Duration.ofMinutes(1), Duration.ofMinutes(15),
                Duration.ofHours(1), Duration.ofHours(6), Duration.ofDays(1), Duration.ofDays(7));
        for (int i = 0; i < 2_000; i++) {
            Instant from = Instant.ofEpochMilli(1_735_689_600_000L + (long) (random.nextDouble() * 86_400_000L * 60));
            Instant to = from.plusMillis(1 + (long) (random.nextDouble() * 86_400_000L * 40));
            List<Aggregates.Piece> pieces = Aggregates.plan(from, to, buckets.get(random.nextInt(buckets.size())));
            assertThat(pieces.getFirst().from()).isEqualTo(from);
            assertThat(pieces.getLast().to()).isEqualTo(to);
            for (int p = 0; p < pieces.size(); p++) {
                assertThat(pieces.get(p).from()).isBefore(pieces.get(p).to());
                if (p > 0) {
                    assertThat(pieces.get(p).from()).isEqualTo(pieces.get(p - 1).to());
                }
            }
        }
    }

    private static String describe(Aggregates.Piece p) {
        return (p.resolution() == null ? "raw" : p.resolution().label()) + " " + p.from();
    }

    @Test
    void bucketsAlignToTheEpochAndSortByStartThenAgent() {
        Instant t = Instant.parse("2025-01-01T00:04:59.999Z");
        List<ResultStore.Row> rows = List.of(
                new ResultStore.Row("z", t, "SUCCESS", null, 1, null),
                new ResultStore.Row("a", t.plusMillis(1), "SUCCESS", null, 2, null),
                new ResultStore.Row("a", t, "ERROR", "INTERNAL", 3, 100.0));
        List<Aggregates.Bucket> buckets = Aggregates.compute(rows, Duration.ofMinutes(5));
        assertThat(buckets).extracting(b -> b.start() + " " + b.agentId() + " " + b.count())
                .containsExactly("2025-01-01T00:00:00Z a 1", "2025-01-01T00:00:00Z z 1", "2025-01-01T00:05:00Z a 1");
        assertThat(buckets.get(0).availability()).isZero();
        assertThat(buckets.get(0).lossPercentAvg()).isEqualTo(100.0);
        // a failed attempt's duration is no latency: a bucket of failures has none
        assertThat(buckets.get(0).p50()).isNull();
        assertThat(buckets.get(1).p50()).isCloseTo(1.0, org.assertj.core.data.Percentage.withPercentage(1));
        assertThat(buckets.get(1).min()).isEqualTo(1.0);
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
