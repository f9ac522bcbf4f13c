package dev.vantage.server.status;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.probe.spi.ErrorKind;
import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.probe.spi.ProbeStatus;
import dev.vantage.server.TestServer;
import dev.vantage.server.json.JsonMapping;
import dev.vantage.server.security.Role;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class StatusPagesTest {
    static TestServer server;
    static String admin;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        admin = server.adminToken();
        task("sp-web", "127.0.0.1:8081");
        task("sp-db", "127.0.0.1:5433");
        task("sp-secret", "127.0.0.1:8082");
        Instant now = Instant.now();
        Instant threeDaysAgo = now.truncatedTo(ChronoUnit.DAYS).minus(3, ChronoUnit.DAYS).plusSeconds(3600);
        List<ProbeResult> web = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            web.add(result("sp-web", now.minusSeconds(1 + i), ProbeStatus.SUCCESS));
        }
        web.add(result("sp-web", threeDaysAgo, ProbeStatus.SUCCESS));
        web.add(result("sp-web", threeDaysAgo.plusSeconds(10), ProbeStatus.TIMEOUT));
        server.core.results().storeBatch("agent-1", web);
        server.core.results().storeBatch("agent-1", List.of(result("sp-db", now.minusSeconds(2), ProbeStatus.TIMEOUT)));
        server.core.results().storeBatch("agent-1", List.of(result("sp-secret", now.minusSeconds(2), ProbeStatus.SUCCESS)));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static void task(String id, String target) {
        TestServer.Response r = server.post("/api/v1/tasks", admin,
                "{\"id\":\"" + id + "\",\"type\":\"tcp\",\"target\":\"" + target + "\",\"interval\":\"10s\"}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
    }

    static ProbeResult result(String taskId, Instant at, ProbeStatus status) {
        ProbeResult.Builder b = ProbeResult.builder().id(UUID.randomUUID().toString()).taskId(taskId).type("tcp")
                .target("127.0.0.1:1").status(status).startedAt(at).duration(Duration.ofMillis(3));
        if (status != ProbeStatus.SUCCESS) {
            b.error(ErrorKind.TIMEOUT, "no answer");
        }
        return b.build();
    }

    static Map<String, Object> page(String slug, String title) {
        return Map.of("slug", slug, "title", title, "logo", "https://status.example/logo.svg",
                "groups", List.of(Map.of("name", "Web", "tasks", List.of(
                        Map.of("task", "sp-web", "name", "Website"),
                        Map.of("task", "sp-db", "name", "Database", "showTarget", true)))),
                "announcements", List.of(Map.of("title", "Upgrade tonight", "body", "02:00-03:00 UTC", "level", "warning")));
    }

    static JsonNode create(Map<String, Object> page) {
        TestServer.Response r = server.post("/api/v1/status-pages", admin, JsonMapping.write(page));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json();
    }

    @Test
    void anyoneSeesOnlyTheChosenTasksUnderTheirDisplayNames() {
        create(page("acme", "Acme status"));
        TestServer.Response r = server.get("/api/v1/public/status/acme", null);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).contains("Website", "Database", "Upgrade tonight")
                .contains("127.0.0.1:5433") // the admin ticked showTarget
                .doesNotContain("127.0.0.1:8081", "sp-web", "sp-db", "sp-secret", "127.0.0.1:8082");
        JsonNode tasks = r.json().get("groups").get(0).get("tasks");
        assertThat(tasks).hasSize(2);
        JsonNode web = tasks.get(0);
        assertThat(web.has("target")).isFalse();
        assertThat(web.get("state").asText()).isEqualTo("up");
        assertThat(tasks.get(1).get("state").asText()).isEqualTo("down");
        assertThat(r.json().get("state").asText()).isEqualTo("down");
        JsonNode days = web.get("days");
        assertThat(days).hasSize(PublicStatus.DAYS);
        assertThat(days.get(PublicStatus.DAYS - 1).get("count").asLong()).isEqualTo(4);
        assertThat(days.get(PublicStatus.DAYS - 1).get("availability").asDouble()).isEqualTo(100.0);
        assertThat(days.get(PublicStatus.DAYS - 4).get("availability").asDouble()).isEqualTo(50.0);
        assertThat(days.get(0).get("availability").isNull()).isTrue();
        assertThat(web.get("uptime").asDouble()).isCloseTo(500.0 / 6, org.assertj.core.data.Offset.offset(1e-9));

        assertThat(server.get("/api/v1/public/status/acme/tasks/sp-web", null).json().get("name").asText()).isEqualTo("Website");
        assertThat(server.get("/api/v1/public/status/acme/tasks/sp-secret", null).status()).isEqualTo(404);
        assertThat(server.get("/api/v1/public/status/no-such-page", null).status()).isEqualTo(404);
        // the admin API is not public
        assertThat(server.get("/api/v1/status-pages", null).status()).isEqualTo(401);
        String viewer = server.sessionToken(server.createUser("sp-viewer", Role.VIEWER));
        assertThat(server.get("/api/v1/status-pages", viewer).status()).isEqualTo(403);
    }

    @Test
    void repeatedReadsAreAnsweredFromMemoryAndAnEditShowsAtOnce() {
        JsonNode created = create(page("cached", "Before"));
        io.micrometer.core.instrument.Counter builds = server.core.registry().get("vantage.status.page.builds").counter();
        assertThat(server.get("/api/v1/public/status/cached", null).json().get("title").asText()).isEqualTo("Before");
        double before = builds.count();
        for (int i = 0; i < 200; i++) {
            TestServer.Response r = server.get("/api/v1/public/status/cached", null);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.headers().firstValue("cache-control")).hasValue("public, max-age=30");
        }
        assertThat(builds.count() - before).isZero();
        // another language is another page: one build, then memory again
        for (int i = 0; i < 20; i++) {
            server.call("GET", "/api/v1/public/status/cached", null, null, Map.of("Accept-Language", "zh-CN"));
        }
        assertThat(builds.count() - before).isEqualTo(1);

        // a reader that has the page is answered 304 without it; an edit gives the page another tag
        TestServer.Response first = server.get("/api/v1/public/status/cached", null);
        String etag = first.headers().firstValue("etag").orElseThrow();
        TestServer.Response again = server.call("GET", "/api/v1/public/status/cached", null, null,
                Map.of("If-None-Match", etag));
        assertThat(again.status()).isEqualTo(304);
        assertThat(again.body()).isEmpty();
        assertThat(first.contentType()).startsWith("application/json");

        TestServer.Response put = server.call("PUT", "/api/v1/status-pages/" + created.get("id").asText(), admin,
                JsonMapping.write(page("cached", "After")));
        assertThat(put.status()).as(put.body()).isEqualTo(200);
        TestServer.Response after = server.get("/api/v1/public/status/cached", null);
        assertThat(after.json().get("title").asText()).isEqualTo("After");
        assertThat(after.headers().firstValue("etag")).isPresent().isNotEqualTo(java.util.Optional.of(etag));
        assertThat(server.call("GET", "/api/v1/public/status/cached", null, null, Map.of("If-None-Match", etag))
                .status()).isEqualTo(200);
    }

    @Test
    void badPagesAreRefusedNamingTheField() {
        TestServer.Response r = server.post("/api/v1/status-pages", admin, JsonMapping.write(Map.of("slug", "Bad Slug",
                "title", "x", "logo", "javascript:alert(1)",
                "groups", List.of(Map.of("name", "g", "tasks", List.of(Map.of("task", "no-such-task", "name", "n")))))));
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.body()).contains("\"slug\"", "\"logo\"", "groups[0].tasks[0].task");
        create(page("taken", "One"));
        TestServer.Response again = server.post("/api/v1/status-pages", admin, JsonMapping.write(page("taken", "Two")));
        assertThat(again.status()).isEqualTo(400);
        assertThat(again.body()).contains("slug", "taken");
    }
}
