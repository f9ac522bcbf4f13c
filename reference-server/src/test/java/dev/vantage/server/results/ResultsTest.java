package dev.vantage.server.results;

import dev.vantage.server.results.StoredCount;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.probe.json.ResultJson;
import dev.vantage.probe.spi.ErrorKind;
import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.probe.spi.ProbeStatus;
import dev.vantage.server.TestServer;
import dev.vantage.server.security.Role;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ResultsTest {
    static TestServer server;
    static String viewer;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        viewer = server.sessionToken(server.createUser("reader", Role.VIEWER));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static ProbeResult result(String taskId, Instant at, ProbeStatus status, double ms, Double loss) {
        ProbeResult.Builder b = ProbeResult.builder().id(UUID.randomUUID().toString()).taskId(taskId).type("tcp")
                .target("127.0.0.1:80").status(status).startedAt(at).duration(Duration.ofNanos((long) (ms * 1_000_000)));
        if (status != ProbeStatus.SUCCESS) {
            b.error(ErrorKind.TIMEOUT, "no answer");
        }
        if (loss != null) {
            b.measurement("lossPercent", loss);
        }
        return b.build();
    }

    static String task(String id) {
        String token = server.sessionToken(server.createUser("maker-" + id, Role.OPERATOR));
        TestServer.Response r = server.post("/api/v1/tasks", token,
                "{\"id\":\"" + id + "\",\"type\":\"tcp\",\"target\":\"127.0.0.1:80\",\"interval\":\"10s\"}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return id;
    }

    @Test
    void storingIsIdempotentById() {
        Instant t = Instant.parse("2025-01-02T03:04:05.123456789Z");
        List<ProbeResult> batch = List.of(result("idem", t, ProbeStatus.SUCCESS, 1.5, null),
                result("idem", t.plusSeconds(1), ProbeStatus.TIMEOUT, 5000, null));
        assertThat(server.core.results().storeBatch("agent-1", batch)).isEqualTo(new StoredCount(2, 0));
        assertThat(server.core.results().storeBatch("agent-1", batch)).isEqualTo(new StoredCount(0, 2));
        ProbeResult fresh = result("idem", t.plusSeconds(2), ProbeStatus.SUCCESS, 2, null);
        // a batch that repeats itself: the second copy is a duplicate
        assertThat(server.core.results().storeBatch("agent-1", List.of(batch.get(0), fresh, fresh))).isEqualTo(new StoredCount(1, 2));
        assertThat(server.core.results().storeBatch("agent-1", List.of())).isEqualTo(new StoredCount(0, 0));
        assertThatThrownBy(() -> server.core.results().storeBatch("agent-1", List.of(ProbeResult.builder()
                .status(ProbeStatus.SUCCESS).startedAt(t).build()))).hasMessageContaining("results[0] has no id");
    }

    @Test
    void resultsArePagedNewestFirstWithACursor() {
        String id = task("paged");
        Instant t0 = Instant.parse("2025-03-01T00:00:00Z");
        List<ProbeResult> all = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            // two results share each instant, so the cursor must break ties by id
            all.add(result(id, t0.plusSeconds(i / 2), ProbeStatus.SUCCESS, i, null));
        }
        server.core.results().storeBatch("a1", all.subList(0, 4));
        server.core.results().storeBatch("a2", all.subList(4, 7));

        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            TestServer.Response r = server.get("/api/v1/tasks/" + id + "/results?limit=3" + (cursor == null ? "" : "&cursor=" + cursor), viewer);
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            for (JsonNode n : r.json().get("items")) {
                seen.add(n.get("id").asText());
                assertThat(ResultJson.parse(n.toString()).taskId()).isEqualTo(id);
            }
            cursor = r.json().get("next").isNull() ? null : r.json().get("next").asText();
            pages++;
        } while (cursor != null);
        assertThat(pages).isEqualTo(3);
        List<String> expected = all.stream()
                .sorted((a, b) -> a.startedAt().equals(b.startedAt()) ? b.id().compareTo(a.id()) : b.startedAt().compareTo(a.startedAt()))
                .map(ProbeResult::id).toList();
        assertThat(seen).containsExactlyElementsOf(expected);

        JsonNode onlyA2 = server.get("/api/v1/tasks/" + id + "/results?agent=a2&from=2025-03-01T00:00:02Z&to=2025-03-01T00:00:03Z", viewer).json();
        assertThat(onlyA2.get("items")).hasSize(2);
        assertThat(onlyA2.get("items").findValuesAsText("agentId")).as("every result names its agent").containsOnly("a2");
        TestServer.Response typo = server.get("/api/v1/tasks/" + id + "/results?agent=a9", viewer);
        assertThat(typo.status()).as("an agent that never sent a result of the task is a typo, not an empty page").isEqualTo(404);
        assertThat(typo.body()).contains("agent not found");
        assertThat(server.get("/api/v1/tasks/" + id + "/aggregates?agent=a9", viewer).status()).isEqualTo(404);
        TestServer.Response bogus = server.get("/api/v1/tasks/" + id + "/results?cursor=bogus", viewer);
        assertThat(bogus.status()).isEqualTo(400);
        assertThat(bogus.json().get("errors").get(0).get("message").asText()).isEqualTo("is not a cursor this server returned");
        TestServer.Response bogusZh = server.call("GET", "/api/v1/tasks/" + id + "/results?cursor=bogus", viewer, null,
                java.util.Map.of("Accept-Language", "zh-CN"));
        assertThat(bogusZh.json().get("errors").get(0).get("field").asText()).isEqualTo("cursor");
        assertThat(bogusZh.json().get("errors").get(0).get("message").asText()).isEqualTo("不是本服务器返回的游标");
        assertThat(server.get("/api/v1/tasks/" + id + "/results?from=yesterday&limit=5000", viewer).json()
                .get("errors").findValuesAsText("field")).containsExactly("from", "limit");
        assertThat(server.get("/api/v1/tasks/no-such-task/results", viewer).status()).isEqualTo(404);
    }

    @Test
    void aggregatesPerBucketAndAgent() {
        String id = task("agg");
        Instant m0 = Instant.parse("2025-04-01T10:00:00Z");
        List<ProbeResult> batch = new ArrayList<>();
        // minute 0, agent a: durations 1..10 ms, one of ten timed out; loss 0 and 50 on two of them
        for (int i = 1; i <= 10; i++) {
            batch.add(result(id, m0.plusSeconds(i), i == 10 ? ProbeStatus.TIMEOUT : ProbeStatus.SUCCESS, i,
                    i == 1 ? Double.valueOf(0) : i == 2 ? Double.valueOf(50) : null));
        }
        // minute 1, agent a: one result; minute 0, agent b: one result
        server.core.results().storeBatch("a", batch);
        server.core.results().storeBatch("a", List.of(result(id, m0.plusSeconds(61), ProbeStatus.SUCCESS, 7, null)));
        server.core.results().storeBatch("b", List.of(result(id, m0.plusSeconds(5), ProbeStatus.FAILURE, 3, null)));

        TestServer.Response r = server.get("/api/v1/tasks/" + id + "/aggregates?bucket=1m&from=2025-04-01T10:00:00Z&to=2025-04-01T10:05:00Z", viewer);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode items = r.json().get("items");
        assertThat(items).hasSize(3);
        JsonNode a0 = items.get(0);
        assertThat(a0.get("start").asText()).isEqualTo("2025-04-01T10:00:00Z");
        assertThat(a0.get("agentId").asText()).isEqualTo("a");
        assertThat(a0.get("count").asInt()).isEqualTo(10);
        assertThat(a0.get("availability").asDouble()).isEqualTo(90.0);
        // latency percentiles over the nine successful results (1..9 ms); the timeout shows in availability only.
        // The sketch answers within 1 % of the value at rank floor(q * (n - 1)): p50 is the 5th, p95 and p99 the 8th
        org.assertj.core.data.Percentage onePercent = org.assertj.core.data.Percentage.withPercentage(1);
        assertThat(a0.get("p50").asDouble()).isCloseTo(5.0, onePercent);
        assertThat(a0.get("p95").asDouble()).isCloseTo(8.0, onePercent);
        assertThat(a0.get("p99").asDouble()).isCloseTo(8.0, onePercent);
        assertThat(a0.get("min").asDouble()).isEqualTo(1.0);
        assertThat(a0.get("max").asDouble()).isEqualTo(9.0);
        assertThat(a0.get("lossPercentAvg").asDouble()).isEqualTo(25.0);
        JsonNode b0 = items.get(1);
        assertThat(b0.get("agentId").asText()).isEqualTo("b");
        assertThat(b0.get("availability").asDouble()).isEqualTo(0.0);
        assertThat(b0.get("lossPercentAvg").isNull()).isTrue();
        assertThat(items.get(2).get("start").asText()).isEqualTo("2025-04-01T10:01:00Z");

        // all agents merged: one bucket a minute, counted together
        JsonNode merged = server.get("/api/v1/tasks/" + id + "/aggregates?bucket=1m&by=all&from=2025-04-01T10:00:00Z&to=2025-04-01T10:05:00Z", viewer).json();
        assertThat(merged.get("by").asText()).isEqualTo("all");
        assertThat(merged.get("items")).hasSize(2);
        assertThat(merged.get("items").get(0).get("agentId").isNull()).isTrue();
        assertThat(merged.get("items").get(0).get("count").asInt()).isEqualTo(11);
        assertThat(merged.get("items").get(0).get("availability").asDouble()).isCloseTo(900.0 / 11, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(server.get("/api/v1/tasks/" + id + "/aggregates?by=everyone", viewer).json().get("errors")
                .findValuesAsText("field")).containsExactly("by");

        JsonNode onlyB = server.get("/api/v1/tasks/" + id + "/aggregates?agent=b&bucket=1h&from=2025-04-01T00:00:00Z&to=2025-04-02T00:00:00Z", viewer).json();
        assertThat(onlyB.get("items")).hasSize(1);
        assertThat(onlyB.get("items").get(0).get("start").asText()).isEqualTo("2025-04-01T10:00:00Z");

        assertThat(server.get("/api/v1/tasks/" + id + "/aggregates?bucket=1ms", viewer).json().get("errors").findValuesAsText("field"))
                .containsExactly("bucket");
        assertThat(server.get("/api/v1/tasks/" + id + "/aggregates?bucket=1s&from=2025-01-01T00:00:00Z&to=2025-02-01T00:00:00Z", viewer)
                .json().get("errors").findValuesAsText("field")).containsExactly("bucket");
        assertThat(server.get("/api/v1/tasks/" + id + "/aggregates?from=2025-04-02T00:00:00Z&to=2025-04-01T00:00:00Z", viewer)
                .json().get("errors").findValuesAsText("field")).containsExactly("from");
    }

    @Test
    void aWindowWithTooManyRowsIsRefused() {
        try (TestServer small = TestServer.start(java.util.Map.of("VANTAGE_RESULTS_MAX_AGGREGATE_ROWS", "3"))) {
            String token = small.adminToken();
            small.post("/api/v1/tasks", token, "{\"id\":\"big\",\"type\":\"tcp\",\"target\":\"127.0.0.1:80\",\"interval\":\"10s\"}");
            Instant t = Instant.parse("2025-05-01T00:00:00Z");
            List<ProbeResult> batch = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                batch.add(result("big", t.plusSeconds(i), ProbeStatus.SUCCESS, 1, null));
            }
            small.core.results().storeBatch("a", batch);
            // whole minutes come from the rollups, with no row limit; 10 s buckets read the results one by one
            TestServer.Response rolled = small.get("/api/v1/tasks/big/aggregates?from=2025-05-01T00:00:00Z&to=2025-05-01T01:00:00Z", token);
            assertThat(rolled.status()).isEqualTo(200);
            assertThat(rolled.json().get("resolution").asText()).isEqualTo("1m");
            assertThat(rolled.json().get("items").get(0).get("count").asLong()).isEqualTo(4);
            TestServer.Response r = small.get("/api/v1/tasks/big/aggregates?bucket=10s&from=2025-05-01T00:00:00Z&to=2025-05-01T01:00:00Z", token);
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.json().get("errors").get(0).get("field").asText()).isEqualTo("bucket");
            assertThat(r.json().get("errors").get(0).get("message").asText()).contains("more than 3 results");
        }
    }

    @Test
    void retentionDeletesOldResultsOnH2() {
        try (TestServer own = TestServer.start()) { // its own database: the other tests' results are from 2025
            Instant now = Instant.now();
            List<ProbeResult> batch = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                batch.add(result("kept-or-not", now.minus(Duration.ofDays(40)).plusSeconds(i), ProbeStatus.SUCCESS, 1, null));
            }
            batch.add(result("kept-or-not", now.minus(Duration.ofDays(29)), ProbeStatus.SUCCESS, 1, null));
            own.core.results().storeBatch("a", batch);
            ResultRetention retention = new ResultRetention(own.core.database(), Duration.ofDays(30), own.core.config().rollupRetention(), java.time.Clock.systemUTC());
            assertThat(retention.run()).isEqualTo(5);
            assertThat(own.core.database().query("SELECT id FROM results", rs -> rs.getString(1)))
                    .containsExactly(batch.getLast().id());
            assertThat(retention.run()).isZero();
        }
    }

    @Test
    void batchesStoredTogetherAreCountedApart() {
        Instant t = Instant.parse("2025-01-03T00:00:00Z");
        ProbeResult shared = result("each", t, ProbeStatus.SUCCESS, 1, null);
        List<StoredCount> counts = server.core.results().storeEach(List.of(
                new ResultStore.Batch("a", List.of(shared, result("each", t, ProbeStatus.SUCCESS, 1, null))),
                new ResultStore.Batch("b", List.of(shared, result("each", t, ProbeStatus.SUCCESS, 1, null)))));
        // the id both batches carry is stored once, counted for the first batch and a duplicate for the second
        assertThat(counts).containsExactly(new StoredCount(2, 0), new StoredCount(1, 1));
    }
}
