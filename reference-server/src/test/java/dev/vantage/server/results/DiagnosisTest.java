package dev.vantage.server.results;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.server.TestServer;
import dev.vantage.server.json.JsonMapping;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Automatic diagnosis end to end: a task with {@code "diagnose": {"onFailure": true}} whose target refuses, run by
 * the built-in local agent; the stored failing result carries a traceroute and, for a host name, a DNS lookup asked
 * of a resolver this test runs on loopback (never the system's). The rate limit allows one diagnosis per task.
 */
class DiagnosisTest {
    private static LoopbackResolver resolver;
    private static TestServer server;
    private static String token;
    private static String agentId;
    /** A loopback port nobody listens on: connections to it are refused. */
    private static int closedPort;

    @BeforeAll
    static void start() throws IOException {
        resolver = new LoopbackResolver();
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        server = TestServer.start(Map.of("VANTAGE_LOCAL_AGENT", "true",
                // the refusing target, traces without a port, and the test's resolver
                "VANTAGE_LOCAL_AGENT_LOOPBACK_PORTS", "0," + closedPort + "," + resolver.port(),
                "VANTAGE_LOCAL_AGENT_DIAGNOSIS_RESOLVER", "127.0.0.1:" + resolver.port(),
                "VANTAGE_LOCAL_AGENT_DIAGNOSIS_EVERY", "1h"));
        token = server.adminToken();
        await().atMost(Duration.ofSeconds(30)).until(() -> server.get("/api/v1/agents", token).json().findValues("online")
                .stream().anyMatch(JsonNode::asBoolean));
        agentId = server.get("/api/v1/agents", token).json().get(0).get("id").asText();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (resolver != null) {
            resolver.close();
        }
    }

    @Test
    void aFailingTaskByNameIsTracedAndLookedUpOncePerPeriod() {
        createTask("diag-name", "localhost:" + closedPort, true);
        List<JsonNode> results = awaitResults("diag-name", 4);

        assertThat(results).allMatch(r -> r.get("status").asText().equals("FAILURE"));
        assertThat(results).allMatch(r -> r.get("agentId").asText().equals(agentId));
        List<JsonNode> diagnosed = results.stream().filter(r -> r.has("followUps")).toList();
        assertThat(diagnosed).as("one diagnosis per task per period (1h here)").hasSize(1);
        JsonNode followUps = diagnosed.get(0).get("followUps");
        assertThat(followUps).hasSize(2);

        JsonNode trace = followUps.get(0);
        assertThat(trace.get("type").asText()).isEqualTo("traceroute");
        assertThat(trace.get("taskId").asText()).isEqualTo("diag-name");
        JsonNode hops = JsonMapping.parseStored(trace.get("attributes").get("hops").asText());
        assertThat(hops).as("loopback is one hop away").hasSize(1);
        assertThat(hops.get(0).get("destination").asBoolean()).isTrue();
        assertThat(hops.get(0).get("address").asText()).isIn("127.0.0.1", "::1");
        assertThat(trace.get("attributes").get("traceMode").asText()).as("root: a TCP SYN trace to the service's port")
                .isEqualTo("tcp");

        JsonNode dns = followUps.get(1);
        assertThat(dns.get("type").asText()).isEqualTo("dns");
        assertThat(dns.get("status").asText()).isEqualTo("SUCCESS");
        assertThat(dns.get("attributes").get("remoteAddress").asText()).isEqualTo("127.0.0.1");
        assertThat(JsonMapping.parseStored(dns.get("attributes").get("answers").asText()).get(0).asText())
                .isEqualTo(LoopbackResolver.ANSWER);
        assertThat(resolver.queries("localhost.")).as("the loopback resolver was asked once").isEqualTo(1);

        JsonNode task = server.get("/api/v1/tasks/diag-name", token).json();
        assertThat(task.get("diagnose").get("onFailure").asBoolean()).isTrue();
    }

    @Test
    void anAddressIsTracedWithoutALookup() {
        createTask("diag-literal", "127.0.0.1:" + closedPort, true);
        List<JsonNode> results = awaitResults("diag-literal", 2);
        JsonNode followUps = results.stream().filter(r -> r.has("followUps")).findFirst().orElseThrow().get("followUps");
        assertThat(followUps).hasSize(1);
        assertThat(followUps.get(0).get("type").asText()).isEqualTo("traceroute");
        assertThat(resolver.queries("127.0.0.1.")).isZero();
    }

    @Test
    void withoutTheOptionNothingIsDiagnosed() {
        createTask("diag-off", "127.0.0.2:" + closedPort, false);
        List<JsonNode> results = awaitResults("diag-off", 2);
        assertThat(results).noneMatch(r -> r.has("followUps"));
        assertThat(server.get("/api/v1/tasks/diag-off", token).json().has("diagnose")).isFalse();
    }

    @Test
    void aMalformedOptionIsRefusedNamingTheField() {
        TestServer.Response r = server.post("/api/v1/tasks", token, JsonMapping.write(Map.of("type", "tcp",
                "target", "127.0.0.1:" + closedPort, "interval", "1s", "diagnose", Map.of("onFailure", "yes"))));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body()).contains("diagnose.onFailure");
    }

    private static void createTask(String id, String target, boolean diagnose) {
        Map<String, Object> task = new java.util.LinkedHashMap<>(Map.of("id", id, "type", "tcp", "target", target,
                "interval", "1s", "timeout", "1s", "selector", Map.of("agent", agentId)));
        if (diagnose) {
            task.put("diagnose", Map.of("onFailure", true));
        }
        TestServer.Response r = server.post("/api/v1/tasks", token, JsonMapping.write(task));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
    }

    /** Waits until {@code count} results are stored, the diagnosed one among them (it is delivered late). */
    private static List<JsonNode> awaitResults(String taskId, int count) {
        String path = "/api/v1/tasks/" + taskId + "/results?limit=100";
        await().atMost(Duration.ofSeconds(40)).until(() -> {
            JsonNode items = server.get(path, token).json().get("items");
            boolean diagnosedIn = false;
            for (JsonNode r : items) {
                diagnosedIn |= r.has("followUps");
            }
            return items.size() >= count && (diagnosedIn || !taskId.equals("diag-name") && !taskId.equals("diag-literal"));
        });
        List<JsonNode> out = new ArrayList<>();
        server.get(path, token).json().get("items").forEach(out::add);
        return out;
    }

    /** A resolver on 127.0.0.1 answering every A question with {@link #ANSWER}, counting questions by name. */
    static final class LoopbackResolver implements AutoCloseable {
        static final String ANSWER = "127.0.0.9";
        private final DatagramSocket socket;
        private final Map<String, AtomicInteger> asked = new java.util.concurrent.ConcurrentHashMap<>();

        LoopbackResolver() throws IOException {
            socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Thread.ofVirtual().name("loopback-resolver").start(this::serve);
        }

        int port() {
            return socket.getLocalPort();
        }

        int queries(String name) {
            AtomicInteger n = asked.get(name);
            return n == null ? 0 : n.get();
        }

        private void serve() {
            byte[] buf = new byte[1500];
            while (!socket.isClosed()) {
                try {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    socket.receive(p);
                    Message q = new Message(java.util.Arrays.copyOf(p.getData(), p.getLength()));
                    asked.computeIfAbsent(q.getQuestion().getName().toString(), k -> new AtomicInteger()).incrementAndGet();
                    Message a = new Message(q.getHeader().getID());
                    a.getHeader().setFlag(Flags.QR);
                    a.getHeader().setFlag(Flags.RD);
                    a.getHeader().setFlag(Flags.RA);
                    a.addRecord(q.getQuestion(), Section.QUESTION);
                    if (q.getQuestion().getType() == Type.A) {
                        a.addRecord(new ARecord(q.getQuestion().getName(), DClass.IN, 60,
                                InetAddress.getByName(ANSWER)), Section.ANSWER);
                    }
                    byte[] out = a.toWire();
                    socket.send(new DatagramPacket(out, out.length, p.getSocketAddress()));
                } catch (IOException e) {
                    if (socket.isClosed()) {
                        return;
                    }
                }
            }
        }

        @Override
        public void close() {
            socket.close();
        }
    }
}
