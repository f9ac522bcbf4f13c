package dev.vantage.server.agents.releases;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.server.TestServer;
import dev.vantage.server.json.JsonMapping;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Releases uploaded in parts under a small body limit, checked against their SHA-256, and downloaded by an agent
 * with its credential (and by nobody else). On H2 here; {@link ReleasesPostgresIT} runs the same on PostgreSQL.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReleasesApiTest {
    private static final Map<String, String> BINARY = Map.of("Content-Type", "application/octet-stream");
    TestServer server;
    String admin;

    /** The server's environment on top of the small body limit. */
    Map<String, String> database() throws Exception {
        return Map.of();
    }

    @BeforeAll
    void start() throws Exception {
        Map<String, String> env = new java.util.HashMap<>(database());
        env.put("SERVER_MAX_BODY_BYTES", "1024");
        server = TestServer.start(env);
        admin = server.adminToken();
    }

    @AfterAll
    void stop() throws Exception {
        server.close();
        closed();
    }

    /** After the server stopped: a database of the test's own is dropped here. */
    void closed() throws Exception {
    }

    @Test
    void aReleaseArrivesInPartsAndAgentsDownloadItWithTheirCredential() throws Exception {
        String artifact = "0123456789abcdef".repeat(190); // 3,040 bytes: three parts under the 1 KiB limit
        announce("3.0.0", artifact, sha256(artifact));
        TestServer.Response r = null;
        for (int off = 0; off < artifact.length(); off += 1000) {
            r = server.call("PUT", "/api/v1/agent-releases/3.0.0/artifact?offset=" + off, admin,
                    artifact.substring(off, Math.min(artifact.length(), off + 1000)), BINARY);
            assertThat(r.status()).as(r.body()).isEqualTo(200);
        }
        assertThat(r.json().get("ready").asBoolean()).isTrue();
        assertThat(server.call("PUT", "/api/v1/agent-releases/3.0.0/artifact?offset=3040", admin, "x", BINARY).status())
                .as("complete").isEqualTo(409);

        JsonNode token = server.post("/api/v1/agents/enrollment-tokens", admin, "{\"uses\":1}").json();
        JsonNode agent = server.post("/api/v1/agents/enroll", null,
                "{\"token\":\"" + token.get("token").asText() + "\",\"name\":\"downloader\"}").json();
        String credential = agent.get("agentId").asText() + "." + agent.get("credential").asText();
        TestServer.Response download = server.call("GET", "/ws/agent/releases/3.0.0", credential, null);
        assertThat(download.status()).isEqualTo(200);
        assertThat(download.body()).isEqualTo(artifact);
        assertThat(server.call("GET", "/ws/agent/releases/3.0.0", admin, null).status()).as("a user").isEqualTo(401);
        assertThat(server.call("GET", "/ws/agent/releases/none", credential, null).status()).isEqualTo(404);
    }

    @Test
    void anArtifactThatDoesNotMatchItsChecksumIsDroppedWithTheReason() throws Exception {
        announce("3.0.1", "abc", sha256("abd"));
        TestServer.Response r = server.call("PUT", "/api/v1/agent-releases/3.0.1/artifact", admin, "abc",
                Map.of("Content-Type", "application/octet-stream", "Accept-Language", "zh"));
        assertThat(r.status()).isEqualTo(400);
        JsonNode error = r.json().get("errors").get(0);
        assertThat(error.get("field").asText()).isEqualTo("sha256");
        assertThat(error.get("message").asText()).contains(sha256("abc")).contains("请从偏移 0 重新上传");
        JsonNode release = server.get("/api/v1/agent-releases/3.0.1", admin).json();
        assertThat(release.get("received").asLong()).isZero();
        assertThat(release.get("ready").asBoolean()).isFalse();

        // the rest of the answers a careless upload gets
        assertThat(server.call("PUT", "/api/v1/agent-releases/3.0.1/artifact", admin, "abcd", BINARY).json()
                .get("errors").get(0).get("field").asText()).isEqualTo("body"); // past the size
        assertThat(server.call("PUT", "/api/v1/agent-releases/3.0.1/artifact?offset=1", admin, "b", BINARY).status())
                .isEqualTo(409);
        assertThat(server.call("PUT", "/api/v1/agent-releases/3.0.1/artifact", admin, "\"abc\"").status())
                .as("JSON is not an artifact").isEqualTo(415);
        assertThat(server.call("PUT", "/api/v1/agent-releases/3.0.1/artifact", admin, "x".repeat(2000), BINARY).status())
                .as("over the body limit").isEqualTo(413);
    }

    private void announce(String version, String artifact, String sha256) {
        TestServer.Response r = server.post("/api/v1/agent-releases", admin, JsonMapping.write(Map.of("version", version,
                "size", artifact.length(), "sha256", sha256,
                "signature", Base64.getEncoder().encodeToString(new byte[64]))));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
    }

    private static String sha256(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.US_ASCII)));
    }
}
