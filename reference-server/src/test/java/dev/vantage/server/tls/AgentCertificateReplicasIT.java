package dev.vantage.server.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.agent.uplink.ServerTrust;
import dev.vantage.server.TestCsr;
import dev.vantage.server.TestServer;
import dev.vantage.server.backends.Backends;
import dev.vantage.server.json.JsonMapping;
import java.net.URI;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two replicas on one PostgreSQL database and RabbitMQ share one agents' CA (made by whichever started first, kept
 * sealed in the database); a certificate revoked through one replica is refused by the other within 5 s: its open
 * connection closed and a new handshake refused.
 */
class AgentCertificateReplicasIT {
    @TempDir
    Path dir;

    @Test
    void aRevocationHoldsOnEveryReplicaWithinFiveSeconds() throws Exception {
        TestCertificates certs = new TestCertificates();
        Path cert = dir.resolve("server.crt");
        Path key = dir.resolve("server.key");
        Path caFile = dir.resolve("ca.pem");
        TestCertificates.Issued issued = certs.server("server");
        TestCertificates.writeCertificate(cert, issued.certificate(), certs.ca());
        TestCertificates.writeKey(key, issued.keys());
        TestCertificates.writeCertificate(caFile, certs.ca());
        try (Backends b = Backends.create()) {
            Map<String, String> env = new HashMap<>(b.env(true));
            env.putAll(Map.of("VANTAGE_TLS_CERT", cert.toString(), "VANTAGE_TLS_KEY", key.toString(),
                    "VANTAGE_AGENT_AUTH", "certificate"));
            env.put("VANTAGE_REPLICA_ID", "replica-a");
            try (TestServer a = TestServer.start(env).trusting(ServerTrust.fromCaFile(caFile))) {
                env.put("VANTAGE_REPLICA_ID", "replica-b");
                try (TestServer replicaB = TestServer.start(env).trusting(ServerTrust.fromCaFile(caFile))) {
                    run(a, replicaB, certs.ca(), b);
                }
            }
        }
    }

    private void run(TestServer a, TestServer replicaB, X509Certificate serverCa, Backends b) throws Exception {
        String admin = a.adminToken();
        String token = a.post("/api/v1/agents/enrollment-tokens", admin, "{}").json().get("token").asText();
        TestCsr csr = TestCsr.create();
        TestServer.Response enrolled = a.post("/api/v1/agents/enroll", null,
                JsonMapping.write(Map.of("token", token, "csr", csr.pem())));
        assertThat(enrolled.status()).as(enrolled.body()).isEqualTo(201);
        JsonNode e = enrolled.json();
        String agentId = e.get("agentId").asText();
        assertThat(b.count("SELECT count(*) FROM agent_ca")).isEqualTo(1);
        SSLContext tls = MtlsClient.context(csr.keys(), MtlsClient.parse(e.get("certificate").asText()), serverCa);
        URI onB = URI.create("wss://127.0.0.1:" + replicaB.app.port() + "/ws/agent");

        // issued by A, accepted by B: one CA for both
        MtlsClient.Connection open = MtlsClient.connect(tls, onB, null);
        assertThat(open.ws()).isNotNull();
        // a refused one is closed at once; an accepted one stays open
        assertThatThrownBy(() -> open.ended().get(2, TimeUnit.SECONDS)).isInstanceOf(TimeoutException.class);

        long t0 = System.nanoTime();
        assertThat(a.post("/api/v1/agents/" + agentId + "/certificates/revoke", admin, null).status()).isEqualTo(200);
        int code = open.ended().get(5, TimeUnit.SECONDS);
        double closedAfter = (System.nanoTime() - t0) / 1e9;
        assertThat(MtlsClient.attempt(tls, onB, null)).isEqualTo("handshake");
        double refusedAfter = (System.nanoTime() - t0) / 1e9;
        System.out.printf("MTLS REPLICAS: revoked on A; B closed the open connection (code %d) after %.2f s and "
                + "refused a new handshake after %.2f s%n", code, closedAfter, refusedAfter);
        assertThat(code).isEqualTo(4001);
        assertThat(closedAfter).isLessThan(5);
        assertThat(refusedAfter).isLessThan(5);
    }
}
