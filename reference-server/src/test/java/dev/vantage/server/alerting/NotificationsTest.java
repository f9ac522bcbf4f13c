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

/**
 * From a result to a signed webhook: a real server and its local agent, a loopback port that goes away and comes
 * back, a rule with a webhook channel, and a receiver on loopback that checks the documented signature.
 */
class NotificationsTest {
    private static final String SECRET = WebhookReceiver.SECRET;

    @Test
    void anOutageIsOneSignedFiringAndOneSignedResolutionAndTheLogSaysSo() throws Exception {
        LoopbackTarget first = new LoopbackTarget();
        int port = first.port();
        first.close();
        try (WebhookReceiver receiver = new WebhookReceiver();
             TestServer server = TestServer.start(Map.of("VANTAGE_LOCAL_AGENT", "true", "VANTAGE_AGENT_HEARTBEAT", "1s",
                     "VANTAGE_LOCAL_AGENT_LOOPBACK_PORTS", Integer.toString(port),
                     "VANTAGE_NOTIFY_ALLOW_LOOPBACK", "true", "VANTAGE_PUBLIC_URL", "https://vantage.example.test"))) {
            String admin = server.adminToken();
            TestServer.Response channel = server.post("/api/v1/channels", admin, JsonMapping.write(Map.of(
                    "name", "ops hook", "type", "webhook", "language", "zh",
                    "settings", Map.of("url", receiver.url(), "secret", SECRET))));
            assertThat(channel.status()).as(channel.body()).isEqualTo(201);
            assertThat(channel.json().get("settings").get("secret").asText()).isEqualTo("******");
            String channelId = channel.json().get("id").asText();

            // the test button: a signed test message, answered at once
            JsonNode test = server.post("/api/v1/channels/" + channelId + "/test", admin, null).json();
            assertThat(test.get("delivered").asBoolean()).as(test.toString()).isTrue();
            assertThat(receiver.kinds()).containsExactly("test");
            assertThat(receiver.accepted.get(0).get("title").asText()).isEqualTo("【测试】测试消息：ops hook");
            assertThat(receiver.accepted.get(0).get("summary").asText()).isEqualTo("来自 Vantage 的测试消息");

            assertThat(server.post("/api/v1/tasks", admin, JsonMapping.write(Map.of("id", "web", "type", "tcp",
                    "target", "127.0.0.1:" + port, "interval", "1s", "timeout", "900ms",
                    "selector", Map.of("labels", Map.of("region", "local"))))).status()).isEqualTo(201);
            TestServer.Response rule = server.post("/api/v1/alert-rules", admin, JsonMapping.write(Map.of(
                    "name", "web down", "tasks", Map.of("task", "web"), "channels", List.of(channelId),
                    "condition", Map.of("type", "consecutiveFailures", "count", 2), "resolveAfter", "2s")));
            assertThat(rule.status()).as(rule.body()).isEqualTo(201);

            await().atMost(Duration.ofSeconds(30)).until(() -> receiver.kinds().contains("firing"));
            JsonNode firing = receiver.accepted.stream().filter(n -> n.get("kind").asText().equals("firing")).findFirst().orElseThrow();
            String incidentId = firing.get("incidentId").asText();
            assertThat(firing.toString()).contains("web down").contains("https://vantage.example.test/incidents/");
            assertThat(firing.get("title").asText()).startsWith("【告警】"); // the channel's language
            // the firing was caused by a stored result: its latency to the channel is measured
            assertThat(server.get("/metrics", null).body().lines()
                    .filter(l -> l.startsWith("vantage_notifications_latency_seconds_count")).findFirst().orElse(""))
                    .as("the storage-to-notification latency metric").matches(".* [1-9][0-9.E]*");

            try (LoopbackTarget back = new LoopbackTarget(port)) {
                await().atMost(Duration.ofSeconds(30)).until(() -> receiver.kinds().contains("resolved"));
            }
            assertThat(receiver.kinds()).containsExactly("test", "firing", "resolved");
            assertThat(receiver.refused).isEmpty();
            // outcomes are recorded just after sending, a batch at a time
            JsonNode log = await().atMost(Duration.ofSeconds(10)).until(() -> server.get("/api/v1/channels/" + channelId
                    + "/deliveries", admin).json().get("items"), l -> !l.findValuesAsText("status").contains("pending"));
            assertThat(log.findValuesAsText("status")).containsExactly("delivered", "delivered");
            assertThat(log.findValuesAsText("kind")).containsExactlyInAnyOrder("firing", "resolved");
            assertThat(incidentId).isNotEmpty();

            // a receiver's refusal, told in the admin's language: the server's words, the receiver's answer as data
            String wrong = server.post("/api/v1/channels", admin, JsonMapping.write(Map.of("name", "wrong secret",
                    "type", "webhook", "settings", Map.of("url", receiver.url(), "secret", "wrong-secret")))).json()
                    .get("id").asText();
            String where = java.net.URI.create(receiver.url()).getAuthority();
            JsonNode refused = server.call("POST", "/api/v1/channels/" + wrong + "/test", admin, null,
                    Map.of("Accept-Language", "zh-CN")).json();
            assertThat(refused.get("delivered").asBoolean()).isFalse();
            assertThat(refused.get("code").asInt()).isEqualTo(401);
            assertThat(refused.get("response").asText()).isEqualTo(where + " 返回了 HTTP 401");
            assertThat(server.post("/api/v1/channels/" + wrong + "/test", admin, null).json().get("response").asText())
                    .isEqualTo(where + " answered HTTP 401");
        }
    }

    @Test
    void aFailedDeliveryIsLoggedInTheReadersLanguageWithTheReceiversWordsAsData() throws Exception {
        LoopbackTarget first = new LoopbackTarget();
        int port = first.port();
        first.close();
        try (WebhookReceiver receiver = WebhookReceiver.failing(500, "overloaded");
             TestServer server = TestServer.start(Map.of("VANTAGE_LOCAL_AGENT", "true", "VANTAGE_AGENT_HEARTBEAT", "1s",
                     "VANTAGE_LOCAL_AGENT_LOOPBACK_PORTS", Integer.toString(port),
                     "VANTAGE_NOTIFY_ALLOW_LOOPBACK", "true"))) {
            String admin = server.adminToken();
            String busy = server.post("/api/v1/channels", admin, JsonMapping.write(Map.of("name", "busy hook",
                    "type", "webhook", "settings", Map.of("url", receiver.url(), "secret", SECRET)))).json()
                    .get("id").asText();
            String off = server.post("/api/v1/channels", admin, JsonMapping.write(Map.of("name", "off hook",
                    "type", "webhook", "enabled", false, "settings", Map.of("url", receiver.url(), "secret", SECRET))))
                    .json().get("id").asText();
            server.post("/api/v1/tasks", admin, JsonMapping.write(Map.of("id", "api", "type", "tcp",
                    "target", "127.0.0.1:" + port, "interval", "1s", "timeout", "900ms",
                    "selector", Map.of("labels", Map.of("region", "local")))));
            assertThat(server.post("/api/v1/alert-rules", admin, JsonMapping.write(Map.of("name", "api down",
                    "tasks", Map.of("task", "api"), "channels", List.of(busy, off),
                    "condition", Map.of("type", "consecutiveFailures", "count", 1)))).status()).isEqualTo(201);

            // a 500 is tried again later: the log says why the first attempt failed, in each reader's language
            String log = "/api/v1/channels/" + busy + "/deliveries";
            JsonNode failed = await().atMost(Duration.ofSeconds(30)).until(() -> server.get(log, admin).json().get("items"),
                    items -> !items.isEmpty() && !items.get(0).get("lastError").isNull()).get(0);
            String where = java.net.URI.create(receiver.url()).getAuthority();
            assertThat(failed.get("status").asText()).isEqualTo("pending");
            assertThat(failed.get("lastCode").asInt()).isEqualTo(500);
            assertThat(failed.get("lastError").asText()).isEqualTo(where + " answered HTTP 500: overloaded");
            TestServer.Response zh = server.call("GET", log, admin, null, Map.of("Accept-Language", "zh-CN"));
            assertThat(zh.json().get("items").get(0).get("lastError").asText())
                    .isEqualTo(where + " 返回了 HTTP 500，回复：overloaded");

            // a disabled channel's notification is given up at once, and says why in Chinese too
            JsonNode given = await().atMost(Duration.ofSeconds(10)).until(() -> server.call("GET",
                    "/api/v1/channels/" + off + "/deliveries", admin, null, Map.of("Accept-Language", "zh")).json()
                    .get("items"), items -> items.findValuesAsText("status").contains("failed")).get(0);
            assertThat(given.get("lastError").asText()).isEqualTo("通知渠道已停用");
        }
    }

    @Test
    void anOutageInAMaintenanceWindowIsRecordedButNobodyIsTold() throws Exception {
        LoopbackTarget first = new LoopbackTarget();
        int port = first.port();
        first.close();
        try (WebhookReceiver receiver = new WebhookReceiver();
             TestServer server = TestServer.start(Map.of("VANTAGE_LOCAL_AGENT", "true", "VANTAGE_AGENT_HEARTBEAT", "1s",
                     "VANTAGE_LOCAL_AGENT_LOOPBACK_PORTS", Integer.toString(port),
                     "VANTAGE_NOTIFY_ALLOW_LOOPBACK", "true"))) {
            String admin = server.adminToken();
            String channelId = server.post("/api/v1/channels", admin, JsonMapping.write(Map.of("name", "hook",
                    "type", "webhook", "settings", Map.of("url", receiver.url(), "secret", SECRET)))).json().get("id").asText();
            java.time.Instant now = java.time.Instant.now();
            TestServer.Response silence = server.post("/api/v1/silences", admin, JsonMapping.write(Map.of(
                    "tasks", Map.of("labels", Map.of("tier", "db")), "comment", "maintenance",
                    "once", Map.of("from", now.minusSeconds(3600).toString(), "until", now.plusSeconds(3600).toString()))));
            assertThat(silence.status()).as(silence.body()).isEqualTo(201);
            server.post("/api/v1/tasks", admin, JsonMapping.write(Map.of("id", "db", "type", "tcp", "labels", Map.of("tier", "db"),
                    "target", "127.0.0.1:" + port, "interval", "1s", "timeout", "900ms",
                    "selector", Map.of("labels", Map.of("region", "local")))));
            server.post("/api/v1/alert-rules", admin, JsonMapping.write(Map.of("name", "db down",
                    "tasks", Map.of("task", "db"), "channels", List.of(channelId),
                    "condition", Map.of("type", "consecutiveFailures", "count", 1))));

            JsonNode incident = await().atMost(Duration.ofSeconds(30)).until(
                    () -> server.get("/api/v1/incidents", admin).json().get("items"), items -> items.size() == 1).get(0);
            JsonNode firing = server.get("/api/v1/incidents/" + incident.get("id").asText(), admin).json().get("timeline").get(0);
            assertThat(firing.get("kind").asText()).isEqualTo("firing");
            assertThat(firing.get("silencedBy").asText()).isEqualTo(silence.json().get("id").asText());
            assertThat(server.get("/api/v1/channels/" + channelId + "/deliveries", admin).json().get("items")).isEmpty();
            assertThat(receiver.accepted).isEmpty();
        }
    }

    @Test
    void aChannelIntoTheServersOwnNetworkIsRefusedUnlessAllowedAndBadSettingsAreNamed() throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver(); TestServer server = TestServer.start()) {
            String admin = server.adminToken();
            String id = server.post("/api/v1/channels", admin, JsonMapping.write(Map.of("name", "hook", "type", "webhook",
                    "settings", Map.of("url", receiver.url(), "secret", "wrong-secret")))).json().get("id").asText();
            JsonNode test = server.post("/api/v1/channels/" + id + "/test", admin, null).json();
            assertThat(test.get("delivered").asBoolean()).isFalse();
            assertThat(test.get("retryable").asBoolean()).isFalse();
            assertThat(receiver.accepted).isEmpty();
            assertThat(receiver.refused).isEmpty(); // refused before connecting: loopback is not allowed here
            assertThat(test.get("response").asText()).startsWith("not sent: address 127.0.0.1 ");
            String zh = server.call("POST", "/api/v1/channels/" + id + "/test", admin, null,
                    Map.of("Accept-Language", "zh-CN")).json().get("response").asText();
            assertThat(zh).startsWith("未发送：地址 127.0.0.1 ").as(zh).doesNotContainPattern("[A-Za-z]{3,}");

            TestServer.Response bad = server.post("/api/v1/channels", admin, JsonMapping.write(Map.of("name", "x",
                    "type", "dingtalk", "language", "fr", "settings", Map.of("url", "ftp://x", "extra", 1))));
            assertThat(bad.status()).isEqualTo(400);
            assertThat(bad.json().get("errors").findValuesAsText("field")).containsExactly("language");
            TestServer.Response badSettings = server.post("/api/v1/channels", admin, JsonMapping.write(Map.of("name", "x",
                    "type", "dingtalk", "settings", Map.of("url", "ftp://x", "extra", 1))));
            assertThat(badSettings.json().get("errors").findValuesAsText("field")).contains("settings.url", "settings.extra");
            TestServer.Response masked = server.post("/api/v1/channels", admin, JsonMapping.write(Map.of("name", "x",
                    "type", "webhook", "settings", Map.of("url", receiver.url(), "secret", "******"))));
            assertThat(masked.json().get("errors").findValuesAsText("field")).containsExactly("settings.secret");
            assertThat(server.get("/api/v1/channels", admin).json().get("items")).hasSize(1);
        }
    }

    @Test
    void aChannelSpeaksInItsOwnTemplatesAndABadTemplateIsRefusedNamingIt() throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver();
             TestServer server = TestServer.start(Map.of("VANTAGE_NOTIFY_ALLOW_LOOPBACK", "true"))) {
            String admin = server.adminToken();
            TestServer.Response bad = server.post("/api/v1/channels", admin, JsonMapping.write(Map.of("name", "x",
                    "type", "webhook", "settings", Map.of("url", receiver.url(), "secret", SECRET),
                    "templates", Map.of("title.firing", "{title} is down", "body", "x", "text", "at {when}"))));
            assertThat(bad.status()).isEqualTo(400);
            assertThat(bad.body()).contains("templates.title.firing").contains("templates.body").contains("templates.text")
                    .contains("{when} is not a placeholder");
            assertThat(server.get("/api/v1/channels", admin).json().get("items")).as("nothing half-written").isEmpty();

            TestServer.Response created = server.post("/api/v1/channels", admin, JsonMapping.write(Map.of("name", "ops",
                    "type", "webhook", "settings", Map.of("url", receiver.url(), "secret", SECRET),
                    "templates", Map.of("title.test", "Probe check for {task}", "text", "{summary} -> {link}"))));
            assertThat(created.status()).as(created.body()).isEqualTo(201);
            assertThat(created.json().get("templates").get("title.test").asText()).isEqualTo("Probe check for {task}");
            String id = created.json().get("id").asText();
            assertThat(server.post("/api/v1/channels/" + id + "/test", admin, null).json().get("delivered").asBoolean()).isTrue();
            JsonNode test = receiver.accepted.get(0);
            assertThat(test.get("title").asText()).isEqualTo("Probe check for ops");
            assertThat(test.get("text").asText()).startsWith("a test message from Vantage -> http");
        }
    }
}
