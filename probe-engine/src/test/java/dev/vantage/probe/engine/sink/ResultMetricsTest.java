package dev.vantage.probe.engine.sink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.probe.spi.ErrorKind;
import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.probe.spi.ProbeStatus;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ResultMetricsTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ResultMetrics metrics = new ResultMetrics(registry);

    private static ProbeResult result(String task, ProbeStatus status, Instant started, long durationMs) {
        ProbeResult.Builder b = ProbeResult.builder().id(task + started.toEpochMilli()).taskId(task).type("tcp")
                .target("127.0.0.1:1").status(status).startedAt(started).duration(Duration.ofMillis(durationMs))
                .phase("dns", Duration.ofMillis(1)).phase("connect", Duration.ofMillis(durationMs - 1));
        if (status != ProbeStatus.SUCCESS) {
            b.error(ErrorKind.REFUSED, "no");
        }
        return b.build();
    }

    private double success(String task, String agent) {
        return registry.get("vantage.probe.success").tags("task", task, "agent", agent, "type", "tcp").gauge().value();
    }

    @Test
    void theGaugeFollowsTheNewestResultAndHistogramsCountEachOnce() {
        metrics.record("a1", result("t1", ProbeStatus.SUCCESS, T0, 3));
        assertThat(success("t1", "a1")).isEqualTo(1);
        metrics.record("a1", result("t1", ProbeStatus.FAILURE, T0.plusSeconds(1), 7));
        assertThat(success("t1", "a1")).isZero();
        // a resent result and an older late one change nothing
        metrics.record("a1", result("t1", ProbeStatus.FAILURE, T0.plusSeconds(1), 7));
        metrics.record("a1", result("t1", ProbeStatus.SUCCESS, T0.plusMillis(500), 7));
        assertThat(success("t1", "a1")).isZero();
        var duration = registry.get("vantage.probe.duration").tags("task", "t1", "agent", "a1").timer();
        assertThat(duration.count()).isEqualTo(2);
        assertThat(duration.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(10);
        assertThat(registry.get("vantage.probe.phase.duration").tags("task", "t1", "phase", "connect").timer()
                .totalTime(TimeUnit.MILLISECONDS)).isEqualTo(8);
        // the histogram's buckets: 3 ms and 7 ms are both at or below 10 ms, only 3 ms at or below 5 ms
        var buckets = duration.takeSnapshot().histogramCounts();
        assertThat(buckets).anySatisfy(c -> {
            assertThat(c.bucket(TimeUnit.MILLISECONDS)).isEqualTo(5);
            assertThat(c.count()).isEqualTo(1);
        });
        assertThat(buckets).anySatisfy(c -> {
            assertThat(c.bucket(TimeUnit.MILLISECONDS)).isEqualTo(10);
            assertThat(c.count()).isEqualTo(2);
        });
    }

    @Test
    void removingATaskOrAnAgentRemovesItsSeriesOnly() {
        metrics.record("a1", result("t1", ProbeStatus.SUCCESS, T0, 3));
        metrics.record("a2", result("t1", ProbeStatus.SUCCESS, T0, 3));
        metrics.record("a1", result("t2", ProbeStatus.SUCCESS, T0, 3));
        metrics.removeTask("t1");
        assertThat(registry.find("vantage.probe.success").tag("task", "t1").gauges()).isEmpty();
        assertThat(registry.find("vantage.probe.duration").tag("task", "t1").timers()).isEmpty();
        assertThat(registry.find("vantage.probe.phase.duration").tag("task", "t1").timers()).isEmpty();
        // a late result of the removed task (it started before) does not bring it back; a new task of that id does
        metrics.record("a1", result("t1", ProbeStatus.SUCCESS, T0.plusSeconds(1), 3));
        assertThat(registry.find("vantage.probe.success").tag("task", "t1").gauges()).isEmpty();
        metrics.record("a1", result("t1", ProbeStatus.SUCCESS, Instant.now().plusSeconds(1), 3));
        assertThat(success("t1", "a1")).isEqualTo(1);
        metrics.removeTask("t1");
        assertThat(success("t2", "a1")).isEqualTo(1);
        metrics.removeAgent("a1");
        assertThat(registry.find("vantage.probe.success").gauges()).isEmpty();
    }

    @Test
    void theSinkRecordsAsItsAgentAndSkipsResultsWithoutATask() throws Exception {
        metrics.sink("a9").export(List.of(result("t1", ProbeStatus.SUCCESS, T0, 3), result("", ProbeStatus.SUCCESS, T0, 3)));
        assertThat(success("t1", "a9")).isEqualTo(1);
        assertThat(registry.find("vantage.probe.success").gauges()).hasSize(1);
    }
}
