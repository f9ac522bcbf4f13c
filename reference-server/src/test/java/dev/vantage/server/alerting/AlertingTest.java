package dev.vantage.server.alerting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.server.LoopbackTarget;
import dev.vantage.server.TestServer;
import dev.vantage.server.json.JsonMapping;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A real server and its local agent probing a loopback port that goes away and comes back. */
class AlertingTest {

    @Test
    void aTargetThatGoesDownFiresOneIncidentAndResolvesItWhenItComesBack() {
        LoopbackTarget first = new LoopbackTarget();
        int port = first.port();
        first.close(); // refused from now on
        try (TestServer server = TestServer.start(Map.of("VANTAGE_LOCAL_AGENT", "true", "VANTAGE_AGENT_HEARTBEAT", "1s",
                "VANTAGE_LOCAL_AGENT_LOOPBACK_PORTS", Integer.toString(port)))) {
            String admin = server.adminToken();
            assertThat(server.post("/api/v1/tasks", admin, JsonMapping.write(Map.of("id", "web", "type", "tcp",
                    "target", "127.0.0.1:" + port, "interval", "1s", "timeout", "900ms",
                    "selector", Map.of("labels", Map.of("region", "local"))))).status()).isEqualTo(201);
            TestServer.Response rule = server.post("/api/v1/alert-rules", admin, JsonMapping.write(Map.of(
                    "name", "web down", "tasks", Map.of("task", "web"),
                    "condition", Map.of("type", "consecutiveFailures", "count", 2), "resolveAfter", "2s")));
            assertThat(rule.status()).as(rule.body()).isEqualTo(201);

            JsonNode incident = await().atMost(Duration.ofSeconds(30)).until(
                    () -> server.get("/api/v1/incidents", admin).json().get("items"), items -> items.size() == 1).get(0);
            String path = "/api/v1/incidents/" + incident.get("id").asText();
            JsonNode firing = server.get(path, admin).json();
            assertThat(firing.get("state").asText()).isEqualTo("open");
            assertThat(firing.get("taskId").asText()).isEqualTo("web");
            JsonNode first0 = firing.get("timeline").get(0);
            assertThat(first0.get("kind").asText()).isEqualTo("firing");
            assertThat(first0.get("summary").asText()).contains("1 of 1 agents bad").contains("failures in a row");
            // in the reader's language
            JsonNode zh = server.call("GET", path, admin, null, Map.of("Accept-Language", "zh-CN,zh;q=0.9,en;q=0.5")).json();
            assertThat(zh.get("timeline").get(0).get("summary").asText()).contains("1 个节点中 1 个异常").contains("连续失败");
            assertThat(zh.get("summary").asText()).isEqualTo(zh.get("timeline").get(0).get("summary").asText());
            // the evidence is real results of the task
            String evidence = first0.get("evidence").get(0).asText();
            assertThat(server.get("/api/v1/tasks/web/results?limit=100", admin).json().get("items").findValuesAsText("id"))
                    .contains(evidence);

            try (LoopbackTarget back = new LoopbackTarget(port)) {
                JsonNode resolved = await().atMost(Duration.ofSeconds(30))
                        .until(() -> server.get(path, admin).json(), i -> i.get("state").asText().equals("resolved"));
                assertThat(resolved.get("timeline").findValuesAsText("kind")).containsExactly("firing", "resolved");
                assertThat(back.accepted.get()).isPositive();
            }
            // one incident for the whole outage, none since
            assertThat(server.get("/api/v1/incidents", admin).json().get("items")).hasSize(1);

            // the preview judges the same stored results the same way: it fired and resolved, too
            JsonNode preview = server.post("/api/v1/alert-rules/preview", admin, JsonMapping.write(Map.of(
                    "name", "web down", "tasks", Map.of("task", "web"),
                    "condition", Map.of("type", "consecutiveFailures", "count", 2), "resolveAfter", "2s"))).json();
            JsonNode web = preview.get("tasks").get(0);
            assertThat(web.get("taskId").asText()).isEqualTo("web");
            assertThat(web.get("results").asInt()).isPositive();
            assertThat(web.get("transitions").findValuesAsText("kind")).startsWith("firing", "resolved");
        }
    }

    @Test
    void anUnknownChannelIsRefusedAndNothingIsStored() {
        try (TestServer server = TestServer.start()) {
            String admin = server.adminToken();
            TestServer.Response r = server.post("/api/v1/alert-rules", admin, JsonMapping.write(Map.of(
                    "name", "x", "tasks", Map.of("task", "web"), "channels", List.of("nope"),
                    "condition", Map.of("type", "consecutiveFailures", "count", 2))));
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.json().get("errors").findValuesAsText("field")).containsExactly("channels[0]");
            assertThat(server.get("/api/v1/alert-rules", admin).json().get("items")).isEmpty();

            // the model's own range checks name their field, in the language asked for
            Map<String, String> zh = Map.of("Accept-Language", "zh-CN");
            TestServer.Response ranges = server.call("POST", "/api/v1/alert-rules", admin, JsonMapping.write(Map.of(
                    "name", "x", "tasks", Map.of("task", "web"), "scope", Map.of("minAgents", 0),
                    "condition", Map.of("type", "packetLoss", "maxPercent", 5, "window", "1m", "confidence", 2))), zh);
            assertThat(messages(ranges)).containsExactly(
                    Map.entry("condition.confidence", "必须在 0.5（含）到 1（不含）之间"),
                    Map.entry("scope.minAgents", "必须在 1 到 100000 之间"));
            TestServer.Response rangesEn = server.post("/api/v1/alert-rules", admin, JsonMapping.write(Map.of(
                    "name", "x", "tasks", Map.of("task", "web"), "scope", Map.of("minAgents", 0),
                    "condition", Map.of("type", "packetLoss", "maxPercent", 5, "window", "1m", "confidence", 2))));
            assertThat(messages(rangesEn)).containsExactly(
                    Map.entry("condition.confidence", "must be from 0.5 to below 1"),
                    Map.entry("scope.minAgents", "must be from 1 to 100000"));
            TestServer.Response metric = server.call("POST", "/api/v1/alert-rules", admin, JsonMapping.write(Map.of(
                    "name", "x", "tasks", Map.of("task", "web"),
                    "condition", Map.of("type", "latency", "metric", "cpu", "percentile", 95, "maxMs", 1, "window", "1m"))), zh);
            assertThat(messages(metric)).containsExactly(
                    Map.entry("condition.metric", "必须是 duration、phase.<name> 或 measurement.<name>"));
            TestServer.Response percentile = server.post("/api/v1/alert-rules", admin, JsonMapping.write(Map.of(
                    "name", "x", "tasks", Map.of("task", "web"),
                    "condition", Map.of("type", "latency", "metric", "duration", "percentile", 150, "maxMs", 1, "window", "1m"))));
            assertThat(messages(percentile)).containsExactly(
                    Map.entry("condition.percentile", "must be above 0 and at most 100"));
        }
    }

    /** Each field error of a 400, by field. */
    private static Map<String, String> messages(TestServer.Response r) {
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        Map<String, String> out = new java.util.TreeMap<>();
        r.json().get("errors").forEach(e -> out.put(e.get("field").asText(), e.get("message").asText()));
        return out;
    }
}
