package dev.vantage.agent.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vantage.agent.ProtocolPeer;
import dev.vantage.agent.TcpTarget;
import dev.vantage.agent.protocol.Message;
import dev.vantage.agent.protocol.Policy;
import dev.vantage.agent.runtime.AgentRuntime;
import dev.vantage.agent.uplink.Backoff;
import dev.vantage.probe.engine.TaskSpec;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's opt-in listener against a real WebSocket peer and a real TCP target on loopback: its own metrics, its
 * results as metrics (gone with their task), and blackbox_exporter's /probe under the server's address policy.
 */
class MetricsListenerTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dataDir;
    private ProtocolPeer peer;
    private TcpTarget target;
    private AgentRuntime agent;

    @BeforeEach
    void start() throws Exception {
        peer = new ProtocolPeer("agent-1", "vac_secret").start();
        target = TcpTarget.start();
    }

    @AfterEach
    void stop() throws Exception {
        if (agent != null) {
            agent.close();
        }
        peer.close();
        target.close();
    }

    private void startAgent() {
        agent = AgentRuntime.builder().server(peer.uri()).credential("agent-1", "vac_secret").dataDir(dataDir)
                .backoff(new Backoff(Duration.ofMillis(50), Duration.ofMillis(400)))
                .metricsListen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).build().start();
    }

    private TaskSpec tcp(String id) {
        return TaskSpec.builder("tcp", target.address()).id(id)
                .interval(Duration.ofMillis(100)).timeout(Duration.ofMillis(100)).build();
    }

    private HttpResponse<String> get(String pathAndQuery) throws Exception {
        InetSocketAddress at = agent.metricsAddress().orElseThrow();
        URI uri = URI.create("http://127.0.0.1:" + at.getPort() + pathAndQuery);
        return HTTP.send(HttpRequest.newBuilder(uri).timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString());
    }

    private String metrics() throws Exception {
        HttpResponse<String> r = get("/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
        return r.body();
    }

    private HttpResponse<String> probe(String module, String target) throws Exception {
        return get("/probe?module=" + module + "&target=" + URLEncoder.encode(target, StandardCharsets.UTF_8));
    }

    @Test
    void metricsShowTheAgentAndItsResultsAndATasksSeriesGoWithIt() throws Exception {
        peer.welcome = peer.welcome(List.of(tcp("t1"), tcp("t2")));
        startAgent();
        await().atMost(WAIT).until(() -> peer.resultsOf("t1") >= 3 && peer.resultsOf("t2") >= 1);
        String series = "{agent=\"agent-1\",task=\"t1\",type=\"tcp\"}";
        await().atMost(WAIT).untilAsserted(() -> assertThat(metrics())
                .contains("vantage_probe_success" + series + " 1.0")
                .contains("vantage_probe_duration_seconds_bucket{agent=\"agent-1\",task=\"t1\",type=\"tcp\",le=\"0.01\"}")
                .contains("vantage_probe_phase_duration_seconds_count{agent=\"agent-1\",phase=\"connect\",task=\"t1\",type=\"tcp\"}")
                .contains("vantage_agent_uplink_connected 1.0"));
        String m = metrics();
        for (String name : List.of("vantage_scheduler_lag_seconds", "vantage_probe_inflight",
                "vantage_probe_results_total{status=\"SUCCESS\",type=\"tcp\"}", "vantage_agent_spool_results",
                "vantage_agent_spool_bytes", "vantage_agent_spool_dropped_total", "vantage_sink_dropped_total",
                "jvm_memory_used_bytes", "system_cpu_usage", "process_cpu_usage", "system_load_average_1m",
                "disk_free_bytes", "disk_total_bytes", "vantage_host_memory_total_bytes",
                "vantage_host_memory_free_bytes")) {
            assertThat(m).as(name).contains(name);
        }
        assertThat(m).contains("disk_free_bytes{path=\"" + dataDir.toAbsolutePath());
        // a histogram's count is the number of results the agent made of that task so far
        assertThat(value(m, "vantage_probe_duration_seconds_count" + series)).isPositive();

        peer.send(new Message.TaskChanges(List.of(), List.of("t1")));
        await().atMost(WAIT).untilAsserted(() -> assertThat(metrics()).doesNotContain("task=\"t1\"")
                .contains("task=\"t2\""));
        // an instant test runs once and leaves no series behind
        peer.send(new Message.InstantTest("inst-1", tcp("inst-1").toBuilder().interval(null).build()));
        await().atMost(WAIT).until(() -> peer.resultsOf("inst-1") == 1);
        // the metrics sink runs beside the spool sink: look once later results went through both
        long t2 = peer.resultsOf("t2");
        await().atMost(WAIT).until(() -> peer.resultsOf("t2") > t2 + 1);
        assertThat(metrics()).doesNotContain("inst-1");
    }

    @Test
    void probeAnswersLikeBlackboxExporterUnderTheServersPolicy() throws Exception {
        startAgent();
        await().atMost(WAIT).until(agent::connected);
        HttpResponse<String> ok = probe("tcp_connect", target.address());
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).contains("probe_success 1\n", "probe_ip_protocol 4\n",
                "probe_ip_addr_hash 3668918509\n", "probe_failed_due_to_regex 0\n")
                .contains("# TYPE probe_duration_seconds gauge");
        assertThat(value(ok.body(), "probe_duration_seconds")).isBetween(0.0, 1.0);

        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        assertThat(probe("tcp_connect", "127.0.0.1:" + closed).body()).contains("probe_success 0\n");

        HttpResponse<String> missing = get("/probe?module=tcp_connect");
        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(missing.body()).startsWith("target: ");
        HttpResponse<String> unknown = probe("nope", "127.0.0.1:1");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.body()).startsWith("module: unknown module \"nope\"").contains("tcp_connect", "http_2xx");
        HttpResponse<String> bad = probe("tcp_connect", "no-port-here");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).startsWith("target: ");

        peer.send(new Message.PolicyUpdate(new Policy(List.of(), List.of("127.0.0.0/8"), List.of())));
        await().atMost(WAIT).untilAsserted(() -> assertThat(probe("tcp_connect", target.address())
                .body()).contains("probe_success 0\n"));
        assertThat(peer.results).as("/probe runs are not results for the server").isEmpty();
    }

    private static double value(String text, String sample) {
        return text.lines().filter(l -> l.startsWith(sample + " ")).mapToDouble(l -> Double.parseDouble(l.substring(sample.length() + 1)))
                .findFirst().orElseThrow(() -> new AssertionError(sample + " not in\n" + text));
    }
}
