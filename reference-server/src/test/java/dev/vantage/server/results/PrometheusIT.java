package dev.vantage.server.results;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.agent.runtime.AgentRuntime;
import dev.vantage.server.TestServer;
import dev.vantage.server.json.JsonMapping;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus (Debian's, on loopback, 1 s scrapes, its own storage) scrapes a server's {@code /metrics}, an
 * agent's listener, and the agent's {@code /probe} through a blackbox_exporter relabel config, directly and through
 * the server's {@code /api/v1/probe} with an API token; its HTTP API then
 * has the series with the expected values.
 */
class PrometheusIT {
    private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path tmp;

    @Test
    void prometheusScrapesTheServerTheAgentAndBlackboxProbes() throws Exception {
        assumeTrue(Files.isExecutable(PROMETHEUS), "needs Debian's prometheus package (apt-get install -y prometheus)");
        try (TestServer server = TestServer.start(Map.of("VANTAGE_AGENT_HEARTBEAT", "1s"));
             ServerSocket target = TestServer.acceptingTarget()) {
            String admin = server.adminToken();
            JsonNode token = server.post("/api/v1/agents/enrollment-tokens", admin,
                    JsonMapping.write(Map.of("policy", Map.of("allowLoopback", true)))).json();
            JsonNode enrolled = server.post("/api/v1/agents/enroll", null,
                    JsonMapping.write(Map.of("token", token.get("token").asText(), "name", "prom"))).json();
            String agentId = enrolled.get("agentId").asText();
            try (AgentRuntime agent = AgentRuntime.builder()
                    .server(URI.create("ws://127.0.0.1:" + server.app.port() + "/ws/agent"))
                    .credential(agentId, enrolled.get("credential").asText()).dataDir(tmp.resolve("agent"))
                    .metricsListen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).build().start()) {
                TestServer.Response created = server.post("/api/v1/tasks", admin, JsonMapping.write(Map.of("type", "tcp",
                        "target", "127.0.0.1:" + target.getLocalPort(), "interval", "1s")));
                assertThat(created.status()).as(created.body()).isEqualTo(201);
                String task = created.json().get("id").asText();
                int agentPort = agent.metricsAddress().orElseThrow().getPort();
                int closedPort = freePort();
                int promPort = freePort();
                // the same blackbox config through the server: an API token, and the agent's id as a parameter
                String apiToken = server.post("/api/v1/tokens", admin, "{\"name\":\"prometheus\"}").json()
                        .get("token").asText();
                Files.writeString(tmp.resolve("prometheus.yml"), """
                        global: {scrape_interval: 1s, scrape_timeout: 900ms}
                        scrape_configs:
                          - job_name: server
                            static_configs: [{targets: ['127.0.0.1:%1$d']}]
                          - job_name: agent
                            static_configs: [{targets: ['127.0.0.1:%2$d']}]
                          - job_name: blackbox
                            metrics_path: /probe
                            params: {module: [tcp_connect]}
                            static_configs: [{targets: ['127.0.0.1:%3$d', '127.0.0.1:%4$d']}]
                            relabel_configs:
                              - {source_labels: [__address__], target_label: __param_target}
                              - {source_labels: [__param_target], target_label: instance}
                              - {target_label: __address__, replacement: '127.0.0.1:%2$d'}
                          - job_name: blackbox-server
                            metrics_path: /api/v1/probe
                            params: {module: [tcp_connect], agent: ['%5$s']}
                            authorization: {credentials: '%6$s'}
                            static_configs: [{targets: ['127.0.0.1:%3$d', '127.0.0.1:%4$d']}]
                            relabel_configs:
                              - {source_labels: [__address__], target_label: __param_target}
                              - {source_labels: [__param_target], target_label: instance}
                              - {target_label: __address__, replacement: '127.0.0.1:%1$d'}
                        """.formatted(server.app.port(), agentPort, target.getLocalPort(), closedPort, agentId,
                        apiToken));
                Process prometheus = new ProcessBuilder(PROMETHEUS.toString(),
                        "--config.file=" + tmp.resolve("prometheus.yml"), "--storage.tsdb.path=" + tmp.resolve("tsdb"),
                        "--web.listen-address=127.0.0.1:" + promPort, "--log.level=warn")
                        .redirectErrorStream(true).redirectOutput(Path.of("target", "prometheus-it.log").toFile()).start();
                try {
                    String tags = "{task=\"" + task + "\",agent=\"" + agentId + "\",type=\"tcp\"";
                    // exceptions ignored while Prometheus starts (connection refused)
                    await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
                        assertThat(query(promPort, "vantage_probe_success" + tags + ",job=\"agent\"}")).isEqualTo(1);
                        assertThat(query(promPort, "vantage_probe_success" + tags + ",job=\"server\"}")).isEqualTo(1);
                        assertThat(query(promPort, "vantage_probe_duration_seconds_count" + tags + ",job=\"server\"}"))
                                .isPositive();
                        assertThat(query(promPort, "vantage_probe_phase_duration_seconds_count" + tags
                                + ",phase=\"connect\",job=\"agent\"}")).isPositive();
                        assertThat(query(promPort, "vantage_agent_uplink_connected{job=\"agent\"}")).isEqualTo(1);
                        // the same agent's meters, forwarded in its heartbeats to the server's /metrics
                        assertThat(query(promPort, "vantage_agent_probe_results_total{job=\"server\",agent=\"" + agentId
                                + "\",status=\"SUCCESS\"}")).isPositive();
                        assertThat(query(promPort, "vantage_agent_uplink_connections_total{job=\"server\",agent=\""
                                + agentId + "\"}")).isEqualTo(1);
                        assertThat(query(promPort, "probe_success{job=\"blackbox\",instance=\"127.0.0.1:"
                                + target.getLocalPort() + "\"}")).as(() -> failedScrapes(promPort)).isEqualTo(1);
                        assertThat(query(promPort, "probe_success{job=\"blackbox\",instance=\"127.0.0.1:"
                                + closedPort + "\"}")).isZero();
                        assertThat(query(promPort, "probe_ip_protocol{job=\"blackbox\",instance=\"127.0.0.1:"
                                + target.getLocalPort() + "\"}")).isEqualTo(4);
                        assertThat(query(promPort, "count(up{job=\"blackbox\"} == 1)")).isEqualTo(2);
                        assertThat(query(promPort, "probe_success{job=\"blackbox-server\",instance=\"127.0.0.1:"
                                + target.getLocalPort() + "\"}")).as(() -> failedScrapes(promPort)).isEqualTo(1);
                        assertThat(query(promPort, "probe_success{job=\"blackbox-server\",instance=\"127.0.0.1:"
                                + closedPort + "\"}")).isZero();
                        assertThat(query(promPort, "count(up{job=\"blackbox-server\"} == 1)")).isEqualTo(2);
                    });
                    // deleting the task removes its series from both /metrics
                    assertThat(server.call("DELETE", "/api/v1/tasks/" + task, admin, null).status()).isEqualTo(204);
                    await().atMost(WAIT).untilAsserted(() -> {
                        assertThat(server.get("/metrics", null).body()).doesNotContain(task);
                        assertThat(get("http://127.0.0.1:" + agentPort + "/metrics")).doesNotContain(task);
                    });
                } finally {
                    prometheus.destroy();
                    prometheus.waitFor();
                }
            }
        }
    }

    /** The value of a PromQL instant query that must return exactly one series, or NaN while it returns none. */
    private static double query(int port, String promql) throws Exception {
        JsonNode body = JsonMapping.MAPPER.readTree(get("http://127.0.0.1:" + port + "/api/v1/query?query="
                + URLEncoder.encode(promql, StandardCharsets.UTF_8)));
        JsonNode result = body.path("data").path("result");
        if (result.isEmpty()) {
            return Double.NaN;
        }
        assertThat(result.size()).as(promql + " -> " + result).isEqualTo(1);
        return Double.parseDouble(result.get(0).get("value").get(1).asText());
    }

    /** Why Prometheus' scrapes failed, for an assertion's message. */
    private static String failedScrapes(int port) {
        try {
            return get("http://127.0.0.1:" + port + "/api/v1/targets?state=active");
        } catch (Exception e) {
            return e.toString();
        }
    }

    private static String get(String url) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        return r.body();
    }


    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
