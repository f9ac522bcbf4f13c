package dev.vantage.server.agents.rollouts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.server.TestServer;
import dev.vantage.server.json.JsonMapping;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Why a rollout, or one of its agents, stopped is told in the reader's language: the server's own reasons (a
 * timeout, a cancellation, the halt naming the agent) in words of that language, an agent's own words quoted as data.
 */
class RolloutReasonsTest {
    private static final Map<String, String> ZH = Map.of("Accept-Language", "zh-CN");

    @Test
    void whyARolloutStoppedIsToldInTheReadersLanguage() throws Exception {
        try (TestServer server = TestServer.start(Map.of("VANTAGE_LOCAL_AGENT", "true", "VANTAGE_AGENT_HEARTBEAT", "1s"))) {
            String admin = server.adminToken();
            RolloutStartRaceTest.upload(server, admin, "9.9.9");
            String token = server.post("/api/v1/agents/enrollment-tokens", admin, "{}").json().get("token").asText();
            String away = server.post("/api/v1/agents/enroll", null, JsonMapping.write(Map.of("token", token,
                    "name", "away"))).json().get("agentId").asText();

            // an agent that never connects never reports healthy: it fails after the agent timeout, which halts
            String timedOut = start(server, admin, Map.of("agent", away));
            JsonNode halted = await().atMost(Duration.ofSeconds(30)).until(() -> rollout(server, admin, timedOut, Map.of()),
                    r -> r.get("state").asText().equals("halted"));
            assertThat(halted.get("agents").get(0).get("reason").asText()).isEqualTo("no healthy report within 10s");
            assertThat(halted.get("reason").asText()).isEqualTo("agent away failed: no healthy report within 10s");
            JsonNode haltedZh = rollout(server, admin, timedOut, ZH);
            assertThat(haltedZh.get("agents").get(0).get("reason").asText()).isEqualTo("10 秒内未收到健康报告");
            assertThat(haltedZh.get("reason").asText()).isEqualTo("节点 away 失败：10 秒内未收到健康报告");
            assertThat(server.call("GET", "/api/v1/agent-rollouts", admin, null, ZH).json().findValuesAsText("reason"))
                    .contains("节点 away 失败：10 秒内未收到健康报告");

            String cancelled = start(server, admin, Map.of("agent", away));
            assertThat(server.call("POST", "/api/v1/agent-rollouts/" + cancelled + "/cancel", admin, null, ZH).json()
                    .get("reason").asText()).isEqualTo("已被 admin 取消");
            assertThat(rollout(server, admin, cancelled, Map.of()).get("reason").asText()).isEqualTo("cancelled by admin");

            // the built-in agent was not started by the launcher: it refuses in its own words, quoted as they are
            JsonNode local = await().atMost(Duration.ofSeconds(30)).until(() -> server.get("/api/v1/agents", admin).json(),
                    all -> all.findParents("online").stream().anyMatch(a -> a.get("online").asBoolean()));
            JsonNode agent = local.findParents("online").stream().filter(a -> a.get("online").asBoolean()).findFirst().orElseThrow();
            String name = agent.get("name").asText();
            String refused = start(server, admin, Map.of("agent", agent.get("id").asText()));
            JsonNode refusal = await().atMost(Duration.ofSeconds(30)).until(() -> rollout(server, admin, refused, ZH),
                    r -> r.get("state").asText().equals("halted"));
            String words = refusal.get("agents").get(0).get("reason").asText();
            assertThat(words).contains("not started by 'vantage-agent launch'");
            assertThat(refusal.get("reason").asText()).isEqualTo("节点 " + name + " 失败：" + words);
            assertThat(rollout(server, admin, refused, Map.of()).get("reason").asText())
                    .isEqualTo("agent " + name + " failed: " + words);

            // and what is not there
            assertThat(rollout(server, admin, "none", ZH).get("detail").asText()).isEqualTo("找不到该发布");
            assertThat(rollout(server, admin, "none", Map.of()).get("detail").asText()).isEqualTo("rollout not found");
            assertThat(server.call("GET", "/api/v1/agent-releases/0.0.0-none", admin, null, ZH).json().get("detail").asText())
                    .isEqualTo("找不到该节点发布版本");
        }
    }

    private static String start(TestServer server, String admin, Map<String, Object> selector) {
        TestServer.Response r = server.post("/api/v1/agent-rollouts", admin, JsonMapping.write(Map.of("version", "9.9.9",
                "selector", selector, "agentTimeout", "10s")));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().get("id").asText();
    }

    private static JsonNode rollout(TestServer server, String admin, String id, Map<String, String> headers) {
        return server.call("GET", "/api/v1/agent-rollouts/" + id, admin, null, headers).json();
    }
}
