package dev.vantage.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.server.TestServer;
import dev.vantage.server.json.JsonMapping;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every create and update route answers a string longer than its column (or any sane size) with a 400 that names
 * the field, never with a database error's 500. One row per route and field.
 */
class OverlongInputTest {
    private static final String LONG = "x".repeat(20_000);
    private static TestServer server;
    private static String admin;

    private record Case(String method, String path, Object body, String field) {
    }

    @BeforeAll
    static void start() {
        server = TestServer.start();
        admin = server.adminToken();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void overlongStringsAreA400NamingTheField() {
        String channel = server.post("/api/v1/channels", admin, JsonMapping.write(Map.of("name", "c", "type", "webhook",
                "settings", Map.of("url", "https://hooks.example.test/x")))).json().get("id").asText();
        String rule = server.post("/api/v1/alert-rules", admin, JsonMapping.write(Map.of("name", "r",
                "tasks", Map.of("task", "t"), "condition", Map.of("type", "consecutiveFailures", "count", 2))))
                .json().get("id").asText();
        String user = server.post("/api/v1/users", admin, JsonMapping.write(Map.of("username", "long-input-user",
                "password", "a long enough password", "role", "viewer"))).json().get("id").asText();
        Map<String, Object> task = Map.of("type", "tcp", "target", "192.0.2.1:80", "interval", "1m");
        List<Case> cases = List.of(
                new Case("POST", "/api/v1/tasks", with(task, "name", LONG), "name"),
                new Case("POST", "/api/v1/tasks", with(task, "id", LONG), "id"),
                new Case("POST", "/api/v1/tasks", with(task, "target", "192.0.2.1:" + LONG), "target"),
                new Case("POST", "/api/v1/tasks", with(task, "labels", Map.of(LONG, "v")), "labels"),
                new Case("POST", "/api/v1/tasks", with(task, "labels", Map.of("k", LONG)), "labels"),
                new Case("POST", "/api/v1/tasks", with(task, "selector", Map.of("labels", Map.of(LONG, "v"))), "selector"),
                new Case("POST", "/api/v1/instant-tests", with(task, "target", "192.0.2.1:" + LONG), "target"),
                new Case("POST", "/api/v1/alert-rules", Map.of("name", LONG, "tasks", Map.of("task", "t"),
                        "condition", Map.of("type", "consecutiveFailures", "count", 2)), "name"),
                new Case("POST", "/api/v1/alert-rules", Map.of("name", "r", "tasks", Map.of("task", LONG),
                        "condition", Map.of("type", "consecutiveFailures", "count", 2)), "tasks"),
                new Case("PUT", "/api/v1/alert-rules/" + rule, Map.of("name", LONG, "tasks", Map.of("task", "t"),
                        "condition", Map.of("type", "consecutiveFailures", "count", 2)), "name"),
                new Case("POST", "/api/v1/channels", Map.of("name", LONG, "type", "webhook",
                        "settings", Map.of("url", "https://hooks.example.test/x")), "name"),
                new Case("POST", "/api/v1/channels", Map.of("name", "c", "type", "webhook",
                        "settings", Map.of("url", "https://hooks.example.test/" + LONG)), "settings"),
                new Case("POST", "/api/v1/channels", Map.of("name", "c", "type", "webhook",
                        "settings", Map.of("url", "https://hooks.example.test/x"), "templates", Map.of("title.firing", LONG)),
                        "templates"),
                new Case("PUT", "/api/v1/channels/" + channel, Map.of("name", LONG, "type", "webhook",
                        "settings", Map.of("url", "https://hooks.example.test/x")), "name"),
                new Case("POST", "/api/v1/silences", Map.of("comment", LONG, "tasks", Map.of("task", "t"),
                        "once", Map.of("from", "2030-01-01T00:00:00Z", "until", "2030-01-02T00:00:00Z")), "comment"),
                new Case("POST", "/api/v1/silences", Map.of("tasks", Map.of("task", LONG),
                        "once", Map.of("from", "2030-01-01T00:00:00Z", "until", "2030-01-02T00:00:00Z")), "tasks"),
                new Case("POST", "/api/v1/users", Map.of("username", LONG, "password", "a long enough password",
                        "role", "viewer"), "username"),
                new Case("POST", "/api/v1/users", Map.of("username", "u2", "password", LONG, "role", "viewer"), "password"),
                new Case("PATCH", "/api/v1/users/" + user, Map.of("password", LONG), "password"),
                new Case("POST", "/api/v1/tokens", Map.of("name", LONG, "role", "viewer"), "name"),
                new Case("POST", "/api/v1/agents/enrollment-tokens", Map.of("labels", Map.of(LONG, "v")), "labels"),
                new Case("POST", "/api/v1/agents/enrollment-tokens", Map.of("labels", Map.of("k", LONG)), "labels"),
                new Case("POST", "/api/v1/agents/enrollment-tokens", Map.of("policy", Map.of("deny", List.of(LONG))),
                        "policy"),
                new Case("POST", "/api/v1/agents/enroll", Map.of("token", "vet_x", "name", LONG), "name"),
                new Case("POST", "/api/v1/auth/login", Map.of("username", LONG, "password", "x"), "username"),
                new Case("POST", "/api/v1/auth/password", Map.of("currentPassword", TestServer.ADMIN_PASSWORD,
                        "newPassword", LONG), "newPassword"));
        List<String> failures = new ArrayList<>();
        for (Case c : cases) {
            TestServer.Response r = server.call(c.method(), c.path(), admin, JsonMapping.write(c.body()));
            List<String> fields = r.status() == 400 && r.json().has("errors")
                    ? r.json().get("errors").findValuesAsText("field") : List.of();
            boolean named = fields.stream().anyMatch(f -> f.equals(c.field()) || f.startsWith(c.field() + "."));
            if (r.status() != 400 || !named) {
                failures.add(c.method() + " " + c.path().replaceAll("/[0-9a-f-]{36}", "/{id}") + " " + c.field()
                        + ": " + r.status() + " " + fields);
            }
        }
        System.out.printf("over-long input: %d cases, %d answered 400 naming the field%n", cases.size(),
                cases.size() - failures.size());
        assertThat(failures).isEmpty();
    }

    private static Map<String, Object> with(Map<String, Object> base, String key, Object value) {
        Map<String, Object> m = new java.util.HashMap<>(base);
        m.put(key, value);
        return m;
    }
}
