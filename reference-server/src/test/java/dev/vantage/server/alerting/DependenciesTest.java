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
 * Task dependencies on a real server with its local agent: a "gateway" and a "web" task behind it both go down;
 * only the gateway pages, and web is listed on the gateway's incident. The API refuses dependencies that could not
 * mean anything, naming the field.
 */
class DependenciesTest {

    private static Map<String, Object> task(String id, int port, List<String> dependsOn) {
        return Map.of("id", id, "type", "tcp", "target", "127.0.0.1:" + port, "interval", "300ms", "timeout", "250ms",
                "selector", Map.of("all", true), "dependsOn", dependsOn);
    }

    @Test
    void whileTheGatewayIsDownOnlyItPagesAndTheTaskBehindItIsGroupedUnderItsIncident() throws Exception {
        LoopbackTarget gateway = new LoopbackTarget();
        LoopbackTarget web = new LoopbackTarget();
        try (WebhookReceiver receiver = new WebhookReceiver();
             TestServer server = TestServer.start(Map.of("VANTAGE_LOCAL_AGENT", "true", "VANTAGE_AGENT_HEARTBEAT", "1s",
                     "VANTAGE_LOCAL_AGENT_LOOPBACK_PORTS", gateway.port() + "," + web.port(),
                     "VANTAGE_NOTIFY_ALLOW_LOOPBACK", "true"))) {
            String admin = server.adminToken();
            String channel = server.post("/api/v1/channels", admin, JsonMapping.write(Map.of("name", "hook",
                    "type", "webhook", "settings", Map.of("url", receiver.url(), "secret", WebhookReceiver.SECRET))))
                    .json().get("id").asText();
            assertThat(server.post("/api/v1/tasks", admin, JsonMapping.write(task("gw", gateway.port(), List.of())))
                    .status()).isEqualTo(201);
            TestServer.Response created = server.post("/api/v1/tasks", admin,
                    JsonMapping.write(task("web", web.port(), List.of("gw"))));
            assertThat(created.status()).as(created.body()).isEqualTo(201);
            assertThat(created.json().get("dependsOn")).hasSize(1);
            for (String t : List.of("gw", "web")) {
                assertThat(server.post("/api/v1/alert-rules", admin, JsonMapping.write(Map.of("name", t + " down",
                        "tasks", Map.of("task", t), "channels", List.of(channel),
                        "condition", Map.of("type", "consecutiveFailures", "count", 3), "resolveAfter", "1s")))
                        .status()).isEqualTo(201);
            }
            // results of both before the outage, so the gateway's failure is what the engine sees first
            await().atMost(Duration.ofSeconds(20)).until(() -> server.get("/api/v1/tasks/web/results?limit=1", admin)
                    .json().get("items").size() == 1);

            gateway.close();
            web.close();
            await().atMost(Duration.ofSeconds(30)).until(() -> receiver.kinds().contains("firing"));
            JsonNode incidents = server.get("/api/v1/incidents", admin).json().get("items");
            await().atMost(Duration.ofSeconds(10)).until(() -> timeline(server, admin,
                    incidents.get(0).get("id").asText()).contains("grouped"));
            // web has failed many times by now, and still nobody was told of it
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() -> receiver.kinds().size() == 1);
            assertThat(server.get("/api/v1/incidents", admin).json().get("items").findValuesAsText("taskId"))
                    .containsExactly("gw");

            // the gateway comes back, web does not: web is web's own problem now
            try (LoopbackTarget back = new LoopbackTarget(gateway.port())) {
                await().atMost(Duration.ofSeconds(30)).until(() -> receiver.kinds().contains("resolved")
                        && server.get("/api/v1/incidents", admin).json().get("items").findValuesAsText("taskId")
                        .contains("web"));
            }
        } finally {
            gateway.close();
            web.close();
        }
    }

    private static List<String> timeline(TestServer server, String admin, String incident) {
        return server.get("/api/v1/incidents/" + incident, admin).json().get("timeline").findValuesAsText("kind");
    }

    @Test
    void dependenciesThatCouldNotMeanAnythingAreRefusedNamingTheField() throws Exception {
        try (TestServer server = TestServer.start()) {
            String admin = server.adminToken();
            assertThat(server.post("/api/v1/tasks", admin, JsonMapping.write(task("a", 1, List.of()))).status()).isEqualTo(201);
            assertThat(server.post("/api/v1/tasks", admin, JsonMapping.write(task("b", 1, List.of("a")))).status()).isEqualTo(201);

            TestServer.Response unknown = server.post("/api/v1/tasks", admin, JsonMapping.write(task("c", 1, List.of("a", "nope"))));
            assertThat(unknown.status()).isEqualTo(400);
            assertThat(unknown.body()).contains("dependsOn[1]").contains("no task has this id");
            TestServer.Response self = server.call("PUT", "/api/v1/tasks/a", admin, JsonMapping.write(task("a", 1, List.of("a"))));
            assertThat(self.status()).isEqualTo(400);
            assertThat(self.body()).contains("dependsOn[0]").contains("itself");
            TestServer.Response cycle = server.call("PUT", "/api/v1/tasks/a", admin, JsonMapping.write(task("a", 1, List.of("b"))));
            assertThat(cycle.status()).isEqualTo(400);
            assertThat(cycle.body()).contains("dependsOn[0]").contains("cycle");
            assertThat(server.get("/api/v1/tasks/a", admin).json().get("dependsOn")).as("nothing half-written").isEmpty();

            TestServer.Response parent = server.call("DELETE", "/api/v1/tasks/a", admin, null);
            assertThat(parent.status()).isEqualTo(409);
            assertThat(parent.body()).contains("b");
            assertThat(server.get("/api/v1/tasks/a", admin).status()).isEqualTo(200);
            // an id holding a LIKE wildcard, that no task depends on, is deleted
            assertThat(server.post("/api/v1/tasks", admin, JsonMapping.write(task("a_", 1, List.of()))).status()).isEqualTo(201);
            assertThat(server.call("DELETE", "/api/v1/tasks/a_", admin, null).status()).isEqualTo(204);
        }
    }
}
