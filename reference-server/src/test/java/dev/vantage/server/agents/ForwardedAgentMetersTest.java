package dev.vantage.server.agents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.agent.runtime.AgentRuntime;
import dev.vantage.server.TestServer;
import dev.vantage.server.json.JsonMapping;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real agent (no metrics listener of its own) forwards its meters in heartbeats; the server's {@code /metrics}
 * has them per agent while it is connected, and not after it disconnects or is deleted.
 */
class ForwardedAgentMetersTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path tmp;

    @Test
    void heartbeatsPutTheAgentsMetersOnTheServersMetricsWhileItIsConnected() throws Exception {
        try (TestServer server = TestServer.start(Map.of("VANTAGE_AGENT_HEARTBEAT", "1s"));
             ServerSocket target = TestServer.acceptingTarget()) {
            String admin = server.adminToken();
            JsonNode token = server.post("/api/v1/agents/enrollment-tokens", admin,
                    JsonMapping.write(Map.of("policy", Map.of("allowLoopback", true)))).json();
            JsonNode enrolled = server.post("/api/v1/agents/enroll", null,
                    JsonMapping.write(Map.of("token", token.get("token").asText(), "name", "fwd"))).json();
            String id = enrolled.get("agentId").asText();
            String agent = "agent=\"" + id + "\"";
            assertThat(server.post("/api/v1/tasks", admin, JsonMapping.write(Map.of("type", "tcp",
                    "target", "127.0.0.1:" + target.getLocalPort(), "interval", "1s"))).status()).isEqualTo(201);
            AgentRuntime.Builder builder = AgentRuntime.builder()
                    .server(URI.create("ws://127.0.0.1:" + server.app.port() + "/ws/agent"))
                    .credential(id, enrolled.get("credential").asText()).dataDir(tmp.resolve("agent"));
            try (AgentRuntime ignored = builder.build().start()) {
                await().atMost(WAIT).untilAsserted(() -> {
                    String metrics = metrics(server);
                    assertThat(value(metrics, "vantage_agent_probe_results_total", agent + ",status=\"SUCCESS\""))
                            .isPositive();
                    assertThat(value(metrics, "vantage_agent_probe_results_total", agent + ",status=\"ERROR\"")).isZero();
                    assertThat(value(metrics, "vantage_agent_scheduler_tasks", agent)).isEqualTo(1);
                    assertThat(value(metrics, "vantage_agent_uplink_connections_total", agent)).isEqualTo(1);
                    assertThat(value(metrics, "vantage_agent_spool_bytes", agent)).isNotNegative();
                    assertThat(value(metrics, "vantage_agent_data_disk_free_bytes", agent))
                            .isEqualTo((double) Files.getFileStore(tmp).getUsableSpace(), org.assertj.core.data.Offset.offset(1e9));
                    assertThat(value(metrics, "vantage_agent_heap_used_bytes", agent)).isPositive();
                    assertThat(value(metrics, "vantage_agent_process_uptime_seconds", agent)).isPositive();
                    assertThat(value(metrics, "vantage_agent_scheduler_lag_p99_seconds", agent)).isNotNegative();
                });
            }
            // disconnected: the series go, so Prometheus marks them stale instead of repeating the last values
            await().atMost(WAIT).untilAsserted(() -> assertThat(forwarded(server, agent)).isEmpty());
            try (AgentRuntime ignored = builder.build().start()) {
                await().atMost(WAIT).untilAsserted(() ->
                        assertThat(value(metrics(server), "vantage_agent_scheduler_tasks", agent)).isEqualTo(1));
                assertThat(server.call("DELETE", "/api/v1/agents/" + id, admin, null).status()).isEqualTo(204);
                await().atMost(WAIT).untilAsserted(() -> assertThat(forwarded(server, agent)).isEmpty());
            }
        }
    }

    private static String metrics(TestServer server) {
        return server.get("/metrics", null).body();
    }

    /** The forwarded series of the agent (its probe results' series are another matter). */
    private static java.util.List<String> forwarded(TestServer server, String agent) {
        return metrics(server).lines().filter(l -> l.startsWith("vantage_agent_") && l.contains(agent)).toList();
    }

    /** The value of the one series {@code name{...labels...}} in a Prometheus text exposition, or NaN without it. */
    private static double value(String exposition, String name, String labels) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{([^}]*)\\} (\\S+)$").matcher(exposition);
        while (m.find()) {
            if (m.group(1).contains(labels)) {
                return Double.parseDouble(m.group(2));
            }
        }
        return Double.NaN;
    }
}
