package dev.vantage.server.agents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.vantage.server.TestServer;
import dev.vantage.server.json.JsonMapping;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The built-in local agent must not let whoever may run an instant test read the other services on the server's
 * host: loopback is refused until an admin lists ports, only those ports open, and bodies are kept only on request.
 */
class LocalAgentLoopbackTest {
    private static final String SECRET = "the body of another service on this host";

    private HttpServer allowed;
    private HttpServer other;
    private final AtomicInteger allowedHits = new AtomicInteger();
    private final AtomicInteger otherHits = new AtomicInteger();
    private Path dir;

    @BeforeEach
    void services() throws IOException {
        allowed = service(allowedHits);
        other = service(otherHits);
        dir = Files.createTempDirectory("vantage-local-loopback");
    }

    @AfterEach
    void stop() {
        allowed.stop(0);
        other.stop(0);
        TestServer.deleteTree(dir);
    }

    private static HttpServer service(AtomicInteger hits) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        s.createContext("/", exchange -> {
            hits.incrementAndGet();
            byte[] body = SECRET.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("X-Internal", "yes");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        s.start();
        return s;
    }

    private static String url(HttpServer s) {
        return "http://127.0.0.1:" + s.getAddress().getPort() + "/";
    }

    @Test
    void loopbackIsRefusedByDefaultAndOpensOnlyOnTheListedPortsWithoutBodies() {
        try (TestServer s = TestServer.startIn(dir, Map.of("VANTAGE_LOCAL_AGENT", "true"))) {
            String operator = s.adminToken();
            JsonNode refused = instant(s, operator, url(allowed), Map.of());
            assertThat(refused.get("status").asText()).as(refused.toString()).isEqualTo("ERROR");
            assertThat(refused.get("error").get("kind").asText()).isEqualTo("POLICY");
            assertThat(allowedHits).hasValue(0);
            JsonNode policy = s.get("/api/v1/agents", operator).json().get(0).get("policy");
            assertThat(policy.get("allowLoopback").asBoolean()).isFalse();
        }
        // an admin opens one port; a restart on the same data directory applies it to the same agent
        String port = Integer.toString(allowed.getAddress().getPort());
        try (TestServer s = TestServer.startIn(dir, Map.of("VANTAGE_LOCAL_AGENT", "true",
                "VANTAGE_LOCAL_AGENT_LOOPBACK_PORTS", port))) {
            String operator = s.adminToken();
            JsonNode ok = instant(s, operator, url(allowed), Map.of());
            assertThat(ok.get("status").asText()).as(ok.toString()).isEqualTo("SUCCESS");
            assertThat(ok.get("attributes").has("body")).as("no body unless asked for").isFalse();
            assertThat(ok.get("measurements").get("bodyBytes").asInt()).isEqualTo(SECRET.length());

            JsonNode kept = instant(s, operator, url(allowed), Map.of("keepBody", true, "maxBodyBytes", 10));
            assertThat(kept.get("attributes").get("body").asText()).isEqualTo(SECRET.substring(0, 10));

            JsonNode otherPort = instant(s, operator, url(other), Map.of());
            assertThat(otherPort.get("error").get("kind").asText()).as(otherPort.toString()).isEqualTo("POLICY");
            assertThat(otherHits).hasValue(0);
            JsonNode ping = instant(s, operator, "127.0.0.1", Map.of(), "icmp");
            assertThat(ping.get("error").get("kind").asText()).as("port 0 is not listed").isEqualTo("POLICY");
        }
    }

    private static JsonNode instant(TestServer s, String token, String target, Map<String, Object> params) {
        return instant(s, token, target, params, "http");
    }

    /** Runs an instant test on the local agent and returns its one result. */
    private static JsonNode instant(TestServer s, String token, String target, Map<String, Object> params, String type) {
        await().atMost(Duration.ofSeconds(30)).until(() -> s.get("/api/v1/agents", token).json().findValues("online")
                .stream().anyMatch(JsonNode::asBoolean));
        Map<String, Object> body = new HashMap<>(Map.of("type", type, "target", target,
                "selector", Map.of("labels", Map.of("region", "local"))));
        if (!params.isEmpty()) {
            body.put("params", params);
        }
        TestServer.Response created = s.post("/api/v1/instant-tests", token, JsonMapping.write(body));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String path = "/api/v1/instant-tests/" + created.json().get("id").asText();
        JsonNode done = await().atMost(Duration.ofSeconds(20)).until(() -> s.get(path, token).json(),
                t -> t.get("complete").asBoolean());
        return done.get("agents").get(0).get("result");
    }
}
