package dev.vantage.server.tls;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.server.TestCsr;
import dev.vantage.server.TestServer;
import dev.vantage.server.json.JsonMapping;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Behind a TLS-terminating proxy (plain HTTP to the server): the {@code X-Client-Cert} header authenticates an agent
 * only when the connection comes from a configured proxy address (127.0.0.2 here); from 127.0.0.1 it is ignored.
 */
class ForwardedCertificateTest {
    private static final String PROXY = "127.0.0.2";
    private TestServer server;
    private String admin;

    @BeforeEach
    void start() {
        server = TestServer.start(Map.of("VANTAGE_TLS_TRUSTED_PROXIES", PROXY, "VANTAGE_AGENT_AUTH", "certificate"));
        admin = server.adminToken();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpClient from(String address) throws Exception {
        return HttpClient.newBuilder().localAddress(InetAddress.getByName(address))
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    private int renew(String address, String certificatePem) throws Exception {
        return from(address).send(HttpRequest.newBuilder(server.uri("/api/v1/agents/certificate"))
                        .header("Content-Type", "application/json")
                        .header("X-Client-Cert", URLEncoder.encode(certificatePem, StandardCharsets.US_ASCII))
                        .POST(HttpRequest.BodyPublishers.ofString(JsonMapping.write(Map.of("csr", TestCsr.create().pem()))))
                        .build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    /**
     * Whether the agent WebSocket, upgraded with the header from {@code address}, stays open (refused before the
     * upgrade: 401 without a credential, 403 for a refused certificate).
     */
    private boolean stays(String address, String certificatePem) throws Exception {
        CompletableFuture<Integer> ended = new CompletableFuture<>();
        WebSocket ws;
        try {
            ws = from(address).newWebSocketBuilder()
                    .header("X-Client-Cert", URLEncoder.encode(certificatePem, StandardCharsets.US_ASCII))
                    .buildAsync(URI.create("ws://127.0.0.1:" + server.app.port() + "/ws/agent"), new WebSocket.Listener() {
                        @Override
                        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                            ended.complete(statusCode);
                            return null;
                        }
                    }).get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(java.net.http.WebSocketHandshakeException.class);
            assertThat(((java.net.http.WebSocketHandshakeException) e.getCause()).getResponse().statusCode()).isIn(401, 403);
            return false;
        }
        try {
            ended.get(2, TimeUnit.SECONDS);
            return false;
        } catch (TimeoutException e) {
            ws.abort();
            return true;
        }
    }

    private double ignored() {
        return server.core.registry().find("vantage.agents.certificates.forwarded.ignored").counter().count();
    }

    @Test
    void theHeaderCountsOnlyFromTheTrustedProxy() throws Exception {
        String token = server.post("/api/v1/agents/enrollment-tokens", admin, "{}").json().get("token").asText();
        JsonNode enrolled = server.post("/api/v1/agents/enroll", null,
                JsonMapping.write(Map.of("token", token, "csr", TestCsr.create().pem()))).json();
        String cert = enrolled.get("certificate").asText();

        assertThat(renew(PROXY, cert)).isEqualTo(200);
        assertThat(stays(PROXY, cert)).isTrue();
        assertThat(ignored()).isZero();

        assertThat(renew("127.0.0.1", cert)).isEqualTo(401);
        assertThat(stays("127.0.0.1", cert)).isFalse();
        assertThat(ignored()).isEqualTo(2);

        // the proxy forwards whatever it was shown: a revoked certificate is refused all the same
        assertThat(server.post("/api/v1/agents/" + enrolled.get("agentId").asText() + "/certificates/revoke", admin, null)
                .status()).isEqualTo(200);
        assertThat(renew(PROXY, cert)).isEqualTo(403);
        assertThat(stays(PROXY, cert)).isFalse();
    }
}
