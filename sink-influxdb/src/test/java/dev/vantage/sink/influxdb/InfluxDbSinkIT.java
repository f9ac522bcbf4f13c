package dev.vantage.sink.influxdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.probe.engine.EngineStats;
import dev.vantage.probe.engine.ProbeEngine;
import dev.vantage.probe.engine.TaskSpec;
import dev.vantage.probe.engine.sink.InMemorySink;
import dev.vantage.probe.spi.ErrorKind;
import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.probe.spi.ProbeStatus;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sink against a real line-protocol server (QuestDB, in-process), read back with SQL. */
class InfluxDbSinkIT {
    private static QuestDb questDb;

    @BeforeAll
    static void start(@TempDir Path root) {
        questDb = new QuestDb(root);
    }

    @AfterAll
    static void stop() {
        questDb.close();
    }

    private static InfluxDbSink.Builder sink(String measurementPrefix) {
        return InfluxDbSink.builder().url(questDb.url()).token("not-checked-by-questdb").org("vantage").bucket("results")
                .measurementPrefix(measurementPrefix);
    }

    private static List<Map<String, JsonNode>> rows(String sql, int expected) {
        List<List<Map<String, JsonNode>>> found = new ArrayList<>();
        // QuestDB applies written rows to the table asynchronously
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            found.add(0, questDb.query(sql));
            return found.getFirst().size() >= expected;
        });
        return found.getFirst();
    }

    @Test
    void resultsReadBackWithTheirTagsFieldsAndTimestamps() throws Exception {
        Instant start = Instant.parse("2025-01-02T03:04:05.123456789Z");
        ProbeResult ok = ProbeResult.builder().id("r1").taskId("web").type("http").target("https://example.com/")
                .startedAt(start).duration(Duration.ofNanos(12_345_678))
                .phase("connect", Duration.ofNanos(1_500_000)).phase("ttfb", Duration.ofMillis(5))
                .measurement("httpStatus", 200).measurement("rttAvgMs", Double.NaN)
                .label("agent", "a1").label("region", "eu-west").label("isp", "Acme Net").build();
        ProbeResult failed = ProbeResult.builder().id("r2").taskId("web").type("http").target("https://example.com/")
                .startedAt(start.plusSeconds(1)).duration(Duration.ofMillis(3))
                .error(ErrorKind.REFUSED, "connection refused").label("agent", "a1").label("region", "eu-west").build();
        try (InfluxDbSink sink = sink("direct_").build()) {
            sink.export(List.of(ok, failed));
            assertThat(sink.written()).isEqualTo(2);
        }

        List<Map<String, JsonNode>> rows = rows("SELECT * FROM direct_http ORDER BY timestamp", 2);
        Map<String, JsonNode> first = rows.get(0);
        assertThat(first.get("task").asText()).isEqualTo("web");
        assertThat(first.get("agent").asText()).isEqualTo("a1");
        assertThat(first.get("region").asText()).isEqualTo("eu-west");
        assertThat(first.get("isp").asText()).isEqualTo("Acme Net");
        assertThat(first.get("target").asText()).isEqualTo("https://example.com/");
        assertThat(first.get("status").asText()).isEqualTo("SUCCESS");
        assertThat(first.get("duration_ms").asDouble()).isEqualTo(12.345678);
        assertThat(first.get("phase_connect_ms").asDouble()).isEqualTo(1.5);
        assertThat(first.get("phase_ttfb_ms").asDouble()).isEqualTo(5.0);
        assertThat(first.get("http_status").asDouble()).isEqualTo(200.0);
        assertThat(first.get("success").asLong()).isEqualTo(1);
        assertThat(first).doesNotContainKey("rtt_avg_ms"); // NaN was left out, so the column never appeared
        assertThat(first.get("timestamp").asText()).isEqualTo("2025-01-02T03:04:05.123456Z");

        Map<String, JsonNode> second = rows.get(1);
        assertThat(second.get("status").asText()).isEqualTo("FAILURE");
        assertThat(second.get("error_kind").asText()).isEqualTo("REFUSED");
        assertThat(second.get("error_message").asText()).isEqualTo("connection refused");
        assertThat(second.get("success").asLong()).isZero();
        assertThat(second.get("isp").isNull()).isTrue();
        assertThat(second.get("timestamp").asText()).isEqualTo("2025-01-02T03:04:06.123456Z");
    }

    @Test
    void awkwardTextSurvivesTheRoundTrip() throws Exception {
        String target = "tcp host, with=equals \"quotes\" and C:\\path\\";
        String message = "said \"no\", then\nhung up = C:\\x\\";
        ProbeResult r = ProbeResult.builder().id("r3").taskId("odd task").type("tcp").target(target)
                .startedAt(Instant.parse("2025-02-03T04:05:06Z")).duration(Duration.ofMillis(1))
                .error(ErrorKind.PROTOCOL, message).label("team.name", "a=b, c").build();
        try (InfluxDbSink sink = sink("odd_").build()) {
            sink.export(List.of(r));
        }
        Map<String, JsonNode> row = rows("SELECT * FROM odd_tcp", 1).getFirst();
        assertThat(row.get("target").asText()).isEqualTo(target);
        assertThat(row.get("task").asText()).isEqualTo("odd task");
        assertThat(row.get("team_name").asText()).isEqualTo("a=b, c");
        assertThat(row.get("error_message").asText()).isEqualTo("said \"no\", then hung up = C:\\x\\");
        assertThat(row.get("timestamp").asText()).isEqualTo("2025-02-03T04:05:06.000000Z");
    }

    @Test
    void resultsOfARealEngineArriveWithTheEnginesLabels() throws Exception {
        InMemorySink memory = new InMemorySink();
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             InfluxDbSink influx = sink("engine_").build()) {
            Thread acceptor = Thread.ofVirtual().start(() -> acceptAndClose(listener));
            try (ProbeEngine engine = ProbeEngine.builder().addSink(influx).addSink(memory)
                    .label("agent", "agent-7").label("region", "lab").label("isp", "loopback").build()) {
                TaskSpec spec = TaskSpec.builder("tcp", "127.0.0.1:" + listener.getLocalPort()).id("tcp-local").build();
                List<CompletableFuture<ProbeResult>> runs = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    runs.add(engine.runOnce(spec).toCompletableFuture());
                }
                runs.forEach(CompletableFuture::join);
            } // closing the engine delivers what its sinks have queued
            acceptor.interrupt();
            assertThat(influx.written()).isEqualTo(20);
        }

        List<Map<String, JsonNode>> rows = new ArrayList<>(rows("SELECT * FROM engine_tcp ORDER BY timestamp", 20));
        assertThat(rows).hasSize(20);
        // rows and results paired by duration (nanosecond precision): attempts that start in the same microsecond
        // (all 20 wait for the plugin's warm-up, then start at once) have no order by timestamp, and two attempts
        // may take the same nanoseconds, so both sides are sorted alike rather than looked up (CI once saw such a pair)
        rows.sort(Comparator.<Map<String, JsonNode>>comparingDouble(row -> row.get("duration_ms").asDouble())
                .thenComparing(row -> Instant.parse(row.get("timestamp").asText()))
                .thenComparingDouble(row -> row.get("phase_connect_ms").asDouble()));
        List<ProbeResult> results = new ArrayList<>(memory.results());
        results.sort(Comparator.comparing(ProbeResult::duration)
                .thenComparing(r -> r.startedAt().truncatedTo(ChronoUnit.MICROS))
                .thenComparing(r -> r.phases().get("connect")));
        assertThat(results).hasSize(20);
        for (int i = 0; i < rows.size(); i++) {
            Map<String, JsonNode> row = rows.get(i);
            ProbeResult r = results.get(i);
            assertThat(r.status()).isEqualTo(ProbeStatus.SUCCESS);
            assertThat(row.get("task").asText()).isEqualTo("tcp-local");
            assertThat(row.get("agent").asText()).isEqualTo("agent-7");
            assertThat(row.get("region").asText()).isEqualTo("lab");
            assertThat(row.get("isp").asText()).isEqualTo("loopback");
            assertThat(row.get("status").asText()).isEqualTo("SUCCESS");
            assertThat(row.get("duration_ms").asDouble()).isEqualTo(r.duration().toNanos() / 1e6);
            assertThat(row.get("phase_connect_ms").asDouble()).isEqualTo(r.phases().get("connect").toNanos() / 1e6);
            assertThat(Instant.parse(row.get("timestamp").asText())).isEqualTo(r.startedAt().truncatedTo(ChronoUnit.MICROS));
        }
    }

    @Test
    void aDeadServerGetsBoundedRetriesThenCountedDrops() throws Exception {
        int deadPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            deadPort = s.getLocalPort(); // nothing listens there once this closes
        }
        ProbeResult r = ProbeResult.builder().id("x").type("tcp").target("t").startedAt(Instant.now()).build();
        try (InfluxDbSink sink = InfluxDbSink.builder().url("http://127.0.0.1:" + deadPort).org("o").bucket("b")
                .token("s3cr3t").maxRetries(2).backoff(Duration.ofMillis(50), Duration.ofMillis(100)).build()) {
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> sink.export(List.of(r, r, r)))
                    .isInstanceOf(IOException.class).hasMessageContaining("after 3 attempts").hasMessageNotContaining("s3cr3t");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
            assertThat(sink.retries()).isEqualTo(2);
            assertThat(sink.dropped()).isEqualTo(3);
            assertThat(sink.written()).isZero();
        }
    }

    @Test
    void aDeadServerBehindTheEngineDropsAndCountsWithoutBlockingIt() throws Exception {
        int deadPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            deadPort = s.getLocalPort();
        }
        InfluxDbSink influx = InfluxDbSink.builder().url("http://127.0.0.1:" + deadPort).org("o").bucket("b")
                .maxRetries(1).backoff(Duration.ofSeconds(1), Duration.ofSeconds(1)).build();
        InMemorySink memory = new InMemorySink();
        ProbeEngine engine = ProbeEngine.builder().addSink(influx).addSink(memory).sinkQueueCapacity(5).sinkBatchSize(5).build();
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = Thread.ofVirtual().start(() -> acceptAndClose(listener));
            TaskSpec spec = TaskSpec.builder("tcp", "127.0.0.1:" + listener.getLocalPort()).build();
            for (int i = 0; i < 50; i++) {
                engine.runOnce(spec).toCompletableFuture().join();
                // paced by the healthy sink: its queue (also 5 deep) must not overflow on a busy CI machine
                int expected = i + 1;
                await().pollInterval(Duration.ofMillis(1)).atMost(Duration.ofSeconds(10)).until(() -> memory.size() == expected);
            }
            EngineStats.SinkStats stats = engine.stats().sinks().stream().filter(s -> s.name().equals("influxdb"))
                    .findFirst().orElseThrow();
            assertThat(stats.dropped()).as("the engine's queue for the dead sink overflowed").isPositive();
            long t0 = System.nanoTime();
            engine.close();
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(8));
            acceptor.interrupt();
        }
        EngineStats.SinkStats stats = engine.stats().sinks().stream().filter(s -> s.name().equals("influxdb"))
                .findFirst().orElseThrow();
        assertThat(influx.written()).isZero();
        assertThat(influx.dropped()).isPositive();
        // every result is accounted for: dropped by the engine's queue or by the sink, or still queued at close
        assertThat(stats.dropped() + influx.dropped() + stats.queued()).isEqualTo(50);
        assertThat(stats.failedBatches()).isPositive();
    }

    @Test
    void aSlowServerDoesNotHoldUpOtherSinks() throws Exception {
        InMemorySink memory = new InMemorySink();
        // accepts connections and never answers
        try (ServerSocket blackHole = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            List<Socket> held = new ArrayList<>();
            Thread holder = Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        held.add(blackHole.accept());
                    }
                } catch (IOException e) {
                    // closed by the test
                }
            });
            Thread acceptor = Thread.ofVirtual().start(() -> acceptAndClose(listener));
            InfluxDbSink influx = InfluxDbSink.builder().url("http://127.0.0.1:" + blackHole.getLocalPort()).org("o")
                    .bucket("b").timeout(Duration.ofMillis(500)).maxRetries(1)
                    .backoff(Duration.ofMillis(50), Duration.ofMillis(50)).build();
            ProbeEngine engine = ProbeEngine.builder().addSink(influx).addSink(memory).build();
            TaskSpec spec = TaskSpec.builder("tcp", "127.0.0.1:" + listener.getLocalPort()).build();
            long t0 = System.nanoTime();
            for (int i = 0; i < 20; i++) {
                engine.runOnce(spec).toCompletableFuture().join();
            }
            await().atMost(Duration.ofSeconds(2)).until(() -> memory.size() == 20);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
            assertThat(influx.written()).isZero();
            long c0 = System.nanoTime();
            engine.close();
            assertThat(Duration.ofNanos(System.nanoTime() - c0)).isLessThan(Duration.ofSeconds(8));
            assertThat(influx.dropped()).isPositive();
            holder.interrupt();
            acceptor.interrupt();
            for (Socket s : held) {
                s.close();
            }
        }
    }

    private static void acceptAndClose(ServerSocket listener) {
        try {
            while (true) {
                listener.accept().close();
            }
        } catch (IOException e) {
            // the listener was closed: the test is over
        }
    }
}
