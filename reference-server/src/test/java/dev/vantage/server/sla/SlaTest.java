package dev.vantage.server.sla;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.probe.spi.ErrorKind;
import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.probe.spi.ProbeStatus;
import dev.vantage.server.TestServer;
import dev.vantage.server.security.Role;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** SLA reports over results stored through the real ingest path (so read from its rollups), on the embedded H2. */
class SlaTest {
    static TestServer server;
    static String admin;
    static Instant today;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        admin = server.adminToken();
        today = Instant.now().truncatedTo(ChronoUnit.DAYS);
        for (String id : List.of("sla-web", "sla-maint", "sla-none")) {
            TestServer.Response r = server.post("/api/v1/tasks", admin,
                    "{\"id\":\"" + id + "\",\"type\":\"tcp\",\"target\":\"127.0.0.1:8081\",\"interval\":\"10s\"}");
            assertThat(r.status()).as(r.body()).isEqualTo(201);
        }
        // two days ago: two agents, 1,000 results each, latency 1..100 ms; 2 failures on one, 1 timeout on the other
        Instant twoDaysAgo = today.minus(2, ChronoUnit.DAYS);
        for (String agent : List.of("agent-1", "agent-2")) {
            List<ProbeResult> batch = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                ProbeStatus status = agent.equals("agent-1") && i < 2 ? ProbeStatus.FAILURE
                        : agent.equals("agent-2") && i == 0 ? ProbeStatus.TIMEOUT : ProbeStatus.SUCCESS;
                batch.add(result("sla-web", twoDaysAgo.plusSeconds(60L * i + 7), status, 1 + i % 100));
            }
            server.core.results().storeBatch(agent, batch);
        }
        // yesterday: timeouts through a 10:00-11:00 maintenance window, 100 successes after it
        Instant yesterday = today.minus(1, ChronoUnit.DAYS);
        List<ProbeResult> maint = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            maint.add(result("sla-maint", yesterday.plus(Duration.ofHours(10)).plusSeconds(60L * i + 30), ProbeStatus.TIMEOUT, 5));
        }
        for (int i = 0; i < 100; i++) {
            maint.add(result("sla-maint", yesterday.plus(Duration.ofHours(12)).plusSeconds(60L * i), ProbeStatus.SUCCESS, 5));
        }
        server.core.results().storeBatch("agent-1", maint);
        TestServer.Response silence = server.post("/api/v1/silences", admin, "{\"tasks\":{\"task\":\"sla-maint\"},"
                + "\"comment\":\"upgrade\",\"once\":{\"from\":\"" + yesterday.plus(Duration.ofHours(10))
                + "\",\"until\":\"" + yesterday.plus(Duration.ofHours(11)) + "\"}}");
        assertThat(silence.status()).as(silence.body()).isEqualTo(201);
        put("sla-web", "{\"availability\":99.9,\"latencyQuantile\":0.95,\"latencyMs\":300}");
        put("sla-maint", "{\"availability\":99.5}");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static void put(String task, String objective) {
        TestServer.Response r = server.call("PUT", "/api/v1/tasks/" + task + "/sla/objective", admin, objective);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    static ProbeResult result(String taskId, Instant at, ProbeStatus status, long ms) {
        ProbeResult.Builder b = ProbeResult.builder().id(UUID.randomUUID().toString()).taskId(taskId).type("tcp")
                .target("127.0.0.1:1").status(status).startedAt(at).duration(Duration.ofMillis(ms));
        if (status != ProbeStatus.SUCCESS) {
            b.error(status == ProbeStatus.TIMEOUT ? ErrorKind.TIMEOUT : ErrorKind.REFUSED, "down");
        }
        return b.build();
    }

    static JsonNode days(String task) {
        TestServer.Response r = server.get("/api/v1/tasks/" + task + "/sla?period=day&periods=3", admin);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode items = r.json().get("items");
        assertThat(items).hasSize(3);
        return items;
    }

    @Test
    void availabilityBudgetAndBurnRateAreExactOverBothAgents() {
        JsonNode day = days("sla-web").get(0);
        assertThat(day.get("start").asText()).isEqualTo(today.minus(2, ChronoUnit.DAYS).toString());
        assertThat(day.get("complete").asBoolean()).isTrue();
        assertThat(day.get("total").asLong()).isEqualTo(2000);
        assertThat(day.get("failures").asLong()).isEqualTo(3);
        assertThat(day.get("availability").asDouble()).isCloseTo(99.85, within(1e-9));
        assertThat(day.get("availabilityMet").asBoolean()).isFalse();
        assertThat(day.get("allowedFailures").asDouble()).isCloseTo(2.0, within(1e-9));
        assertThat(day.get("budgetRemaining").asDouble()).isCloseTo(-50.0, within(1e-6));
        assertThat(day.get("burnRate").asDouble()).isCloseTo(1.5, within(1e-6));
        // p95 of 1..100 ms (ranks over 1,997 successes) lies within the sketch's 1 % of 95 ms
        assertThat(day.get("latencyMs").asDouble()).isCloseTo(95.0, within(1.0));
        assertThat(day.get("latencyMet").asBoolean()).isTrue();
        JsonNode empty = days("sla-web").get(2);
        assertThat(empty.get("complete").asBoolean()).isFalse();
        assertThat(empty.get("total").asLong()).isZero();
        assertThat(empty.get("availability").isNull()).isTrue();
        assertThat(empty.get("budgetRemaining").isNull()).isTrue();

        // a month (or week) holding that day merges the same day rollups
        JsonNode month = server.get("/api/v1/tasks/sla-web/sla?period=month&periods=2", admin).json().get("items");
        long total = 0;
        for (JsonNode m : month) {
            total += m.get("total").asLong();
        }
        assertThat(total).isEqualTo(2000);
    }

    @Test
    void minutesInAMaintenanceWindowAreLeftOut() {
        JsonNode day = days("sla-maint").get(1);
        assertThat(day.get("total").asLong()).isEqualTo(100);
        assertThat(day.get("failures").asLong()).isZero();
        assertThat(day.get("availability").asDouble()).isEqualTo(100.0);
        assertThat(day.get("excludedMinutes").asLong()).isEqualTo(60);
        assertThat(day.get("excludedResults").asLong()).isEqualTo(60);
        assertThat(day.get("budgetRemaining").asDouble()).isCloseTo(100.0, within(1e-9));
        assertThat(day.get("burnRate").asDouble()).isZero();
        assertThat(day.get("maintenanceNotExcludedDays").asInt()).isZero();
    }

    @Test
    void csvForOneTaskAndForAllTasks() {
        TestServer.Response one = server.get("/api/v1/tasks/sla-web/sla?period=day&periods=3&format=csv", admin);
        assertThat(one.status()).isEqualTo(200);
        assertThat(one.contentType()).startsWith("text/csv");
        String[] lines = one.body().split("\r\n");
        assertThat(lines).hasSize(4);
        assertThat(lines[0]).startsWith("taskId,period,start,end,complete,total,successes,failures,availability,");
        assertThat(lines[1]).startsWith("sla-web,day," + today.minus(2, ChronoUnit.DAYS) + ",")
                .contains(",true,2000,1997,3,99.85,99.9,false,");
        TestServer.Response all = server.get("/api/v1/sla?period=week&format=csv", admin);
        assertThat(all.status()).isEqualTo(200);
        assertThat(all.body().split("\r\n")).hasSize(4); // header + the three tasks
        assertThat(all.body()).contains("\r\nsla-none,week,");
        JsonNode json = server.get("/api/v1/sla?period=week", admin).json();
        assertThat(json.get("items")).hasSize(3);
        assertThat(json.get("items").get(1).get("taskId").asText()).isEqualTo("sla-none");
        assertThat(json.get("items").get(1).get("availabilityObjective").isNull()).isTrue();
    }

    @Test
    void objectivesAreCheckedAndGuarded() {
        TestServer.Response bad = server.call("PUT", "/api/v1/tasks/sla-none/sla/objective", admin,
                "{\"availability\":101,\"latencyQuantile\":0.95}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body()).contains("availability", "latencyMs");
        assertThat(server.get("/api/v1/tasks/sla-none/sla/objective", admin).status()).isEqualTo(404);
        assertThat(server.get("/api/v1/tasks/no-such/sla", admin).status()).isEqualTo(404);
        TestServer.Response period = server.get("/api/v1/tasks/sla-web/sla?period=year&periods=0", admin);
        assertThat(period.status()).isEqualTo(400);
        assertThat(period.body()).contains("period", "periods");
        String viewer = server.sessionToken(server.createUser("sla-viewer", Role.VIEWER));
        assertThat(server.get("/api/v1/tasks/sla-web/sla/objective", viewer).json().get("availability").asDouble())
                .isEqualTo(99.9);
        assertThat(server.call("PUT", "/api/v1/tasks/sla-web/sla/objective", viewer, "{\"availability\":99}").status())
                .isEqualTo(403);
        put("sla-none", "{\"availability\":99}");
        assertThat(server.call("DELETE", "/api/v1/tasks/sla-none/sla/objective", admin, null).status()).isEqualTo(204);
        assertThat(server.get("/api/v1/tasks/sla-none/sla/objective", admin).status()).isEqualTo(404);
    }
}
