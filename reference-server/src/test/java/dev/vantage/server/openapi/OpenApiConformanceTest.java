package dev.vantage.server.openapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vantage.server.LoopbackTarget;
import dev.vantage.server.TestServer;
import dev.vantage.server.security.Role;
import dev.vantage.server.json.JsonMapping;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Every JSON answer of the API against the schema openapi.yaml documents for its route and status: real requests to
 * a real server with its built-in local agent, so results, aggregates, agents and instant tests are real too. The
 * walk covers every documented success answer with a JSON body, plus problem answers (400, 401, 403, 404, 409).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenApiConformanceTest {
    private static final String UNKNOWN = "00000000-0000-0000-0000-000000000000";

    private final OpenApiContract contract = OpenApiContract.load();
    private TestServer server;
    private final LoopbackTarget target = new LoopbackTarget();
    private String admin;

    @BeforeAll
    void start() {
        server = TestServer.start(Map.of("VANTAGE_LOCAL_AGENT", "true", "VANTAGE_AGENT_HEARTBEAT", "1s",
                "VANTAGE_LOCAL_AGENT_LOOPBACK_PORTS", Integer.toString(target.port())));
        admin = server.adminToken();
    }

    @AfterAll
    void stop() {
        target.close();
        server.close();
    }

    /** Calls {@code path} (the route {@code template} filled in) and asserts the answer is as documented. */
    private TestServer.Response call(String method, String template, String path, String token, Object body) {
        TestServer.Response r = server.call(method, path, token, body == null ? null : body instanceof String s ? s : JsonMapping.write(body));
        assertThat(contract.problems(method, template, r.status(), r.contentType(), r.body()))
                .as("%s %s -> %d %s", method, path, r.status(), r.body()).isEmpty();
        return r;
    }

    private TestServer.Response call(String method, String path, String token, Object body) {
        return call(method, path, path, token, body);
    }

    private static void expect(TestServer.Response r, int status) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
    }

    @Test
    void everyAnswerIsAsDocumented() {
        operations();
        auth();
        usersAndTokens();
        String localAgent = agents();
        tasksResultsAndInstantTests(localAgent);
        agentUpdates(localAgent);
        assertThat(contract.checked()).as("documented JSON answers this walk never saw")
                .containsAll(contract.jsonSuccesses());
    }

    private void operations() {
        expect(call("GET", "/health", null, null), 200);
        expect(call("GET", "/ready", null, null), 200);
        expect(call("GET", "/metrics", null, null), 200);
        expect(call("GET", "/api/v1/openapi.yaml", null, null), 200);
    }

    private void auth() {
        server.createUser("shape-user", Role.VIEWER);
        String password = TestServer.passwordOf("shape-user");
        String login = "/api/v1/auth/login";
        JsonNode pair = call("POST", login, null, Map.of("username", "shape-user", "password", password)).json();
        expect(call("POST", login, null, Map.of("username", "shape-user", "password", "wrong-password")), 401);
        expect(call("POST", login, null, Map.of("username", "shape-user")), 400);
        expect(call("GET", "/api/v1/auth/me", pair.get("accessToken").asText(), null), 200);
        expect(call("GET", "/api/v1/auth/me", null, null), 401);
        String refresh = pair.get("refreshToken").asText();
        JsonNode renewed = call("POST", "/api/v1/auth/refresh", null, Map.of("refreshToken", refresh)).json();
        JsonNode changed = call("POST", "/api/v1/auth/password", renewed.get("accessToken").asText(),
                Map.of("currentPassword", password, "newPassword", "a-new-long-password")).json();
        String current = changed.get("accessToken").asText();
        server.login("shape-user", "a-new-long-password");
        expect(call("GET", "/api/v1/auth/sessions", current, null), 200);
        expect(call("POST", "/api/v1/auth/sessions/end", current, Map.of("currentPassword", "a-new-long-password")), 200);
        expect(call("POST", "/api/v1/auth/sessions/end", current, Map.of("currentPassword", "wrong-password")), 403);
        expect(call("POST", "/api/v1/auth/logout", changed.get("accessToken").asText(), null), 204);
    }

    private void usersAndTokens() {
        Map<String, Object> shaperUser = Map.of("username", "shaper", "password", "shapers-long-password", "role", "operator");
        JsonNode user = call("POST", "/api/v1/users", admin, shaperUser).json();
        expect(call("POST", "/api/v1/users", admin, shaperUser), 409);
        String template = "/api/v1/users/{id}";
        String path = "/api/v1/users/" + user.get("id").asText();
        expect(call("GET", "/api/v1/users", admin, null), 200);
        expect(call("GET", template, path, admin, null), 200);
        expect(call("PATCH", template, path, admin, Map.of("role", "viewer")), 200);
        expect(call("GET", template, "/api/v1/users/" + UNKNOWN, admin, null), 404);

        String shaper = server.login("shaper", "shapers-long-password");
        expect(call("GET", "/api/v1/users", shaper, null), 403);
        JsonNode token = call("POST", "/api/v1/tokens", shaper, Map.of("name", "ci", "expiresIn", "30d")).json();
        JsonNode list = call("GET", "/api/v1/tokens", admin, null).json();
        assertThat(list.get("items").findValuesAsText("id")).contains(token.get("id").asText());
        // an API token was used once, so lastUsedAt is set for the list below
        expect(call("GET", "/api/v1/auth/me", token.get("token").asText(), null), 200);
        expect(call("GET", "/api/v1/tokens", shaper, null), 200);
        expect(call("DELETE", "/api/v1/tokens/{id}", "/api/v1/tokens/" + token.get("id").asText(), shaper, null), 204);
        expect(call("DELETE", template, path, admin, null), 204);
    }

    /** Enrollment, an agent that never connected and the local agent; returns the local agent's id. */
    private String agents() {
        String tokens = "/api/v1/agents/enrollment-tokens";
        Map<String, Object> policy = Map.of("allowPrivate", true, "deny", List.of("10.9.0.0/16"),
                "denyPorts", List.of(Map.of("from", 22, "to", 23)));
        JsonNode created = call("POST", tokens, admin, Map.of("labels", Map.of("pool", "shapes"), "uses", 2, "policy", policy)).json();
        expect(call("POST", tokens, admin, Map.of("uses", 0)), 400);
        expect(call("GET", tokens, admin, null), 200);
        String secret = created.get("token").asText();
        JsonNode enrolled = call("POST", "/api/v1/agents/enroll", null, Map.of("token", secret, "name", "idle")).json();
        expect(call("POST", "/api/v1/agents/enroll", null, Map.of("token", "vet_forged")), 401);
        expect(call("DELETE", tokens + "/{id}", tokens + "/" + created.get("id").asText(), admin, null), 204);
        // a revoked token is listed only when asked for all, and goes with the spent ones
        assertThat(call("GET", tokens, admin, null).json().findValuesAsText("id")).doesNotContain(created.get("id").asText());
        assertThat(call("GET", tokens, tokens + "?all=true", admin, null).json().findValuesAsText("id"))
                .contains(created.get("id").asText());
        expect(call("DELETE", tokens, tokens, admin, null), 400);
        assertThat(call("DELETE", tokens, tokens + "?spent=true", admin, null).json().get("deleted").asInt()).isEqualTo(1);
        assertThat(call("GET", tokens, tokens + "?all=true", admin, null).json()).isEmpty();

        // the local agent, once it has said hello and sent a heartbeat, shows its capabilities and stats
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            JsonNode all = server.get("/api/v1/agents", admin).json();
            return all.findValues("stats").stream().anyMatch(JsonNode::isObject);
        });
        JsonNode agents = call("GET", "/api/v1/agents", admin, null).json();
        assertThat(agents.findValues("stats")).anyMatch(JsonNode::isNull); // the idle one
        String local = agents.findParents("stats").stream().filter(a -> a.get("stats").isObject())
                .findFirst().orElseThrow().get("id").asText();

        String template = "/api/v1/agents/{id}";
        String idle = "/api/v1/agents/" + enrolled.get("agentId").asText();
        expect(call("GET", template, "/api/v1/agents/" + local, admin, null), 200);
        expect(call("GET", template, "/api/v1/agents/" + UNKNOWN, admin, null), 404);
        expect(call("PUT", template + "/labels", idle + "/labels", admin, Map.of("labels", Map.of("pool", "shapes", "rack", "r1"))), 200);
        Map<String, Object> loopback = Map.of("allowLoopback", true, "denyPorts", List.of(Map.of("from", 1, "to", 1024)));
        expect(call("PUT", template + "/policy", idle + "/policy", admin, loopback), 200);
        expect(call("PUT", template + "/policy", idle + "/policy", admin, Map.of("allow", List.of("not-a-range"))), 400);
        // client certificates: renewed with the bearer credential (certificate-or-bearer), revoked by an operator
        String bearer = enrolled.get("agentId").asText() + "." + enrolled.get("credential").asText();
        expect(call("POST", "/api/v1/agents/certificate", bearer, Map.of("csr", dev.vantage.server.TestCsr.create().pem())), 200);
        expect(call("POST", "/api/v1/agents/certificate", bearer, Map.of("csr", "not a csr")), 400);
        expect(call("POST", "/api/v1/agents/certificate", null, Map.of("csr", dev.vantage.server.TestCsr.create().pem())), 401);
        expect(call("POST", template + "/certificates/revoke", idle + "/certificates/revoke", admin, null), 200);
        // an instant test no online agent can run
        expect(call("POST", "/api/v1/instant-tests", admin, Map.of("type", "tcp", "target", "127.0.0.1:1",
                "selector", Map.of("agent", enrolled.get("agentId").asText()))), 409);
        expect(call("DELETE", template, idle + "?results=delete", admin, null), 400); // only with purge
        expect(call("DELETE", template, idle, admin, null), 204);
        expect(call("GET", template, idle, admin, null), 200); // revoked, still listed
        expect(call("DELETE", template, idle + "?purge=true&results=delete", admin, null), 204);
        expect(call("GET", template, idle, admin, null), 404);
        return local;
    }

    /** A release uploaded in two parts, a rollout to an agent that is away (cancelled) and one to the local agent. */
    private void agentUpdates(String localAgent) {
        String releases = "/api/v1/agent-releases";
        byte[] jar = "not really a jar, but bytes".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        String sha256;
        try {
            sha256 = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(jar));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
        String signature = java.util.Base64.getEncoder().encodeToString(new byte[64]);
        Map<String, Object> fields = Map.of("version", "9.0.0-shapes", "size", jar.length, "sha256", sha256,
                "signature", signature);
        expect(call("POST", releases, admin, fields), 201);
        expect(call("POST", releases, admin, fields), 409);
        JsonNode bad = call("POST", releases, admin, Map.of("version", "../up", "size", 0, "sha256", "x",
                "signature", "x")).json();
        assertThat(bad.get("errors").findValuesAsText("field")).containsExactlyInAnyOrder("version", "size", "sha256",
                "signature");
        String one = releases + "/{version}";
        String path = releases + "/9.0.0-shapes";
        Map<String, String> binary = Map.of("Content-Type", "application/octet-stream");
        String artifact = one + "/artifact";
        String first = new String(jar, 0, 10, java.nio.charset.StandardCharsets.US_ASCII);
        String rest = new String(jar, 10, jar.length - 10, java.nio.charset.StandardCharsets.US_ASCII);
        TestServer.Response part = server.call("PUT", path + "/artifact?offset=0", admin, first, binary);
        assertThat(contract.problems("PUT", artifact, part.status(), part.contentType(), part.body())).isEmpty();
        assertThat(part.json().get("received").asInt()).isEqualTo(10);
        TestServer.Response wrong = server.call("PUT", path + "/artifact?offset=0", admin, rest, binary);
        assertThat(wrong.status()).isEqualTo(409);
        TestServer.Response last = server.call("PUT", path + "/artifact?offset=10", admin, rest, binary);
        assertThat(contract.problems("PUT", artifact, last.status(), last.contentType(), last.body())).isEmpty();
        assertThat(last.json().get("ready").asBoolean()).as(last.body()).isTrue();
        expect(call("GET", releases, admin, null), 200);
        expect(call("GET", one, path, admin, null), 200);
        expect(call("GET", one, releases + "/none", admin, null), 404);
        // agents download with their credential only
        assertThat(server.call("GET", "/ws/agent/releases/9.0.0-shapes", null, null).status()).isEqualTo(401);

        String rollouts = "/api/v1/agent-rollouts";
        String tokens = "/api/v1/agents/enrollment-tokens";
        String secret = call("POST", tokens, admin, Map.of("uses", 1)).json().get("token").asText();
        String away = call("POST", "/api/v1/agents/enroll", null, Map.of("token", secret, "name", "away")).json()
                .get("agentId").asText();
        expect(call("POST", rollouts, admin, Map.of("version", "9.0.0-shapes", "percent", 0,
                "selector", Map.of("agent", away))), 400);
        JsonNode waiting = call("POST", rollouts, admin, Map.of("version", "9.0.0-shapes",
                "selector", Map.of("agent", away))).json();
        expect(call("POST", rollouts, admin, Map.of("version", "9.0.0-shapes")), 409); // one at a time
        expect(call("DELETE", one, path, admin, null), 409); // being rolled out
        expect(call("GET", rollouts, admin, null), 200);
        String template = rollouts + "/{id}";
        expect(call("GET", template, rollouts + "/" + waiting.get("id").asText(), admin, null), 200);
        expect(call("POST", template + "/cancel", rollouts + "/" + waiting.get("id").asText() + "/cancel", admin, null), 200);
        expect(call("POST", template + "/cancel", rollouts + "/" + waiting.get("id").asText() + "/cancel", admin, null), 409);

        // the server's built-in agent was not started by the launcher: it refuses, and the rollout halts
        String id = call("POST", rollouts, admin, Map.of("version", "9.0.0-shapes", "selector", Map.of("agent", localAgent)))
                .json().get("id").asText();
        await().atMost(Duration.ofSeconds(15)).until(() ->
                server.get(rollouts + "/" + id, admin).json().get("state").asText().equals("halted"));
        JsonNode halted = call("GET", template, rollouts + "/" + id, admin, null).json();
        assertThat(halted.get("agents").get(0).get("state").asText()).isEqualTo("failed");
        assertThat(halted.get("reason").asText()).contains("not started by 'vantage-agent launch'");
        expect(call("DELETE", one, path, admin, null), 204);
    }

    private void tasksResultsAndInstantTests(String localAgent) {
        String operator = server.sessionToken(server.createUser("shape-operator", Role.OPERATOR));
        String viewer = server.sessionToken(server.createUser("shape-viewer", Role.VIEWER));
        Map<String, Object> reachable = Map.of("id", "shape-ok", "name", "Reachable", "type", "tcp",
                "target", target.address(), "interval", "1s", "labels", Map.of("team", "shapes"),
                "assertions", List.of(Map.of("field", "durationMs", "op", "lt", "value", 5000)),
                "selector", Map.of("agent", localAgent));
        JsonNode task = call("POST", "/api/v1/tasks", operator, reachable).json();
        // the server's own port: the agent's policy refuses it (on the agent: a name is resolved there, so the API
        // accepts the task), so these results carry an error and no latency
        call("POST", "/api/v1/tasks", operator, Map.of("id", "shape-refused", "type", "tcp",
                "target", "localhost:" + server.app.port(), "interval", "1s", "selector", Map.of("labels", Map.of("region", "local"))));
        Map<String, Object> invalid = Map.of("type", "tcp", "target", "127.0.0.1:1", "interval", "1s", "maxInFlight", 0);
        expect(call("POST", "/api/v1/tasks", operator, invalid), 400);
        expect(call("POST", "/api/v1/tasks", viewer, reachable), 403);
        expect(call("GET", "/api/v1/tasks", viewer, null), 200);
        expect(call("GET", "/api/v1/tasks", "/api/v1/tasks?limit=0", viewer, null), 400);
        expect(call("GET", "/api/v1/plugins", viewer, null), 200);

        String template = "/api/v1/tasks/{id}";
        String path = "/api/v1/tasks/shape-ok";
        expect(call("GET", template, path, viewer, null), 200);
        expect(call("GET", template, "/api/v1/tasks/no-such-task", viewer, null), 404);
        ObjectNode changed = ((ObjectNode) task).put("name", "Reachable, renamed");
        expect(call("PUT", template, path, operator, changed.toString()), 200);
        expect(call("PUT", template, path, operator, changed.toString()), 409); // the revision sent is no longer current
        expect(call("POST", template + "/disable", path + "/disable", operator, null), 200);
        expect(call("POST", template + "/enable", path + "/enable", operator, null), 200);

        for (String id : List.of("shape-ok", "shape-refused")) {
            String results = "/api/v1/tasks/" + id + "/results?limit=2";
            await().atMost(Duration.ofSeconds(30)).until(() -> !server.get(results, viewer).json().get("items").isEmpty());
            JsonNode page = call("GET", template + "/results", results, viewer, null).json();
            assertThat(page.get("items").get(0).get("status").asText()).isEqualTo(id.equals("shape-ok") ? "SUCCESS" : "ERROR");
            String aggregates = "/api/v1/tasks/" + id + "/aggregates?bucket=1h";
            assertThat(call("GET", template + "/aggregates", aggregates, viewer, null).json().get("items")).isNotEmpty();
            JsonNode merged = call("GET", template + "/aggregates", aggregates + "&by=all", viewer, null).json();
            assertThat(merged.get("items").get(0).get("agentId").isNull()).as("all agents merged").isTrue();
            JsonNode heatmap = call("GET", template + "/heatmap", "/api/v1/tasks/" + id + "/heatmap?bucket=1h", viewer, null).json();
            assertThat(heatmap.get("items")).isNotEmpty();
            JsonNode byIsp = call("GET", template + "/aggregates", aggregates + "&by=isp", viewer, null).json();
            assertThat(byIsp.get("items").get(0).get("group").asText()).as("the local agent has no isp label").isEqualTo("unknown");
            JsonNode matrix = call("GET", template + "/matrix", "/api/v1/tasks/" + id + "/matrix", viewer, null).json();
            assertThat(matrix.get("cells")).isNotEmpty();
        }
        expect(call("GET", template + "/matrix", "/api/v1/tasks/shape-ok/matrix?from=2025-01-02T00:00:00Z&to=2025-01-01T00:00:00Z",
                viewer, null), 400);
        expect(call("GET", template + "/heatmap", "/api/v1/tasks/shape-ok/heatmap?bucket=0s", viewer, null), 400);
        expect(call("GET", template + "/aggregates", "/api/v1/tasks/shape-ok/aggregates?by=everyone", viewer, null), 400);
        expect(call("GET", template + "/results", "/api/v1/tasks/shape-ok/results?cursor=bogus", viewer, null), 400);
        expect(call("GET", template + "/aggregates", "/api/v1/tasks/no-such-task/aggregates", viewer, null), 404);

        JsonNode instant = call("POST", "/api/v1/instant-tests", operator,
                Map.of("type", "tcp", "target", target.address(), "selector", Map.of("agent", localAgent))).json();
        String instantPath = "/api/v1/instant-tests/" + instant.get("id").asText();
        await().atMost(Duration.ofSeconds(20)).until(() -> server.get(instantPath, viewer).json().get("complete").asBoolean());
        expect(call("GET", "/api/v1/instant-tests/{id}", instantPath, viewer, null), 200);
        expect(call("GET", "/api/v1/instant-tests/{id}", "/api/v1/instant-tests/" + UNKNOWN, viewer, null), 404);

        alerting(operator, viewer);
        expect(call("DELETE", template, path, operator, null), 204);
        expect(call("DELETE", template, "/api/v1/tasks/shape-refused", operator, null), 204);
    }

    /** A rule on the task whose results the policy refuses: it fires at once; its incident is acknowledged and noted. */
    private void alerting(String operator, String viewer) {
        String channel = channels(viewer);
        String rules = "/api/v1/alert-rules";
        Map<String, Object> rule = Map.of("name", "refused", "tasks", Map.of("task", "shape-refused"),
                "condition", Map.of("type", "consecutiveFailures", "count", 1), "resolveAfter", "1m",
                "channels", List.of(channel));
        JsonNode created = call("POST", rules, operator, rule).json();
        expect(call("POST", rules, operator, Map.of("name", "bad", "tasks", Map.of("task", "x"),
                "condition", Map.of("type", "availability", "minPercent", 120, "window", "5m"))), 400);
        expect(call("POST", rules, viewer, rule), 403);
        expect(call("GET", rules, viewer, null), 200);
        String template = rules + "/{id}";
        String path = rules + "/" + created.get("id").asText();
        expect(call("GET", template, path, viewer, null), 200);
        expect(call("GET", template, rules + "/" + UNKNOWN, viewer, null), 404);
        ObjectNode renamed = ((ObjectNode) created).put("name", "refused, renamed");
        expect(call("PUT", template, path, operator, renamed.toString()), 200);
        expect(call("PUT", template, path, operator, renamed.toString()), 409);
        expect(call("POST", template + "/disable", path + "/disable", viewer, null), 403);
        assertThat(call("POST", template + "/disable", path + "/disable", operator, null).json().get("enabled").asBoolean()).isFalse();
        assertThat(call("POST", template + "/enable", path + "/enable", operator, null).json().get("enabled").asBoolean()).isTrue();
        expect(call("POST", template + "/enable", rules + "/" + UNKNOWN + "/enable", operator, null), 404);

        silences(operator, viewer);
        statusPages(viewer, "shape-refused");
        sla(operator, viewer, "shape-refused");
        String open = "/api/v1/incidents?state=open";
        expect(call("POST", rules + "/preview", operator, rule), 200);
        expect(call("POST", rules + "/preview", viewer, rule), 403);
        expect(call("POST", rules + "/preview", operator, Map.of("name", "x")), 400);
        await().atMost(Duration.ofSeconds(30)).until(() -> !server.get(open, viewer).json().get("items").isEmpty());
        JsonNode incident = call("GET", "/api/v1/incidents", open, viewer, null).json().get("items").get(0);
        expect(call("GET", "/api/v1/incidents", "/api/v1/incidents?state=closed", viewer, null), 400);
        assertThat(call("GET", "/api/v1/incidents", "/api/v1/incidents?state=resolved&task=shape-refused", viewer, null)
                .json().get("items")).isEmpty();
        assertThat(call("GET", "/api/v1/incidents", "/api/v1/incidents?task=shape-refused", viewer, null)
                .json().get("items")).hasSize(1);
        String incidents = "/api/v1/incidents/{id}";
        String incidentPath = "/api/v1/incidents/" + incident.get("id").asText();
        expect(call("GET", incidents, incidentPath, viewer, null), 200);
        expect(call("GET", incidents, "/api/v1/incidents/" + UNKNOWN, viewer, null), 404);
        expect(call("POST", incidents + "/acknowledge", incidentPath + "/acknowledge", viewer, null), 403);
        expect(call("POST", incidents + "/acknowledge", incidentPath + "/acknowledge", operator, null), 200);
        expect(call("POST", incidents + "/acknowledge", incidentPath + "/acknowledge", operator, null), 409);
        expect(call("POST", incidents + "/notes", incidentPath + "/notes", operator, Map.of("text", "looking")), 201);
        expect(call("POST", incidents + "/notes", incidentPath + "/notes", operator, Map.of("text", " ")), 400);
        expect(call("DELETE", template, path, operator, null), 204);

        // the incident's notification to the channel: loopback is refused to channels here, so it failed at once
        String deliveries = "/api/v1/channels/" + channel + "/deliveries";
        await().atMost(Duration.ofSeconds(30)).until(() -> server.get(deliveries, viewer).json().get("items")
                .findValuesAsText("status").contains("failed"));
        expect(call("GET", "/api/v1/channels/{id}/deliveries", deliveries, viewer, null), 200);
        expect(call("GET", "/api/v1/channels/{id}/deliveries", deliveries + "?limit=0", viewer, null), 400);
        expect(call("DELETE", "/api/v1/channels/{id}", "/api/v1/channels/" + channel, admin, null), 204);

        // every change above is in the audit log, with before and after where the slice describes its objects
        String audit = "/api/v1/audit";
        assertThat(call("GET", audit, audit + "?limit=500", admin, null).json().get("total").asInt()).isPositive();
        expect(call("GET", audit, audit + "?objectType=channels&objectId=" + channel, admin, null), 200);
        expect(call("GET", audit, operator, null), 403);
        expect(call("GET", audit, audit + "?from=yesterday", admin, null), 400);
    }

    /** A weekly maintenance window and a one-off silence of other tasks, so the incident above is not silenced. */
    private void silences(String operator, String viewer) {
        String silences = "/api/v1/silences";
        Map<String, Object> weekly = Map.of("tasks", Map.of("labels", Map.of("team", "db")), "comment", "upgrades",
                "weekly", Map.of("days", List.of("sat", "sun"), "from", "02:00", "to", "04:00", "timeZone", "Asia/Shanghai"));
        JsonNode created = call("POST", silences, operator, weekly).json();
        expect(call("POST", silences, operator, weekly), 400); // overlaps the one just made
        expect(call("POST", silences, operator, Map.of("tasks", Map.of("task", "x"),
                "once", Map.of("from", "2026-12-08T03:00:00Z", "until", "2026-12-08T01:00:00Z"))), 400);
        expect(call("POST", silences, viewer, weekly), 403);
        JsonNode once = call("POST", silences, operator, Map.of("tasks", Map.of("task", "shape-ok"),
                "once", Map.of("from", "2026-12-08T01:00:00Z", "until", "2026-12-08T03:00:00Z"))).json();
        expect(call("GET", silences, viewer, null), 200);
        String template = silences + "/{id}";
        expect(call("GET", template, silences + "/" + created.get("id").asText(), viewer, null), 200);
        expect(call("GET", template, silences + "/" + UNKNOWN, viewer, null), 404);
        expect(call("DELETE", template, silences + "/" + once.get("id").asText(), operator, null), 204);
    }

    private void sla(String operator, String viewer, String taskId) {
        String template = "/api/v1/tasks/{id}/sla";
        String path = "/api/v1/tasks/" + taskId + "/sla";
        expect(call("GET", template + "/objective", path + "/objective", viewer, null), 404);
        expect(call("PUT", template + "/objective", path + "/objective", viewer, Map.of("availability", 99.9)), 403);
        expect(call("PUT", template + "/objective", path + "/objective", operator, Map.of("availability", 0)), 400);
        expect(call("PUT", template + "/objective", path + "/objective", operator,
                Map.of("availability", 99.9, "latencyQuantile", 0.95, "latencyMs", 300)), 200);
        expect(call("GET", template + "/objective", path + "/objective", viewer, null), 200);
        JsonNode report = call("GET", template, path + "?period=day&periods=2", viewer, null).json();
        assertThat(report.get("items")).hasSize(2);
        assertThat(report.get("items").get(1).get("total").asLong()).isPositive();
        expect(call("GET", template, path + "?period=year", viewer, null), 400);
        expect(call("GET", template, "/api/v1/tasks/no-such-task/sla", viewer, null), 404);
        assertThat(call("GET", "/api/v1/sla", "/api/v1/sla?period=week", viewer, null).json().get("items")).isNotEmpty();
        expect(call("GET", "/api/v1/sla", "/api/v1/sla?format=xml", viewer, null), 400);
        expect(call("DELETE", template + "/objective", path + "/objective", operator, null), 204);
        expect(call("DELETE", template + "/objective", path + "/objective", operator, null), 404);
    }

    private void statusPages(String viewer, String taskId) {
        String pages = "/api/v1/status-pages";
        Map<String, Object> page = Map.of("slug", "shapes", "title", "Shapes", "groups", List.of(Map.of("name", "All",
                "tasks", List.of(Map.of("task", taskId, "name", "Shown", "showTarget", true)))),
                "announcements", List.of(Map.of("title", "Hello", "level", "info")));
        JsonNode created = call("POST", pages, admin, page).json();
        expect(call("POST", pages, admin, page), 400); // the slug is taken
        expect(call("POST", pages, viewer, page), 403);
        expect(call("GET", pages, admin, null), 200);
        String template = pages + "/{id}";
        String path = pages + "/" + created.get("id").asText();
        expect(call("GET", template, path, admin, null), 200);
        expect(call("GET", template, pages + "/" + UNKNOWN, admin, null), 404);
        expect(call("PUT", template, path, admin, page), 200);
        String pub = "/api/v1/public/status/{slug}";
        expect(call("GET", pub, "/api/v1/public/status/shapes", null, null), 200);
        expect(call("GET", pub, "/api/v1/public/status/none", null, null), 404);
        expect(call("GET", pub + "/tasks/{task}", "/api/v1/public/status/shapes/tasks/" + taskId, null, null), 200);
        expect(call("GET", pub + "/tasks/{task}", "/api/v1/public/status/shapes/tasks/" + UNKNOWN, null, null), 404);
        expect(call("DELETE", template, path, admin, null), 204);
    }

    /** A webhook channel, managed by the admin; returns its id. */
    private String channels(String viewer) {
        String channels = "/api/v1/channels";
        Map<String, Object> hook = Map.of("name", "hook", "type", "webhook", "language", "zh",
                "settings", Map.of("url", "http://127.0.0.1:1/hook", "secret", "whsec-shapes"));
        JsonNode created = call("POST", channels, admin, hook).json();
        expect(call("POST", channels, admin, Map.of("name", "bad", "type", "pager", "settings", Map.of())), 400);
        expect(call("POST", channels, viewer, hook), 403);
        expect(call("GET", channels, viewer, null), 200);
        String template = channels + "/{id}";
        String path = channels + "/" + created.get("id").asText();
        expect(call("GET", template, path, viewer, null), 200);
        expect(call("GET", template, channels + "/" + UNKNOWN, viewer, null), 404);
        ObjectNode renamed = ((ObjectNode) created).put("name", "hook, renamed"); // its secret is sent back masked
        expect(call("PUT", template, path, admin, renamed.toString()), 200);
        expect(call("PUT", template, path, admin, renamed.toString()), 409);
        JsonNode test = call("POST", template + "/test", path + "/test", admin, null).json();
        assertThat(test.get("delivered").asBoolean()).isFalse(); // loopback is not allowed to channels by default
        return created.get("id").asText();
    }

    /** A rate-limited answer, on a sign-in route and on a user's route, is the documented 429 with Retry-After. */
    @Test
    void rateLimitedAnswersAreAsDocumented() {
        try (TestServer limited = TestServer.start(Map.of("VANTAGE_RATE_LIMIT_SIGN_IN", "2/1m",
                "VANTAGE_RATE_LIMIT_PER_USER", "2/1m"))) {
            String token = limited.adminToken(); // the first sign-in
            Map<String, String> login = Map.of("username", "admin", "password", "wrong-password-1");
            for (String[] call : new String[][] {{"POST", "/api/v1/auth/login"}, {"GET", "/api/v1/auth/me"}}) {
                boolean get = call[0].equals("GET");
                TestServer.Response r = null;
                for (int i = 0; i < 4 && (r == null || r.status() != 429); i++) {
                    r = limited.call(call[0], call[1], get ? token : null, get ? null : JsonMapping.write(login));
                }
                assertThat(r.status()).as("%s %s", call[0], call[1]).isEqualTo(429);
                assertThat(Long.parseLong(r.headers().firstValue("retry-after").orElseThrow())).isPositive();
                assertThat(contract.problems(call[0], call[1], 429, r.contentType(), r.body())).as(r.body()).isEmpty();
            }
        }
    }

    @Test
    void everyKeyOfTheDocumentHasAValue() {
        assertThat(contract.keysWithoutValue()).isEmpty();
    }

    private List<String> meProblems(String body) {
        return contract.problems("GET", "/api/v1/auth/me", 200, "application/json", body);
    }

    /** The walk above can fail: a real answer with a required field missing, a wrong type or an unknown field is refused. */
    @Test
    void anAnswerThatBreaksItsSchemaIsRefused() {
        ObjectNode me = (ObjectNode) server.get("/api/v1/auth/me", admin).json();
        assertThat(meProblems(me.toString())).isEmpty();
        assertThat(meProblems(me.deepCopy().without("role").toString())).singleElement(InstanceOfAssertFactories.STRING).contains("role");
        assertThat(meProblems(me.deepCopy().put("role", 3).toString())).isNotEmpty().allMatch(p -> p.contains("role"));
        assertThat(meProblems(me.deepCopy().put("extra", true).toString())).singleElement(InstanceOfAssertFactories.STRING).contains("extra");

        // behind $refs (TaskPage -> Task -> TaskInput): a missing revision and a date-time that is not one
        ObjectNode task = JsonMapping.MAPPER.createObjectNode().put("type", "tcp").put("target", "x").put("interval", "1s").put("createdAt", "yesterday");
        ObjectNode page = JsonMapping.MAPPER.createObjectNode().put("total", 1).put("limit", 50).put("offset", 0);
        page.putArray("items").add(task);
        assertThat(String.join("\n", contract.problems("GET", "/api/v1/tasks", 200, "application/json", page.toString())))
                .contains("revision", "createdAt");
        assertThat(contract.problems("GET", "/api/v1/tasks", 418, "application/json", "{}"))
                .singleElement(InstanceOfAssertFactories.STRING).contains("not documented");
        assertThat(contract.problems("GET", "/api/v1/tasks", 200, "text/html", "{}"))
                .singleElement(InstanceOfAssertFactories.STRING).contains("media type");
    }
}
