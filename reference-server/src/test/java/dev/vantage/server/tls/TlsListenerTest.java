package dev.vantage.server.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.agent.runtime.AgentRuntime;
import dev.vantage.agent.uplink.ServerTrust;
import dev.vantage.server.TestServer;
import dev.vantage.server.config.ConfigException;
import dev.vantage.server.config.ServerConfig;
import dev.vantage.server.json.JsonMapping;
import java.net.URI;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server's own HTTPS/WSS listener: real handshakes on loopback with a CA and certificates made here. */
class TlsListenerTest {
    @TempDir
    Path dir;
    private TestCertificates certs;
    private Path cert;
    private Path key;
    private Path caFile;

    @BeforeEach
    void certificates() throws Exception {
        certs = new TestCertificates();
        cert = dir.resolve("server.crt");
        key = dir.resolve("server.key");
        caFile = dir.resolve("ca.pem");
        TestCertificates.Issued first = certs.server("first");
        TestCertificates.writeCertificate(cert, first.certificate(), certs.ca());
        TestCertificates.writeKey(key, first.keys());
        TestCertificates.writeCertificate(caFile, certs.ca());
    }

    private TestServer start(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(Map.of("VANTAGE_TLS_CERT", cert.toString(),
                "VANTAGE_TLS_KEY", key.toString(), "VANTAGE_TLS_RELOAD_INTERVAL", "100ms"));
        env.putAll(extra);
        return TestServer.start(env).trusting(ServerTrust.fromCaFile(caFile));
    }

    /** A fresh handshake offering only {@code protocol}; fresh context, so no session is resumed. */
    private SSLSession handshake(int port, String protocol) throws Exception {
        SSLContext client = ServerTrust.fromCaFile(caFile);
        try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            s.setEnabledProtocols(new String[] {protocol});
            s.startHandshake();
            return s.getSession();
        }
    }

    @Test
    void tls13OnlyByDefaultWithHsts() throws Exception {
        try (TestServer server = start(Map.of())) {
            TestServer.Response health = server.get("/health", null);
            assertThat(health.status()).isEqualTo(200);
            assertThat(health.headers().firstValue("strict-transport-security")).hasValue("max-age=31536000");
            assertThat(handshake(server.app.port(), "TLSv1.3").getProtocol()).isEqualTo("TLSv1.3");
            assertThatThrownBy(() -> handshake(server.app.port(), "TLSv1.2")).isInstanceOf(SSLException.class);
        }
    }

    @Test
    void tls12OnlyWhenAllowed() throws Exception {
        try (TestServer server = start(Map.of("VANTAGE_TLS_ALLOW_TLS12", "true"))) {
            assertThat(handshake(server.app.port(), "TLSv1.2").getProtocol()).isEqualTo("TLSv1.2");
            assertThat(handshake(server.app.port(), "TLSv1.3").getProtocol()).isEqualTo("TLSv1.3");
        }
    }

    @Test
    void plainHttpHasNoHsts() {
        try (TestServer server = TestServer.start()) {
            assertThat(server.get("/health", null).headers().firstValue("strict-transport-security")).isEmpty();
        }
    }

    @Test
    void aNewCertificateIsServedWithoutDroppingTheAgentsWebSocket() throws Exception {
        try (TestServer server = start(Map.of())) {
            String admin = server.adminToken();
            TestServer.Response token = server.post("/api/v1/agents/enrollment-tokens", admin, "{}");
            assertThat(token.status()).as(token.body()).isEqualTo(201);
            TestServer.Response enrolled = server.post("/api/v1/agents/enroll", null, JsonMapping.write(
                    Map.of("token", token.json().get("token").asText(), "name", "tls-agent")));
            assertThat(enrolled.status()).as(enrolled.body()).isEqualTo(201);
            JsonNode e = enrolled.json();
            try (AgentRuntime agent = AgentRuntime.builder()
                    .server(URI.create("wss://127.0.0.1:" + server.app.port() + "/ws/agent"))
                    .tls(ServerTrust.fromCaFile(caFile))
                    .credential(e.get("agentId").asText(), e.get("credential").asText())
                    .dataDir(dir.resolve("agent")).build().start()) {
                await().atMost(Duration.ofSeconds(10)).until(agent::connected);

                // a renewal that writes the key first: for a moment the pair does not match, and is not taken
                TestCertificates.Issued second = certs.server("second");
                TestCertificates.writeKey(key, second.keys());
                TestCertificates.writeCertificate(cert, second.certificate(), certs.ca());

                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                        ((X509Certificate) handshake(server.app.port(), "TLSv1.3").getPeerCertificates()[0])
                                .getSubjectX500Principal().getName()).isEqualTo("CN=second"));
                assertThat(agent.connected()).isTrue();
                assertThat(agent.connectionAttempts()).as("the agent never reconnected").isEqualTo(1);
                assertThat(server.get("/api/v1/agents/" + e.get("agentId").asText(), admin).json()
                        .get("online").asBoolean()).isTrue();
            }
        }
    }

    @Test
    void unusableFilesStopTheServerNamingTheSetting() throws Exception {
        TestCertificates.writeKey(key, certs.server("other").keys()); // not the certificate's key
        ServerConfig config = ServerConfig.load(Map.of("VANTAGE_TLS_CERT", cert.toString(),
                "VANTAGE_TLS_KEY", key.toString(), "VANTAGE_JWT_SECRET", TestServer.JWT_SECRET));
        assertThatThrownBy(() -> ServerTls.load(config.tls()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("VANTAGE_TLS_KEY")
                .hasMessageContaining("not the key of the first certificate");
        assertThatThrownBy(() -> ServerConfig.load(Map.of("VANTAGE_TLS_CERT", cert.toString())))
                .isInstanceOf(ConfigException.class).hasMessageContaining("VANTAGE_TLS_KEY");
        assertThatThrownBy(() -> ServerConfig.load(Map.of("VANTAGE_TLS_CERT", dir.resolve("missing.crt").toString(),
                "VANTAGE_TLS_KEY", key.toString())))
                .isInstanceOf(ConfigException.class).hasMessageContaining("VANTAGE_TLS_CERT").hasMessageContaining("cannot read");
    }
}
