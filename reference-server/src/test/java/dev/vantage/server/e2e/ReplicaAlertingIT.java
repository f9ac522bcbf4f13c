package dev.vantage.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.server.LoopbackTarget;
import dev.vantage.server.TestServer;
import dev.vantage.server.alerting.WebhookReceiver;
import dev.vantage.server.backends.Backends;
import dev.vantage.server.backends.Fleet;
import dev.vantage.server.json.JsonMapping;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Alerting with two replicas on one PostgreSQL and one RabbitMQ: replica A (the server jar in its own JVM, started
 * first, so the broker gives it the evaluation queue) judges the results that two agents send to replica B. A
 * rule fires; A is killed (-9) while it fires; B takes over judging, resumes the open incident and resolves it when
 * the target is back. The webhook receiver counts exactly one firing and one resolution.
 */
class ReplicaAlertingIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void whenTheJudgingReplicaDiesTheOtherResolvesTheIncidentAndEachTransitionIsSentOnce(@TempDir Path dir)
            throws Exception {
        LoopbackTarget target = new LoopbackTarget();
        int port = target.port();
        try (Backends b = Backends.create(); WebhookReceiver receiver = new WebhookReceiver()) {
            int portA = Processes.freePort();
            Map<String, String> envA = new HashMap<>(b.env(true));
            envA.putAll(Map.of("VANTAGE_AGENT_HEARTBEAT", "1s", "VANTAGE_REPLICA_ID", "replica-a",
                    "SERVER_HOST", "127.0.0.1", "SERVER_PORT", Integer.toString(portA),
                    "VANTAGE_ADMIN_PASSWORD", TestServer.ADMIN_PASSWORD, "VANTAGE_JWT_SECRET", TestServer.JWT_SECRET,
                    "VANTAGE_LOCAL_AGENT", "false", "VANTAGE_DATA_DIR", dir.resolve("a-data").toString(),
                    "VANTAGE_NOTIFY_ALLOW_LOOPBACK", "true"));
            Processes.Jvm replicaA = Processes.start("replica-a", Processes.SERVER_JAR, dir.resolve("a"), envA,
                    dir.resolve("logs"));
            try {
                Backends.await(Duration.ofSeconds(60), () -> Backends.portOpen(portA), "replica A to listen");
                Map<String, String> envB = new HashMap<>(b.env(true));
                envB.putAll(Map.of("VANTAGE_AGENT_HEARTBEAT", "1s", "VANTAGE_REPLICA_ID", "replica-b",
                        "VANTAGE_NOTIFY_ALLOW_LOOPBACK", "true"));
                try (TestServer replicaB = TestServer.start(envB)) {
                    run(replicaA, portA, replicaB, receiver, target, port, dir);
                }
            } finally {
                replicaA.kill();
                target.close();
            }
        }
    }

    private void run(Processes.Jvm replicaA, int portA, TestServer replicaB, WebhookReceiver receiver,
                     LoopbackTarget target, int port, Path dir) throws Exception {
        String admin = replicaB.adminToken();
        URI toB = URI.create("ws://127.0.0.1:" + replicaB.app.port() + "/ws/agent");
        try (Fleet fleet = Fleet.start(replicaB, admin, 2, dir, List.of(toB))) {
            await().atMost(Duration.ofSeconds(30)).until(fleet::allConnected);
            String channel = replicaB.post("/api/v1/channels", admin, JsonMapping.write(Map.of("name", "hook",
                    "type", "webhook", "settings", Map.of("url", receiver.url(), "secret", WebhookReceiver.SECRET))))
                    .json().get("id").asText();
            assertThat(replicaB.post("/api/v1/tasks", admin, JsonMapping.write(Map.of("id", "web", "type", "tcp",
                    "target", "127.0.0.1:" + port, "interval", "300ms", "timeout", "250ms",
                    "selector", Map.of("all", true)))).status()).isEqualTo(201);
            // A judges (first in line for the queue), so it learns of this rule made on B through the control fanout
            await().atMost(Duration.ofSeconds(30)).until(() -> active(portA) == 1);
            assertThat(active(replicaB.app.port())).as("B stands by while A judges").isZero();
            TestServer.Response rule = replicaB.post("/api/v1/alert-rules", admin, JsonMapping.write(Map.of(
                    "name", "web down from both agents", "tasks", Map.of("task", "web"), "channels", List.of(channel),
                    "condition", Map.of("type", "consecutiveFailures", "count", 3),
                    "scope", Map.of("minAgents", 2), "resolveAfter", "1s")));
            assertThat(rule.status()).as(rule.body()).isEqualTo(201);

            target.close();
            await().atMost(Duration.ofSeconds(30)).until(() -> receiver.kinds().contains("firing"));
            await().atMost(Duration.ofSeconds(10)).until(() -> replicaB.get("/api/v1/channels/" + channel
                    + "/deliveries", admin).json().get("items").findValuesAsText("status").contains("delivered"));

            replicaA.kill();
            try (LoopbackTarget back = new LoopbackTarget(port)) {
                await().atMost(Duration.ofSeconds(60)).until(() -> receiver.kinds().contains("resolved"));
                assertThat(active(replicaB.app.port())).as("B judges now").isEqualTo(1);
                // nothing more may come: no second firing from B resuming, no resolution twice
                await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
                        .until(() -> receiver.kinds().size() == 2);
            }
            assertThat(receiver.kinds()).containsExactly("firing", "resolved");
            assertThat(receiver.refused).isEmpty();
            JsonNode incidents = replicaB.get("/api/v1/incidents", admin).json().get("items");
            assertThat(incidents).hasSize(1);
            JsonNode timeline = replicaB.get("/api/v1/incidents/" + incidents.get(0).get("id").asText(), admin).json();
            assertThat(timeline.get("timeline").findValuesAsText("kind")).containsExactly("firing", "resolved");
        }
    }

    /** Replica's {@code vantage_alerting_active} gauge: 1 while it judges. */
    private static int active(int port) throws Exception {
        String text = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return text.lines().filter(l -> l.startsWith("vantage_alerting_active")).findFirst()
                .map(l -> (int) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).orElse(-1);
    }
}
