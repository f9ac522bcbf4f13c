package dev.vantage.server.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vantage.agent.runtime.AgentCredential;
import dev.vantage.agent.runtime.AgentRuntime;
import dev.vantage.agent.runtime.Enrollment;
import dev.vantage.agent.uplink.ClientCertificate;
import dev.vantage.agent.uplink.ServerTrust;
import dev.vantage.server.TestServer;
import java.math.BigInteger;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real agent with a client certificate only (the server refuses bearers): it enrolls with a CSR, renews its
 * short-lived certificate by itself at two thirds of its lifetime, and after the first one has expired still
 * connects, also after a restart that reads the renewed certificate from its data directory.
 */
class AgentCertificateRenewalTest {
    @TempDir
    Path dir;

    private Path caFile;

    private TestServer server(String auth, String lifetime) throws Exception {
        TestCertificates certs = new TestCertificates();
        Path cert = dir.resolve("server.crt");
        Path key = dir.resolve("server.key");
        caFile = dir.resolve("ca.pem");
        TestCertificates.Issued issued = certs.server("server");
        TestCertificates.writeCertificate(cert, issued.certificate(), certs.ca());
        TestCertificates.writeKey(key, issued.keys());
        TestCertificates.writeCertificate(caFile, certs.ca());
        return TestServer.start(Map.of("VANTAGE_TLS_CERT", cert.toString(), "VANTAGE_TLS_KEY", key.toString(),
                "VANTAGE_AGENT_AUTH", auth, "VANTAGE_AGENT_CERT_LIFETIME", lifetime)).trusting(ServerTrust.fromCaFile(caFile));
    }

    @Test
    void aRevokedAgentComesBackWithItsBearerOnceItsCertificateHasExpired() throws Exception {
        try (TestServer server = server("certificate-or-bearer", "4s")) {
            String admin = server.adminToken();
            String token = server.post("/api/v1/agents/enrollment-tokens", admin, "{}").json().get("token").asText();
            URI uri = URI.create("wss://127.0.0.1:" + server.app.port() + "/ws/agent");
            Path data = dir.resolve("agent");
            AgentCredential.createOwnerOnlyDirectories(data);
            ClientCertificate mine = ClientCertificate.open(data);
            SSLContext tls = ServerTrust.withClientCertificate(caFile, mine);
            AgentCredential credential = Enrollment.enroll(uri, token, "revoked", Map.of(), tls, mine);
            X509Certificate first = mine.certificate().orElseThrow();
            server.post("/api/v1/agents/" + credential.agentId() + "/certificates/revoke", admin, null);
            try (AgentRuntime agent = AgentRuntime.builder().server(uri).credential(credential).dataDir(data)
                    .tls(tls).clientCertificate(mine).build().start()) {
                await().atMost(Duration.ofSeconds(30)).until(() ->
                        server.get("/api/v1/agents/" + credential.agentId(), admin).json().get("online").asBoolean()
                        && mine.certificate().orElseThrow().getNotAfter().after(first.getNotAfter()));
            }
        }
    }

    @Test
    void renewsUnattendedAcrossExpiry() throws Exception {
        try (TestServer server = server("certificate", "6s")) {
            String admin = server.adminToken();
            String token = server.post("/api/v1/agents/enrollment-tokens", admin, "{}").json().get("token").asText();
            URI uri = URI.create("wss://127.0.0.1:" + server.app.port() + "/ws/agent");
            Path data = dir.resolve("agent");
            AgentCredential.createOwnerOnlyDirectories(data);
            ClientCertificate mine = ClientCertificate.open(data);
            SSLContext tls = ServerTrust.withClientCertificate(caFile, mine);
            AgentCredential credential = Enrollment.enroll(uri, token, "renewing", Map.of(), tls, mine);
            assertThat(Files.getPosixFilePermissions(data.resolve(ClientCertificate.KEY_FILE)))
                    .isEqualTo(PosixFilePermissions.fromString("rw-------"));
            X509Certificate first = mine.certificate().orElseThrow();
            BigInteger firstSerial = first.getSerialNumber();
            String online = "/api/v1/agents/" + credential.agentId();

            try (AgentRuntime agent = AgentRuntime.builder().server(uri).credential(credential).dataDir(data)
                    .tls(tls).clientCertificate(mine).build().start()) {
                await().atMost(Duration.ofSeconds(20)).until(() -> server.get(online, admin).json().get("online").asBoolean());
                // renewed at two thirds of six seconds, without anyone asking
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> !mine.certificate().orElseThrow().getSerialNumber().equals(firstSerial));
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> Instant.now().isAfter(first.getNotAfter().toInstant()));
            // a new process: the renewed certificate comes from the data directory (renewed again meanwhile if due)
            ClientCertificate reopened = ClientCertificate.open(data);
            assertThat(reopened.certificate()).isPresent();
            SSLContext again = ServerTrust.withClientCertificate(caFile, reopened);
            try (AgentRuntime agent = AgentRuntime.builder().server(uri).credential(credential).dataDir(data)
                    .tls(again).clientCertificate(reopened).build().start()) {
                await().atMost(Duration.ofSeconds(30)).until(() -> server.get(online, admin).json().get("online").asBoolean()
                        && reopened.certificate().orElseThrow().getNotAfter().toInstant().isAfter(first.getNotAfter().toInstant()));
            }
        }
    }
}
