package dev.vantage.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.server.TestServer;
import dev.vantage.server.json.JsonMapping;
import dev.vantage.server.security.Role;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A scripted admin session against the real server (H2) gives exactly the expected audit rows, without secrets. */
class AuditTest {
    static final String PASSWORD_1 = "first-Password-of-auditee";
    static final String PASSWORD_2 = "second-Password-of-auditee";
    static final String BEARER = "bearer-secret-of-the-task";
    static final String CHANNEL_SECRET = "webhook-signing-secret";

    static TestServer server;
    static String admin;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of("VANTAGE_NOTIFY_ALLOW_LOOPBACK", "true"));
        admin = server.adminToken();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aScriptedAdminSessionGivesExactlyTheExpectedRowsAndNoSecrets() {
        Instant start = Instant.now().minusMillis(1); // the other tests' rows are not this session's
        List<String> secrets = new ArrayList<>(List.of(PASSWORD_1, PASSWORD_2, BEARER, CHANNEL_SECRET));
        String user = ok(201, "POST", "/api/v1/users", Map.of("username", "auditee", "password", PASSWORD_1,
                "role", "viewer")).get("id").asText();
        ok(200, "PATCH", "/api/v1/users/" + user, Map.of("role", "operator", "password", PASSWORD_2));
        JsonNode token = ok(201, "POST", "/api/v1/tokens", Map.of("name", "ci"));
        secrets.add(token.get("token").asText());
        String task = ok(201, "POST", "/api/v1/tasks", Map.of("type", "http", "target", "http://127.0.0.1:9/",
                "interval", "30s", "params", Map.of("bearerToken", BEARER))).get("id").asText();
        ok(200, "POST", "/api/v1/tasks/" + task + "/disable", null);
        String channel = ok(201, "POST", "/api/v1/channels", Map.of("name", "hook", "type", "webhook",
                "settings", Map.of("url", "http://127.0.0.1:9/hook", "secret", CHANNEL_SECRET))).get("id").asText();
        JsonNode enrollment = ok(201, "POST", "/api/v1/agents/enrollment-tokens", Map.of("uses", 1));
        secrets.add(enrollment.get("token").asText());
        ok(204, "DELETE", "/api/v1/tasks/" + task, null);
        ok(204, "DELETE", "/api/v1/users/" + user, null);
        // none of these changes anything: reads, a refused change, a preview, a failed delete
        ok(200, "GET", "/api/v1/tasks", null);
        assertThat(call("POST", "/api/v1/users", Map.of("username", "weak", "password", "short")).status()).isEqualTo(400);
        assertThat(call("DELETE", "/api/v1/users/no-such-user", null).status()).isEqualTo(404);
        ok(200, "POST", "/api/v1/alert-rules/preview", Map.of("name", "p", "tasks", Map.of("task", "t"),
                "condition", Map.of("type", "consecutiveFailures", "count", 2)));

        JsonNode page = ok(200, "GET", "/api/v1/audit?limit=500&from=" + start, null);
        List<JsonNode> rows = new ArrayList<>();
        page.get("items").forEach(rows::add);
        List<JsonNode> session = rows.reversed();
        List<String> got = session.stream()
                .map(r -> r.get("action").asText() + " " + r.get("objectType").asText() + " " + r.get("objectId").asText())
                .toList();
        assertThat(got).containsExactly(
                "POST /api/v1/users users " + user,
                "PATCH /api/v1/users/{id} users " + user,
                "POST /api/v1/tokens tokens " + token.get("id").asText(),
                "POST /api/v1/tasks tasks " + task,
                "POST /api/v1/tasks/{id}/disable tasks " + task,
                "POST /api/v1/channels channels " + channel,
                "POST /api/v1/agents/enrollment-tokens agents/enrollment-tokens " + enrollment.get("id").asText(),
                "DELETE /api/v1/tasks/{id} tasks " + task,
                "DELETE /api/v1/users/{id} users " + user);
        assertThat(page.get("total").asLong()).isEqualTo(9);
        for (JsonNode r : rows) {
            assertThat(r.get("actor").get("username").asText()).isEqualTo("admin");
            assertThat(r.get("actor").get("apiTokenId").isNull()).isTrue();
            assertThat(r.get("clientAddress").asText()).isEqualTo("127.0.0.1");
            assertThat(Instant.parse(r.get("at").asText())).isBetween(Instant.now().minusSeconds(120), Instant.now());
        }
        JsonNode patch = session.get(1);
        assertThat(patch.get("before").get("role").asText()).isEqualTo("viewer");
        assertThat(patch.get("after").get("role").asText()).isEqualTo("operator");
        JsonNode disable = session.get(4);
        assertThat(disable.get("before").get("enabled").asBoolean()).isTrue();
        assertThat(disable.get("after").get("enabled").asBoolean()).isFalse();
        assertThat(disable.get("after").get("params").get("bearerToken").asText()).isEqualTo("******");
        JsonNode deleted = session.get(7);
        assertThat(deleted.get("before").get("id").asText()).isEqualTo(task);
        assertThat(deleted.get("after").isNull()).isTrue();
        assertThat(session.get(5).get("after").get("settings").get("secret").asText()).isEqualTo("******");

        // no secret in any stored column, nor in what the API reads
        String stored = String.join("\n", server.core.database().query("SELECT * FROM audit_log", rs -> {
            StringBuilder b = new StringBuilder();
            for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                b.append(rs.getString(i)).append('|');
            }
            return b.toString();
        }));
        assertThat(stored).contains("auditee", "hook");
        for (String secret : secrets) {
            assertThat(stored).doesNotContain(secret);
            assertThat(page.toString()).doesNotContain(secret);
        }

        // filters
        assertThat(ok(200, "GET", "/api/v1/audit?objectType=tasks&objectId=" + task, null).get("total").asLong()).isEqualTo(3);
        assertThat(ok(200, "GET", "/api/v1/audit?actor=admin&limit=2&offset=1&from=" + start, null).get("items").size()).isEqualTo(2);
        assertThat(ok(200, "GET", "/api/v1/audit?actor=nobody", null).get("total").asLong()).isZero();
        assertThat(ok(200, "GET", "/api/v1/audit?from=" + Instant.now().plusSeconds(60), null).get("total").asLong()).isZero();
        TestServer.Response bad = server.get("/api/v1/audit?from=yesterday", admin);
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body()).contains("from");
    }

    @Test
    void onlyAdminsReadAndNobodyChangesTheLog() {
        String operator = server.sessionToken(server.createUser("audit-operator", Role.OPERATOR));
        assertThat(server.get("/api/v1/audit", operator).status()).isEqualTo(403);
        assertThat(server.call("DELETE", "/api/v1/audit", admin, null).status()).isEqualTo(405);
        assertThat(server.call("PUT", "/api/v1/audit", admin, "{}").status()).isEqualTo(405);
    }

    @Test
    void anApiTokenIsNamedAsTheActor() {
        JsonNode token = ok(201, "POST", "/api/v1/tokens", Map.of("name", "actor-token", "role", "admin"));
        TestServer.Response r = server.post("/api/v1/silences", token.get("token").asText(), JsonMapping.write(Map.of(
                "comment", "audit", "tasks", Map.of("task", "t"),
                "once", Map.of("from", "2030-01-01T00:00:00Z", "until", "2030-01-02T00:00:00Z"))));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        JsonNode row = ok(200, "GET", "/api/v1/audit?objectType=silences&objectId=" + r.json().get("id").asText(), null)
                .get("items").get(0);
        assertThat(row.get("actor").get("apiTokenId").asText()).isEqualTo(token.get("id").asText());
        assertThat(row.get("after").get("comment").asText()).isEqualTo("audit");
    }

    @Test
    void theHourlyRoundDeletesRowsPastTheRetention() {
        AuditStore store = server.core.audit().store();
        store.append(Instant.now().minus(Duration.ofDays(400)), "u", "retention-old", null, "127.0.0.1", "POST /x", "x",
                "old", 201, null, null);
        store.append(Instant.now().minus(Duration.ofDays(300)), "u", "retention-kept", null, "127.0.0.1", "POST /x", "x",
                "kept", 201, null, null);
        server.core.retention().run();
        AuditStore.Page left = store.list(new AuditStore.Filter(null, "x", null, null, null), 10, 0);
        assertThat(left.items()).extracting(AuditStore.Entry::objectId).containsExactly("kept");
    }

    private static JsonNode ok(int status, String method, String path, Object body) {
        TestServer.Response r = call(method, path, body);
        assertThat(r.status()).as(method + " " + path + ": " + r.body()).isEqualTo(status);
        return r.body().isEmpty() ? null : r.json();
    }

    private static TestServer.Response call(String method, String path, Object body) {
        return server.call(method, path, admin, body == null ? null : JsonMapping.write(body));
    }
}
