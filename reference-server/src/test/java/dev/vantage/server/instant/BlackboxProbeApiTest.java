package dev.vantage.server.instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.agent.runtime.AgentRuntime;
import dev.vantage.probe.engine.TaskSpec;
import dev.vantage.server.TestServer;
import dev.vantage.server.json.JsonMapping;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /api/v1/probe} through a real connected agent: blackbox_exporter's answer for a loopback acceptor and a
 * closed port, the agent's address policy, and the problems for a bad module, a missing target, an unknown agent;
 * and the retention of the instant tests they are stored as.
 */
class BlackboxProbeApiTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path tmp;

    @Test
    void probesThroughTheChosenAgentAndAnswersAsBlackboxExporter() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        try (TestServer server = TestServer.start(); ServerSocket target = TestServer.acceptingTarget()) {
            String admin = server.adminToken();
            JsonNode token = server.post("/api/v1/agents/enrollment-tokens", admin,
                    JsonMapping.write(Map.of("policy", Map.of("allowLoopback", true)))).json();
            JsonNode enrolled = server.post("/api/v1/agents/enroll", null,
                    JsonMapping.write(Map.of("token", token.get("token").asText(), "name", "prober"))).json();
            String id = enrolled.get("agentId").asText();
            String open = "/api/v1/probe?module=tcp_connect&target=127.0.0.1:" + target.getLocalPort() + "&agent=" + id;
            // not connected yet: nobody to probe
            assertThat(server.get(open, admin).status()).isEqualTo(409);
            try (AgentRuntime ignored = AgentRuntime.builder()
                    .server(URI.create("ws://127.0.0.1:" + server.app.port() + "/ws/agent"))
                    .credential(id, enrolled.get("credential").asText()).dataDir(tmp.resolve("agent")).build().start()) {
                await().atMost(WAIT).until(() -> server.get(open, admin).status() == 200);
                TestServer.Response up = server.get(open, admin);
                assertThat(up.contentType()).startsWith("text/plain; version=0.0.4");
                assertThat(up.body()).contains("\nprobe_success 1\n", "\nprobe_ip_protocol 4\n",
                        "# TYPE probe_duration_seconds gauge\n");

                TestServer.Response down = server.get("/api/v1/probe?module=tcp_connect&target=127.0.0.1:" + closed
                        + "&agent=" + id, admin);
                assertThat(down.status()).isEqualTo(200);
                assertThat(down.body()).contains("\nprobe_success 0\n");

                TestServer.Response module = server.get(open.replace("tcp_connect", "tcp_nope"), admin);
                assertThat(module.status()).isEqualTo(400);
                assertThat(module.json().get("errors").findValuesAsText("field")).containsExactly("module");
                assertThat(module.json().get("errors").findValuesAsText("message").getFirst())
                        .contains("unknown module \"tcp_nope\"", "tcp_connect");
                TestServer.Response noTarget = server.get("/api/v1/probe?module=tcp_connect&agent=" + id, admin);
                assertThat(noTarget.status()).isEqualTo(400);
                assertThat(noTarget.json().get("errors").findValuesAsText("field")).containsExactly("target");
                TestServer.Response badTarget = server.get("/api/v1/probe?module=tcp_connect&target=127.0.0.1&agent="
                        + id, admin);
                assertThat(badTarget.status()).isEqualTo(400);
                assertThat(badTarget.json().get("errors").findValuesAsText("field")).containsExactly("target");

                TestServer.Response unknown = server.get("/api/v1/probe?module=tcp_connect&target=127.0.0.1:"
                        + target.getLocalPort() + "&agent=00000000-0000-0000-0000-000000000000", admin);
                assertThat(unknown.status()).isEqualTo(404);
                assertThat(unknown.contentType()).startsWith("application/problem+json");

                // the agent's address policy applies, as to its instant tests: loopback refused, the probe fails
                assertThat(server.call("PUT", "/api/v1/agents/" + id + "/policy", admin,
                        JsonMapping.write(Map.of("allowLoopback", false))).status()).isEqualTo(200);
                await().atMost(WAIT).untilAsserted(() ->
                        assertThat(server.get(open, admin).body()).contains("\nprobe_success 0\n"));
            }
        }
    }

    @Test
    void instantTestsAndSoScrapesAreKeptAsLongAsResults() {
        try (TestServer server = TestServer.start(Map.of("VANTAGE_RESULTS_RETENTION", "30d"))) {
            InstantTestStore store = server.core.instantTests();
            Instant now = Instant.now();
            String old = UUID.randomUUID().toString();
            String kept = UUID.randomUUID().toString();
            store.insert(TaskSpec.builder("tcp", "127.0.0.1:1").id(old).build(), null, now.minus(Duration.ofDays(31)));
            store.insert(TaskSpec.builder("tcp", "127.0.0.1:1").id(kept).build(), null, now.minus(Duration.ofDays(29)));
            store.recordAsked(old, List.of("a1"));
            store.recordAsked(kept, List.of("a1"));
            server.core.retention().run();
            assertThat(store.get(old)).isEmpty();
            assertThat(store.asked(old)).isEmpty();
            assertThat(store.get(kept)).isPresent();
            assertThat(store.asked(kept)).containsExactly("a1");
        }
    }
}
