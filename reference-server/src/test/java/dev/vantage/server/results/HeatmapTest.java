package dev.vantage.server.results;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.probe.engine.Durations;
import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.probe.spi.ProbeStatus;
import dev.vantage.server.TestServer;
import dev.vantage.server.results.rollups.Rollup;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** {@code /heatmap} on H2 over real HTTP: band counts against a recomputation from the results themselves. */
class HeatmapTest {
    @Test
    void bandCountsEqualARecomputationFromTheResults() {
        try (TestServer server = TestServer.start()) {
            String token = server.adminToken();
            RollupCheck data = new RollupCheck(31, RollupsTest.task(server, token, "heat"), List.of("agent-a", "agent-b"));
            data.deliver(d -> server.core.results().storeBatch(d.agentId(), d.results()));
            Instant start = RollupCheck.START;
            Instant end = start.plus(RollupCheck.SPAN);
            assertThat(check(server, token, data, start, end, Duration.ofDays(1), null)).isEqualTo("1d");
            assertThat(check(server, token, data, start.plusSeconds(4_625), end.minusSeconds(7_170), Duration.ofHours(1), null))
                    .isEqualTo("1h");
            assertThat(check(server, token, data, start.plusSeconds(40_000), start.plusSeconds(61_700), Duration.ofMinutes(5),
                    "agent-b")).isEqualTo("1m");
            assertThat(check(server, token, data, start.plusSeconds(7_000), start.plusSeconds(14_000), Duration.ofSeconds(30),
                    null)).isEqualTo("raw");
        }
    }

    /**
     * Asks for one window and compares with the truth: counts and failures exactly; each band holds at least the
     * results whose latency lies inside it farther than the sketch's 1 % from its edges, and at most those within
     * 1 % of it (a sketch bin is that wide); all successful results are in some band.
     */
    private static String check(TestServer server, String token, RollupCheck data, Instant from, Instant to,
                                Duration bucket, String agent) {
        String path = "/api/v1/tasks/" + data.taskId + "/heatmap?from=" + from + "&to=" + to + "&bucket="
                + Durations.format(bucket) + (agent == null ? "" : "&agent=" + agent);
        TestServer.Response r = server.get(path, token);
        assertThat(r.status()).as(path + " " + r.body()).isEqualTo(200);
        Map<String, List<RollupCheck.Sent>> expected = new TreeMap<>();
        for (RollupCheck.Sent s : data.truth) {
            Instant at = s.result().startedAt();
            if (!at.isBefore(from) && at.isBefore(to) && (agent == null || agent.equals(s.agentId()))) {
                long size = bucket.toMillis();
                expected.computeIfAbsent(Instant.ofEpochMilli(Math.floorDiv(at.toEpochMilli(), size) * size).toString(),
                        k -> new ArrayList<>()).add(s);
            }
        }
        double[] ok = expected.values().stream().flatMap(List::stream).filter(s -> s.result().status() == ProbeStatus.SUCCESS)
                .mapToDouble(RollupCheck.Sent::latencyMs).sorted().toArray();
        double[] edges = new double[r.json().get("edges").size()];
        for (int i = 0; i < edges.length; i++) {
            edges[i] = r.json().get("edges").get(i).asDouble();
        }
        // 32 log-spaced bands from the window's smallest to its largest latency
        assertThat(edges).hasSize(Aggregates.BANDS + 1);
        assertThat(edges[0]).isEqualTo(ok[0]);
        assertThat(edges[Aggregates.BANDS]).isEqualTo(ok[ok.length - 1]);
        JsonNode items = r.json().get("items");
        List<String> starts = new ArrayList<>();
        items.forEach(i -> starts.add(i.get("start").asText()));
        assertThat(starts).as(path).containsExactlyElementsOf(expected.keySet());
        double a = Rollup.RELATIVE_ACCURACY;
        for (JsonNode item : items) {
            List<RollupCheck.Sent> group = expected.get(item.get("start").asText());
            double[] latencies = group.stream().filter(s -> s.result().status() == ProbeStatus.SUCCESS)
                    .mapToDouble(RollupCheck.Sent::latencyMs).toArray();
            String what = path + " " + item;
            assertThat(item.get("count").asLong()).as(what).isEqualTo(group.size());
            assertThat(item.get("failures").asLong()).as(what).isEqualTo(group.size() - latencies.length);
            long sum = 0;
            for (int b = 0; b < Aggregates.BANDS; b++) {
                // the first and last bands also take what lies below and above the edges
                double lo = b == 0 ? 0 : edges[b];
                double hi = b == Aggregates.BANDS - 1 ? Double.MAX_VALUE : edges[b + 1];
                long surely = count(latencies, lo * (1 + a), hi * (1 - a));
                long maybe = count(latencies, lo * (1 - a), hi * (1 + a));
                long band = item.get("bands").get(b).asLong();
                assertThat(band).as(what + " band " + b).isBetween(surely, maybe);
                sum += band;
            }
            assertThat(sum).as(what).isEqualTo(latencies.length);
        }
        return r.json().get("resolution").asText();
    }

    private static long count(double[] values, double from, double to) {
        return java.util.Arrays.stream(values).filter(v -> v >= from && v < to).count();
    }

    @Test
    void aYearOfDayBucketsIsAnsweredFromTheRollups() {
        try (TestServer server = TestServer.start()) {
            String token = server.adminToken();
            RollupsTest.task(server, token, "year");
            Instant today = Instant.now().truncatedTo(ChronoUnit.DAYS);
            List<ProbeResult> results = new ArrayList<>();
            for (int day = 1; day <= 365; day++) {
                for (int i = 0; i < 4; i++) {
                    boolean failed = i == 3 && day % 10 == 0;
                    results.add(ProbeResult.builder().id(UUID.randomUUID().toString()).taskId("year").type("tcp")
                            .target("127.0.0.1:80").status(failed ? ProbeStatus.TIMEOUT : ProbeStatus.SUCCESS)
                            .startedAt(today.minus(Duration.ofDays(day)).plus(Duration.ofHours(6 * i)))
                            .duration(Duration.ofMillis(failed ? 1_000 : 5 + day % 50 + 20L * i)).build());
                }
            }
            server.core.results().storeBatch("a", results);
            Instant from = today.minus(Duration.ofDays(365));
            TestServer.Response r = server.get("/api/v1/tasks/year/heatmap?bucket=1d&from=" + from + "&to=" + today, token);
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            JsonNode body = r.json();
            assertThat(body.get("resolution").asText()).isEqualTo("1d");
            assertThat(body.get("items")).hasSize(365);
            assertThat(body.get("edges").get(0).asDouble()).isEqualTo(5.0); // day 50: 5 + 0
            assertThat(body.get("edges").get(Aggregates.BANDS).asDouble()).isEqualTo(5 + 49 + 60.0);
            JsonNode tenthDay = body.get("items").get(365 - 10);
            assertThat(tenthDay.get("start").asText()).isEqualTo(today.minus(Duration.ofDays(10)).toString());
            assertThat(tenthDay.get("failures").asLong()).isEqualTo(1);
            long inBands = 0;
            for (JsonNode n : tenthDay.get("bands")) {
                inBands += n.asLong();
            }
            assertThat(inBands).isEqualTo(3);
        }
    }

    @Test
    void badParametersAreRefusedNamingTheField() {
        try (TestServer server = TestServer.start()) {
            String token = server.adminToken();
            RollupsTest.task(server, token, "bad");
            assertThat(fields(server, token, "bucket=soon")).containsExactly("bucket");
            assertThat(fields(server, token, "bucket=1s&from=2025-01-01T00:00:00Z&to=2026-01-01T00:00:00Z")).containsExactly("bucket");
            assertThat(fields(server, token, "from=2025-04-02T00:00:00Z&to=2025-04-01T00:00:00Z")).containsExactly("from");
            assertThat(fields(server, token, "from=yesterday&bucket=0s")).containsExactly("from", "bucket");
            // an empty window has no bands
            JsonNode empty = server.get("/api/v1/tasks/bad/heatmap", token).json();
            assertThat(empty.get("edges")).isEmpty();
            assertThat(empty.get("items")).isEmpty();
            assertThat(server.get("/api/v1/tasks/none/heatmap", token).status()).isEqualTo(404);
            assertThat(server.get("/api/v1/tasks/bad/heatmap?agent=nobody", token).status()).isEqualTo(404);
        }
    }

    private static List<String> fields(TestServer server, String token, String query) {
        TestServer.Response r = server.get("/api/v1/tasks/bad/heatmap?" + query, token);
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        return r.json().get("errors").findValuesAsText("field");
    }
}
