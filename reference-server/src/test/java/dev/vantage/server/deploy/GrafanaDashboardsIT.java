package dev.vantage.server.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vantage.agent.runtime.AgentRuntime;
import dev.vantage.server.TestServer;
import dev.vantage.server.backends.Backends;
import dev.vantage.server.json.JsonMapping;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Grafana dashboards of {@code deploy/grafana} that read Prometheus ask only for what Vantage really exposes:
 * every metric their queries name, every label they match on or group by, is in the {@code /metrics} of a running
 * server (on PostgreSQL and RabbitMQ, so the pool and queue meters exist) or of an agent's {@code --metrics-listen},
 * after real probes ran. And every query parses as PromQL ({@code promtool check rules}).
 */
class GrafanaDashboardsIT {
    private static final Path DASHBOARDS = Path.of(System.getProperty("user.dir")).getParent().resolve("deploy/grafana");
    private static final Path PROMTOOL = Path.of("/usr/bin/promtool");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Labels Prometheus adds to every scraped series. */
    private static final Set<String> TARGET_LABELS = Set.of("job", "instance");

    @TempDir
    Path tmp;

    @Test
    void everyQueryNamesOnlyMetricsAndLabelsTheServerAndAgentExpose() throws Exception {
        Map<String, Set<String>> exposed = scrapeRunningServerAndAgent();
        List<Query> queries = prometheusQueries();
        assertThat(queries).as("queries in " + DASHBOARDS).hasSizeGreaterThan(30);
        List<String> problems = new ArrayList<>();
        for (Query q : queries) {
            PromQl.Names names = PromQl.names(q.expr());
            assertThat(names.metrics()).as(q.toString()).isNotEmpty();
            Set<String> labelsOfQuery = new HashSet<>(TARGET_LABELS);
            for (String metric : names.metrics()) {
                if (!exposed.containsKey(metric)) {
                    problems.add(q + ": metric " + metric + " is not exposed");
                    continue;
                }
                labelsOfQuery.addAll(exposed.get(metric));
            }
            names.matched().forEach((metric, labels) -> labels.stream()
                    .filter(l -> !TARGET_LABELS.contains(l) && !exposed.getOrDefault(metric, Set.of()).contains(l))
                    .forEach(l -> problems.add(q + ": " + metric + " has no label " + l)));
            names.grouping().stream().filter(l -> !labelsOfQuery.contains(l))
                    .forEach(l -> problems.add(q + ": grouping by " + l + ", which none of its metrics has"));
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void everyQueryIsValidPromQl() throws Exception {
        assumeTrue(Files.isExecutable(PROMTOOL), "needs promtool (Debian's prometheus package)");
        List<Map<String, String>> rules = new ArrayList<>();
        for (Query q : prometheusQueries()) {
            rules.add(Map.of("record", "dashboard:query:" + rules.size(), "expr", PromQl.concrete(q.expr())));
        }
        Path file = tmp.resolve("dashboards.rules.json"); // JSON is YAML, and needs no quoting care
        Files.writeString(file, JSON.writeValueAsString(Map.of("groups", List.of(Map.of("name", "dashboards", "rules", rules)))));
        Process p = new ProcessBuilder(PROMTOOL.toString(), "check", "rules", file.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("SUCCESS: " + rules.size() + " rules found");
    }

    @Test
    void theParserFindsMetricsLabelsAndGroupings() {
        PromQl.Names n = PromQl.names("histogram_quantile(0.95, sum by (le, task) (rate(vantage_probe_duration_seconds_bucket"
                + "{task=~\"$task\", agent!=\"x,y\"}[$__rate_interval] offset 5m))) / on (task) group_left count(up) or vector(0)");
        assertThat(n.metrics()).containsExactlyInAnyOrder("vantage_probe_duration_seconds_bucket", "up");
        assertThat(n.matched()).containsEntry("vantage_probe_duration_seconds_bucket", Set.of("task", "agent"));
        assertThat(n.grouping()).containsExactlyInAnyOrder("le", "task");
        assertThat(PromQl.names("label_values(vantage_probe_success{task=~\"$task\"}, agent)").metrics())
                .containsExactly("vantage_probe_success");
        assertThat(PromQl.concrete("rate(x{a=~\"$a\"}[$__rate_interval])")).isEqualTo("rate(x{a=~\".*\"}[5m])");
    }

    /** A query of a panel or a variable, named for messages. */
    record Query(String where, String expr) {
        @Override
        public String toString() {
            return where + " '" + expr + "'";
        }
    }

    /** Every Prometheus query of every dashboard that reads Prometheus: panel targets and query variables. */
    static List<Query> prometheusQueries() throws IOException {
        List<Query> out = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> s = Files.list(DASHBOARDS)) {
            files = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        for (Path f : files) {
            JsonNode d = JSON.readTree(f.toFile());
            if (!d.toString().contains("\"prometheus\"")) {
                continue; // the InfluxDB dashboard
            }
            for (JsonNode v : d.path("templating").path("list")) {
                if (v.path("type").asText().equals("query")) {
                    JsonNode q = v.path("query");
                    out.add(new Query(f.getFileName() + " variable " + v.path("name").asText(),
                            q.isObject() ? q.path("query").asText() : q.asText()));
                }
            }
            collectTargets(f.getFileName().toString(), d.path("panels"), out);
        }
        return out;
    }

    private static void collectTargets(String file, JsonNode panels, List<Query> out) {
        for (JsonNode p : panels) {
            for (JsonNode t : p.path("targets")) {
                out.add(new Query(file + " panel '" + p.path("title").asText() + "'", t.path("expr").asText()));
            }
            collectTargets(file, p.path("panels"), out); // panels of a collapsed row
        }
    }

    /**
     * Metric name to its label names, from the server's {@code /metrics} and an agent's listener, once a scheduled
     * task has results on both.
     */
    private Map<String, Set<String>> scrapeRunningServerAndAgent() throws Exception {
        try (Backends backends = Backends.create();
             ServerSocket target = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                while (!target.isClosed()) {
                    try (Socket s = target.accept()) {
                        s.getOutputStream().flush();
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            Map<String, String> env = new HashMap<>(backends.env(true));
            env.put("VANTAGE_AGENT_HEARTBEAT", "1s");
            try (TestServer server = TestServer.start(env)) {
                String admin = server.adminToken();
                JsonNode token = server.post("/api/v1/agents/enrollment-tokens", admin,
                        JsonMapping.write(Map.of("policy", Map.of("allowLoopback", true)))).json();
                JsonNode enrolled = server.post("/api/v1/agents/enroll", null,
                        JsonMapping.write(Map.of("token", token.get("token").asText(), "name", "dashboards"))).json();
                try (AgentRuntime agent = AgentRuntime.builder()
                        .server(URI.create("ws://127.0.0.1:" + server.app.port() + "/ws/agent"))
                        .credential(enrolled.get("agentId").asText(), enrolled.get("credential").asText())
                        .dataDir(tmp.resolve("agent"))
                        .metricsListen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).build().start()) {
                    TestServer.Response created = server.post("/api/v1/tasks", admin, JsonMapping.write(Map.of("type", "tcp",
                            "target", "127.0.0.1:" + target.getLocalPort(), "interval", "1s")));
                    assertThat(created.status()).as(created.body()).isEqualTo(201);
                    String agentMetrics = "http://127.0.0.1:" + agent.metricsAddress().orElseThrow().getPort() + "/metrics";
                    String serverMetrics = server.uri("/metrics").toString();
                    // the GC pause timers exist once a collection was heard of: a young JVM may not have had one yet
                    System.gc();
                    await("results as metrics on both").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300))
                            .until(() -> get(serverMetrics).contains("vantage_probe_phase_duration_seconds_bucket{")
                                    && get(serverMetrics).contains("jvm_gc_pause_seconds_sum")
                                    // the agent's meters, forwarded in its heartbeats
                                    && get(serverMetrics).contains("vantage_agent_probe_results_total{")
                                    && get(agentMetrics).contains("vantage_probe_phase_duration_seconds_bucket{"));
                    Map<String, Set<String>> exposed = new LinkedHashMap<>();
                    parse(get(serverMetrics), exposed);
                    parse(get(agentMetrics), exposed);
                    return exposed;
                }
            }
        }
    }

    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})?\\s");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"(?:[^\"\\\\]|\\\\.)*\"");

    private static void parse(String exposition, Map<String, Set<String>> into) {
        for (String line : exposition.split("\n")) {
            Matcher m = SAMPLE.matcher(line);
            if (line.startsWith("#") || !m.find()) {
                continue;
            }
            Set<String> labels = into.computeIfAbsent(m.group(1), k -> new TreeSet<>());
            if (m.group(3) != null) {
                Matcher l = LABEL.matcher(m.group(3));
                while (l.find()) {
                    labels.add(l.group(1));
                }
            }
        }
    }

    private static String get(String url) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }
}
