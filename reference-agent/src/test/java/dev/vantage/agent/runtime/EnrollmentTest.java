package dev.vantage.agent.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vantage.agent.ProtocolPeer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Enrollment over real HTTP on loopback, and the credential file. */
class EnrollmentTest {
    @TempDir
    Path tmp;
    private ProtocolPeer peer;

    @BeforeEach
    void start() throws InterruptedException {
        peer = new ProtocolPeer("agent-1", "vac_s3cret-value").start();
    }

    @AfterEach
    void stop() throws InterruptedException {
        peer.close();
    }

    @Test
    void enrollsOnceKeepsTheCredentialOwnerOnlyAndReusesIt() throws Exception {
        Path dataDir = tmp.resolve("agent-data");
        AgentCredential c = Enrollment.loadOrEnroll(dataDir, peer.uri(), peer.enrollToken, "bj-1", Map.of("region", "beijing"));
        assertThat(c).isEqualTo(new AgentCredential("agent-1", "vac_s3cret-value"));
        assertThat(peer.enrollRequests).hasSize(1);
        assertThat(peer.enrollRequests.get(0).get("token").asText()).isEqualTo(peer.enrollToken);
        assertThat(peer.enrollRequests.get(0).get("name").asText()).isEqualTo("bj-1");
        assertThat(peer.enrollRequests.get(0).get("labels").get("region").asText()).isEqualTo("beijing");

        Path file = dataDir.resolve("agent.json");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir))).isEqualTo("rwx------");
        assertThat(Files.readString(file)).contains("\"agentId\"").contains("\"credential\"");
        try (var s = Files.list(dataDir)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("agent.json"); // no temp file left
        }

        AgentCredential again = Enrollment.loadOrEnroll(dataDir, peer.uri(), "vet_another-token", "bj-1", Map.of());
        assertThat(again).isEqualTo(c);
        assertThat(peer.enrollRequests).as("a later start does not enroll again").hasSize(1);
    }

    @Test
    void aRefusedTokenFailsWithoutRepeatingItAndWritesNothing() {
        Path dataDir = tmp.resolve("d");
        assertThatThrownBy(() -> Enrollment.loadOrEnroll(dataDir, peer.uri(), "vet_wrong", "x", Map.of()))
                .isInstanceOf(Enrollment.EnrollmentException.class)
                .hasMessageContaining("HTTP 401").hasMessageContaining("enrollment token is invalid")
                .hasMessageNotContaining("vet_wrong");
        assertThat(dataDir.resolve("agent.json")).doesNotExist();
        assertThatThrownBy(() -> Enrollment.loadOrEnroll(dataDir, peer.uri(), null, "x", Map.of()))
                .hasMessageContaining("pass an enrollment token");
    }

    @Test
    void theHttpBaseComesFromTheWebSocketUri() {
        assertThat(Enrollment.enrollUri(URI.create("ws://h.example:8080/ws/agent")))
                .isEqualTo(URI.create("http://h.example:8080/api/v1/agents/enroll"));
        assertThat(Enrollment.enrollUri(URI.create("wss://h.example/ws/agent")))
                .isEqualTo(URI.create("https://h.example/api/v1/agents/enroll"));
        assertThat(Enrollment.enrollUri(URI.create("ws://[::1]:9/ws/agent")))
                .isEqualTo(URI.create("http://[::1]:9/api/v1/agents/enroll"));
        assertThatThrownBy(() -> Enrollment.enrollUri(URI.create("ftp://h/x"))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theSecretIsNeverInToString() {
        AgentCredential c = new AgentCredential("a1", "vac_topsecret");
        assertThat(c.toString()).contains("a1").doesNotContain("vac_topsecret");
        assertThat(c.authorization()).isEqualTo("Bearer a1.vac_topsecret");
    }
}
