package dev.vantage.server.alerting.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.probe.spi.ProbeStatus;
import dev.vantage.server.alerting.rules.Condition;
import dev.vantage.server.alerting.rules.Metric;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import org.apache.commons.math3.stat.descriptive.rank.Percentile;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The latency condition judges by counting values above the threshold; it must agree with the percentile itself. */
class SeriesJudgeTest {
    private static final Instant T0 = Instant.parse("2026-12-07T00:00:00Z");
    private static final double[] PERCENTILES = {0.1, 1, 33.3, 50, 90, 95, 99, 99.9, 100};

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
    void aLatencyVerdictIsThePercentileComparedWithTheThreshold(long seed) {
        Random random = new Random(seed);
        for (double percentile : PERCENTILES) {
            double maxMs = 10 + random.nextInt(5);
            SeriesJudge judge = SeriesJudge.of(new Condition.Latency(new Metric("phase.connect"), percentile, maxMs,
                    Duration.ofSeconds(60)));
            for (int i = 0; i < 400; i++) {
                Instant at = T0.plusSeconds(i);
                long ms = 5 + random.nextInt(15); // often exactly the threshold: "above" is strict
                judge.add(ProbeResult.builder().id("r" + i).taskId("t").type("tcp").target("x").startedAt(at)
                        .duration(Duration.ofMillis(ms)).status(ProbeStatus.SUCCESS)
                        .phase("connect", Duration.ofMillis(ms)).build(), at);
                Verdict v = judge.verdict(at);
                double p = percentileOfSummary(judge.summary().toString());
                assertThat(v).as("p%s of window ending %d, threshold %s: %s", percentile, i, maxMs, judge.summary())
                        .isEqualTo(p > maxMs ? Verdict.BAD : Verdict.GOOD);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 7, 19, 20, 99, 100, 101, 1000})
    void theRankIsCommonsMathsNearestRank(int n) {
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            values[i] = i + 1; // sorted 1..n: the percentile is its rank
        }
        for (double percentile : PERCENTILES) {
            double expected = new Percentile().withEstimationType(Percentile.EstimationType.R_1).evaluate(values, percentile);
            assertThat(SeriesJudge.Latency.rank(percentile, n)).as("p%s of %d", percentile, n).isEqualTo((int) expected);
        }
    }

    /** The figure in "p95 phase.connect 12 ms of 60 results ...". */
    private static double percentileOfSummary(String summary) {
        String[] words = summary.split(" ");
        return Double.parseDouble(words[2]);
    }
}
