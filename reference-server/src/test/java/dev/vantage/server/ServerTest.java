package dev.vantage.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.server.security.Role;
import dev.vantage.server.http.Route;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** The server as a whole: operations endpoints, the OpenAPI document, users, first start. */
class ServerTest {
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void healthReadyAndMetrics() {
        assertThat(server.get("/health", null).json().get("status").asText()).isEqualTo("UP");
        TestServer.Response ready = server.get("/ready", null);
        assertThat(ready.status()).isEqualTo(200);
        assertThat(ready.json().get("checks").get("database").asText()).isEqualTo("UP");
        server.get("/api/v1/plugins", null); // one request to count
        TestServer.Response metrics = server.get("/metrics", null);
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.contentType()).startsWith("text/plain");
        assertThat(metrics.body()).contains("jvm_memory_used_bytes", "hikaricp_connections",
                "http_server_requests_seconds_count{method=\"GET\",outcome=\"CLIENT_ERROR\",status=\"401\",uri=\"/api/v1/plugins\"}");
    }

    private static final String TOO_MANY = "#/components/responses/TooManyRequests";

    @SuppressWarnings("unchecked")
    @Test
    void openApiListsExactlyTheRouteTableWithTheSameRolesAndRateLimits() throws Exception {
        TestServer.Response doc = server.get("/api/v1/openapi.yaml", null);
        assertThat(doc.status()).isEqualTo(200);
        assertThat(doc.contentType()).startsWith("application/yaml");
        Map<String, Object> yaml = new Yaml().load(doc.body());
        Set<String> documented = new TreeSet<>();
        ((Map<String, Map<String, Object>>) yaml.get("paths")).forEach((path, item) -> item.forEach((method, op) -> {
            if (Set.of("get", "post", "put", "patch", "delete").contains(method)) {
                Map<String, Object> operation = (Map<String, Object>) op;
                Object tooMany = ((Map<String, Object>) operation.get("responses")).get("429");
                // a rate-limited route documents its 429 through the one shared answer
                boolean shared429 = tooMany instanceof Map<?, ?> m && TOO_MANY.equals(m.get("$ref"));
                documented.add(method.toUpperCase() + " " + path + " " + operation.get("x-min-role")
                        + (shared429 ? " 429" : ""));
            }
        }));
        Set<String> routed = new TreeSet<>();
        for (Route r : server.app.routes().all()) {
            routed.add(r.method().text() + " " + r.path() + " " + (r.isPublic() ? "public" : r.minRole().id())
                    + (r.rateLimited() ? " 429" : ""));
        }
        assertThat(documented).isEqualTo(routed);
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("openapi.yaml")) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(doc.body());
        }
    }

    @Test
    void adminsManageUsers() {
        String admin = server.adminToken();
        TestServer.Response bad = server.post("/api/v1/users", admin, "{\"username\":\"Bad Name!\",\"password\":\"short\",\"role\":\"boss\",\"extra\":1}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("errors").findValuesAsText("field")).containsExactlyInAnyOrder("username", "password", "role", "extra");

        TestServer.Response created = server.post("/api/v1/users", admin, "{\"username\":\"Carol\",\"password\":\"carols-long-password\",\"role\":\"operator\"}");
        assertThat(created.status()).isEqualTo(201);
        JsonNode carol = created.json();
        assertThat(carol.get("username").asText()).isEqualTo("carol");
        assertThat(created.body()).doesNotContain("argon2").doesNotContain("password");
        assertThat(server.post("/api/v1/users", admin, "{\"username\":\"carol\",\"password\":\"carols-long-password\"}").status()).isEqualTo(409);
        String id = carol.get("id").asText();
        String carolToken = server.login("CAROL", "carols-long-password");
        assertThat(server.get("/api/v1/users", admin).json().get("items").findValuesAsText("username")).contains("admin", "carol");

        TestServer.Response demoted = server.call("PATCH", "/api/v1/users/" + id, admin, "{\"role\":\"viewer\"}");
        assertThat(demoted.json().get("role").asText()).isEqualTo("viewer");
        assertThat(server.get("/api/v1/auth/me", carolToken).status()).isEqualTo(401);

        String adminId = server.core.users().findByUsername("admin").orElseThrow().id();
        assertThat(server.call("PATCH", "/api/v1/users/" + adminId, admin, "{\"disabled\":true}").status()).isEqualTo(409);
        assertThat(server.call("DELETE", "/api/v1/users/" + adminId, admin, null).status()).isEqualTo(409);
        assertThat(server.call("DELETE", "/api/v1/users/" + id, admin, null).status()).isEqualTo(204);
        assertThat(server.get("/api/v1/users/" + id, admin).status()).isEqualTo(404);
    }

    @Test
    void everyResponseRefusesFramingAndSniffing() {
        for (String path : new String[] {"/health", "/api/v1/tasks", "/no-such-page.js"}) {
            TestServer.Response r = server.get(path, null);
            assertThat(r.headers().firstValue("x-frame-options")).as(path).contains("DENY");
            assertThat(r.headers().firstValue("x-content-type-options")).as(path).contains("nosniff");
            assertThat(r.headers().firstValue("referrer-policy")).as(path).contains("no-referrer");
        }
    }

    @Test
    void corsIsClosedByDefault() {
        TestServer.Response r = server.call("OPTIONS", "/api/v1/tasks", null, null,
                Map.of("Origin", "https://evil.example", "Access-Control-Request-Method", "GET"));
        assertThat(r.headers().firstValue("access-control-allow-origin")).isEmpty();
    }

    @Test
    void corsOpensForConfiguredOriginsOnly() {
        try (TestServer open = TestServer.start(Map.of("VANTAGE_CORS_ALLOWED_ORIGINS", "https://ui.example, https://other.example"))) {
            TestServer.Response pre = open.call("OPTIONS", "/api/v1/tasks", null, null,
                    Map.of("Origin", "https://ui.example", "Access-Control-Request-Method", "POST"));
            assertThat(pre.status()).isEqualTo(204);
            assertThat(pre.headers().firstValue("access-control-allow-origin")).contains("https://ui.example");
            assertThat(pre.headers().firstValue("access-control-allow-headers").orElse("")).contains("Authorization");
            TestServer.Response get = open.call("GET", "/health", null, null, Map.of("Origin", "https://ui.example"));
            assertThat(get.headers().firstValue("access-control-allow-origin")).contains("https://ui.example");
            TestServer.Response evil = open.call("GET", "/health", null, null, Map.of("Origin", "https://evil.example"));
            assertThat(evil.headers().firstValue("access-control-allow-origin")).isEmpty();
        }
    }

    @Test
    void firstStartPrintsAGeneratedAdminPasswordOnce() throws Exception {
        Path dir = Files.createTempDirectory("vantage-first-start");
        try {
            String printed;
            try (TestServer first = TestServer.startIn(dir, Map.of("VANTAGE_ADMIN_PASSWORD", "", "VANTAGE_JWT_SECRET", ""))) {
                printed = first.console.toString(StandardCharsets.UTF_8);
                var m = java.util.regex.Pattern.compile("password:\\s+(\\S+)").matcher(printed);
                assertThat(m.find()).as(printed).isTrue();
                first.login("admin", m.group(1));
            }
            assertThat(Files.readString(dir.resolve("jwt-secret")).trim()).hasSizeGreaterThanOrEqualTo(43);
            try (TestServer second = TestServer.startIn(dir, Map.of("VANTAGE_ADMIN_PASSWORD", "", "VANTAGE_JWT_SECRET", ""))) {
                assertThat(second.console.toString(StandardCharsets.UTF_8)).isEmpty();
            }
        } finally {
            TestServer.deleteTree(dir);
        }
    }

    @Test
    void aConfiguredAdminPasswordIsNeverPrinted() {
        assertThat(server.console.toString(StandardCharsets.UTF_8)).isEmpty();
        assertThat(server.core.users().findByUsername("admin").orElseThrow().role()).isEqualTo(Role.ADMIN);
    }
}
