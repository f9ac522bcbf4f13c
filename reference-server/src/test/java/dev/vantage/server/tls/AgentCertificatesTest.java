package dev.vantage.server.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.agent.runtime.AgentRuntime;
import dev.vantage.agent.uplink.ServerTrust;
import dev.vantage.server.TestCsr;
import dev.vantage.server.TestServer;
import dev.vantage.server.json.JsonMapping;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Agents' client certificates (mTLS) over real handshakes on loopback: issued at enrollment from a CSR, accepted
 * without a bearer, and every bad one refused (counted at the server, no connection accepted).
 */
class AgentCertificatesTest {
    @TempDir
    Path dir;
    private TestCertificates certs;
    private SSLContext trustOnly;
    private TestServer server;
    private String admin;
    private X509Certificate serverCa;

    @BeforeEach
    void start() throws Exception {
        certs = new TestCertificates();
        Path cert = dir.resolve("server.crt");
        Path key = dir.resolve("server.key");
        Path caFile = dir.resolve("ca.pem");
        TestCertificates.Issued issued = certs.server("server");
        TestCertificates.writeCertificate(cert, issued.certificate(), certs.ca());
        TestCertificates.writeKey(key, issued.keys());
        TestCertificates.writeCertificate(caFile, certs.ca());
        serverCa = certs.ca();
        trustOnly = ServerTrust.fromCaFile(caFile);
        Map<String, String> env = new HashMap<>(Map.of("VANTAGE_TLS_CERT", cert.toString(),
                "VANTAGE_TLS_KEY", key.toString(), "VANTAGE_AGENT_AUTH", "certificate",
                "VANTAGE_AGENT_CERT_LIFETIME", "1h"));
        server = TestServer.start(env).trusting(trustOnly);
        admin = server.adminToken();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static TestCsr csr() {
        return TestCsr.create();
    }

    private JsonNode enroll(TestCsr csr) {
        TestServer.Response t = server.post("/api/v1/agents/enrollment-tokens", admin, "{}");
        assertThat(t.status()).as(t.body()).isEqualTo(201);
        TestServer.Response r = server.post("/api/v1/agents/enroll", null, JsonMapping.write(
                Map.of("token", t.json().get("token").asText(), "name", "mtls", "csr", csr.pem())));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json();
    }

    private static X509Certificate parse(String pem) throws Exception {
        return MtlsClient.parse(pem);
    }

    private SSLContext client(KeyPair keys, X509Certificate cert) throws Exception {
        return MtlsClient.context(keys, cert, serverCa);
    }

    private URI agentUri() {
        return URI.create("wss://127.0.0.1:" + server.app.port() + "/ws/agent");
    }

    private double refused(String reason) {
        var c = server.core.registry().find("vantage.agents.certificates.refused").tag("reason", reason).counter();
        return c == null ? 0 : c.count();
    }

    private String attempt(SSLContext tls, String bearer) throws Exception {
        return MtlsClient.attempt(tls, agentUri(), bearer);
    }

    private boolean online(String agentId) {
        return server.get("/api/v1/agents/" + agentId, admin).json().get("online").asBoolean();
    }

    @Test
    void enrolledAgentConnectsWithItsCertificateAlone() throws Exception {
        TestCsr csr = csr();
        JsonNode enrolled = enroll(csr);
        String agentId = enrolled.get("agentId").asText();
        X509Certificate cert = parse(enrolled.get("certificate").asText());
        assertThat(cert.getSubjectX500Principal().getName()).contains("CN=" + agentId);
        assertThat(cert.getSubjectAlternativeNames()).anySatisfy(n -> assertThat(n.get(1)).isEqualTo("urn:vantage:agent:" + agentId));
        assertThat(Duration.between(Instant.now(), cert.getNotAfter().toInstant())).isBetween(Duration.ofMinutes(55), Duration.ofHours(1));
        assertThat(parse(enrolled.get("caCertificate").asText()).getPublicKey()).isNotNull();

        // a real agent whose bearer is wrong: in "certificate" mode only its certificate can have let it in
        try (AgentRuntime agent = AgentRuntime.builder().server(agentUri()).credential(agentId, "not-the-credential")
                .dataDir(dir.resolve("agent")).tls(client(csr.keys(), cert)).build().start()) {
            await().atMost(Duration.ofSeconds(20)).until(() -> online(agentId));
        }
    }

    @Test
    void badCertificatesAreRefusedAndCounted() throws Exception {
        TestCsr csr = csr();
        JsonNode enrolled = enroll(csr);
        String agentId = enrolled.get("agentId").asText();
        X509Certificate cert = parse(enrolled.get("certificate").asText());
        // the server's own CA in this test is not the agents' CA: a certificate it signs comes from a wrong CA
        TestCertificates.Issued wrongCa = certs.client(agentId, Instant.now().minusSeconds(60), Instant.now().plusSeconds(3600));
        TestCertificates.Issued selfSigned = TestCertificates.selfSigned(agentId);

        assertThat(attempt(client(wrongCa.keys(), wrongCa.certificate()), null)).isEqualTo("handshake");
        assertThat(attempt(client(selfSigned.keys(), selfSigned.certificate()), null)).isEqualTo("handshake");
        assertThat(refused("untrusted")).isPositive();
        // no certificate and no bearer: 401 before the upgrade, not an accepted WebSocket closed at once
        assertThat(attempt(trustOnly, null)).isEqualTo("refused 401");
        assertThat(online(agentId)).isFalse();

        // the good one stays open, until its certificates are revoked
        assertThat(attempt(client(csr.keys(), cert), null)).isEqualTo("open");
        TestServer.Response revoked = server.post("/api/v1/agents/" + agentId + "/certificates/revoke", admin, null);
        assertThat(revoked.status()).as(revoked.body()).isEqualTo(200);
        assertThat(revoked.json().get("revoked").asInt()).isEqualTo(1);
        assertThat(attempt(client(csr.keys(), cert), null)).isEqualTo("handshake");
        assertThat(refused("revoked")).isGreaterThanOrEqualTo(1);
        assertThat(online(agentId)).isFalse();
    }

    @Test
    void expiredAndDeletedAgentsCertificatesAreRefused() throws Exception {
        // a CA given to the server as files: the test can then sign a certificate that has expired
        server.close();
        Path caCert = dir.resolve("agent-ca.crt");
        Path caKey = dir.resolve("agent-ca.key");
        TestCertificates.writeCertificate(caCert, certs.ca());
        certs.writeCaKey(caKey);
        server = TestServer.start(Map.of("VANTAGE_TLS_CERT", dir.resolve("server.crt").toString(),
                "VANTAGE_TLS_KEY", dir.resolve("server.key").toString(), "VANTAGE_AGENT_CA_CERT", caCert.toString(),
                "VANTAGE_AGENT_CA_KEY", caKey.toString())).trusting(trustOnly);
        admin = server.adminToken();
        TestCsr csr = csr();
        JsonNode enrolled = enroll(csr);
        String agentId = enrolled.get("agentId").asText();
        X509Certificate cert = parse(enrolled.get("certificate").asText());
        assertThat(cert.getIssuerX500Principal()).isEqualTo(certs.ca().getSubjectX500Principal());
        TestCertificates.Issued expired = certs.client(agentId, Instant.now().minusSeconds(7200), Instant.now().minusSeconds(60));
        assertThat(attempt(client(expired.keys(), expired.certificate()), null)).isEqualTo("handshake");
        assertThat(refused("expired")).isPositive();
        assertThat(attempt(client(csr.keys(), cert), null)).isEqualTo("open");
        assertThat(server.call("DELETE", "/api/v1/agents/" + agentId, admin, null).status()).isEqualTo(204);
        assertThat(attempt(client(csr.keys(), cert), null)).isEqualTo("handshake");
        assertThat(refused("revoked")).isPositive();
    }

    @Test
    void anotherAgentsCertificateDoesNotPassForItsOwn() throws Exception {
        // in certificate-or-bearer mode a bearer may come with a certificate; they must name the same agent
        server.close();
        Path cert = dir.resolve("server.crt");
        server = TestServer.start(Map.of("VANTAGE_TLS_CERT", cert.toString(),
                "VANTAGE_TLS_KEY", dir.resolve("server.key").toString())).trusting(trustOnly);
        admin = server.adminToken();
        TestCsr csrA = csr();
        JsonNode a = enroll(csrA);
        JsonNode b = enroll(csr());
        SSLContext asA = client(csrA.keys(), parse(a.get("certificate").asText()));
        String bearerB = b.get("agentId").asText() + "." + b.get("credential").asText();
        assertThat(attempt(asA, bearerB)).isEqualTo("refused 401");
        assertThat(refused("other_agent")).isEqualTo(1);
        assertThat(online(b.get("agentId").asText())).isFalse();
        assertThat(online(a.get("agentId").asText())).isFalse();
        // renewing B's certificate with A's is refused just the same
        HttpResponse<String> renew = HttpClient.newBuilder().sslContext(asA).build().send(HttpRequest.newBuilder(
                        server.uri("/api/v1/agents/certificate")).header("Authorization", "Bearer " + bearerB)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JsonMapping.write(Map.of("csr", csr().pem())))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(renew.statusCode()).isEqualTo(401);
        // A renews its own: a new certificate for A
        HttpResponse<String> own = HttpClient.newBuilder().sslContext(asA).build().send(HttpRequest.newBuilder(
                        server.uri("/api/v1/agents/certificate")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JsonMapping.write(Map.of("csr", csr().pem())))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(own.statusCode()).as(own.body()).isEqualTo(200);
        assertThat(JsonMapping.MAPPER.readTree(own.body()).get("agentId").asText()).isEqualTo(a.get("agentId").asText());
        // and a forwarded certificate header from an address that is no trusted proxy is ignored
        HttpResponse<String> forwarded = HttpClient.newBuilder().sslContext(trustOnly).build().send(HttpRequest.newBuilder(
                        server.uri("/api/v1/agents/certificate")).header("Content-Type", "application/json")
                .header("X-Client-Cert", URLEncoder.encode(a.get("certificate").asText(), StandardCharsets.US_ASCII))
                .POST(HttpRequest.BodyPublishers.ofString(JsonMapping.write(Map.of("csr", csr().pem())))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(forwarded.statusCode()).isEqualTo(401);
        assertThat(server.core.registry().find("vantage.agents.certificates.forwarded.ignored").counter().count())
                .isEqualTo(1);
    }

    /** A plain HTTP GET of {@code path} with this TLS context and, if not null, a bearer. */
    private HttpResponse<String> get(SSLContext tls, String path, String bearer) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.uri(path));
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        return HttpClient.newBuilder().sslContext(tls).build().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theCertificateIsTheCredentialOnEveryAgentRouteAndABearerIsRefusedInCertificateMode() throws Exception {
        TestCsr csr = csr();
        JsonNode enrolled = enroll(csr);
        SSLContext asAgent = client(csr.keys(), parse(enrolled.get("certificate").asText()));
        String bearer = enrolled.get("agentId").asText() + "." + enrolled.get("credential").asText();
        // plain GET of the WebSocket's path: authenticated (400: WebSocket only), not 401
        assertThat(get(asAgent, "/ws/agent", null).statusCode()).isEqualTo(400);
        assertThat(get(trustOnly, "/ws/agent", null).statusCode()).isEqualTo(401);
        // release downloads: authenticated, so an unknown release is 404; without the certificate 401
        assertThat(get(asAgent, "/ws/agent/releases/9.9.9", null).statusCode()).isEqualTo(404);
        assertThat(get(trustOnly, "/ws/agent/releases/9.9.9", null).statusCode()).isEqualTo(401);
        // vantage.agents.auth=certificate: the bearer is no credential anywhere
        assertThat(get(trustOnly, "/ws/agent", bearer).statusCode()).isEqualTo(401);
        assertThat(get(trustOnly, "/ws/agent/releases/9.9.9", bearer).statusCode()).isEqualTo(401);
        assertThat(attempt(trustOnly, bearer)).isEqualTo("refused 401");
        assertThat(attempt(asAgent, null)).isEqualTo("open");
    }

    /** An upgrade without any credential is answered 401 with a problem body, on plain HTTP, before the switch. */
    @Test
    void anUpgradeWithoutCredentialGets401WithAProblemBody() throws Exception {
        try (javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) trustOnly.getSocketFactory()
                .createSocket("127.0.0.1", server.app.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(("GET /ws/agent HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            var in = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            StringBuilder head = new StringBuilder();
            for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                head.append(line).append('\n');
            }
            String answer = head.toString();
            assertThat(answer).startsWith("HTTP/1.1 401").containsIgnoringCase("content-type: application/problem+json");
        } catch (java.net.SocketTimeoutException e) {
            throw new AssertionError("no answer: the upgrade was accepted and left open", e);
        }
    }

    @Test
    void clientCertificatesAreStillCheckedAfterTheServerCertificateIsReloaded() throws Exception {
        server.close();
        Path cert = dir.resolve("server.crt");
        Path key = dir.resolve("server.key");
        server = TestServer.start(Map.of("VANTAGE_TLS_CERT", cert.toString(), "VANTAGE_TLS_KEY", key.toString(),
                "VANTAGE_AGENT_AUTH", "certificate", "VANTAGE_TLS_RELOAD_INTERVAL", "100ms")).trusting(trustOnly);
        admin = server.adminToken();
        TestCsr csr = csr();
        JsonNode enrolled = enroll(csr);
        SSLContext good = client(csr.keys(), parse(enrolled.get("certificate").asText()));
        TestCertificates.Issued second = certs.server("second");
        TestCertificates.writeKey(key, second.keys());
        TestCertificates.writeCertificate(cert, second.certificate(), certs.ca());
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            try (javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) trustOnly.getSocketFactory()
                    .createSocket("127.0.0.1", server.app.port())) {
                s.startHandshake();
                return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName()
                        .equals("CN=second");
            }
        });
        assertThat(attempt(good, null)).isEqualTo("open");
        TestCertificates.Issued selfSigned = TestCertificates.selfSigned(enrolled.get("agentId").asText());
        assertThat(attempt(client(selfSigned.keys(), selfSigned.certificate()), null)).isEqualTo("handshake");
    }
}
