package dev.vantage.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vantage.agent.protocol.Policy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerConfigTest {
    @Test
    void defaultsNeedNoConfiguration() {
        ServerConfig c = ServerConfig.load(Map.of());
        assertThat(c.port()).isEqualTo(8080);
        assertThat(c.dataDir()).isEqualTo(Path.of("data"));
        assertThat(c.jdbcUrl()).startsWith("jdbc:h2:file:").endsWith("vantage;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE");
        assertThat(c.accessTokenTtl()).isEqualTo(Duration.ofMinutes(15));
        assertThat(c.refreshTokenTtl()).as("ASVS L2 idle timeout").isEqualTo(Duration.ofMinutes(30));
        assertThat(c.sessionMaxAge()).as("ASVS L2 absolute timeout").isEqualTo(Duration.ofHours(12));
        assertThat(c.passwordBlocklist()).isEqualTo("builtin");
        assertThat(c.localAgentEnabled()).isTrue();
        assertThat(c.localAgentLoopbackPorts()).as("loopback is an admin's explicit choice").isEmpty();
        assertThat(c.corsAllowedOrigins()).isEmpty();
        assertThat(c.jwtSecret().isEmpty()).isTrue();
        assertThat(c.agentAuth()).as("bearers still work by default; the CA is the server's own")
                .isEqualTo(new ServerConfig.AgentAuth(true, null, null, Duration.ofDays(7), java.util.List.of()));
    }

    @Test
    void agentCertificateSettingsAreChecked() {
        assertThatThrownBy(() -> ServerConfig.load(Map.of("VANTAGE_AGENT_AUTH", "bearer")))
                .hasMessageContaining("vantage.agents.auth (VANTAGE_AGENT_AUTH)");
        assertThatThrownBy(() -> ServerConfig.load(Map.of("VANTAGE_AGENT_AUTH", "certificate", "VANTAGE_LOCAL_AGENT", "false")))
                .as("certificates need TLS here or at a proxy").hasMessageContaining("VANTAGE_TLS_CERT");
        assertThatThrownBy(() -> ServerConfig.load(Map.of("VANTAGE_AGENT_AUTH", "certificate",
                "VANTAGE_TLS_TRUSTED_PROXIES", "127.0.0.1")))
                .as("the local agent authenticates with a bearer").hasMessageContaining("VANTAGE_LOCAL_AGENT");
        assertThat(ServerConfig.load(Map.of("VANTAGE_AGENT_AUTH", "certificate", "VANTAGE_LOCAL_AGENT", "false",
                "VANTAGE_TLS_TRUSTED_PROXIES", "127.0.0.1, ::1")).agentAuth().trustedProxies())
                .containsExactly("127.0.0.1", "::1");
        for (String bad : new String[] {"proxy.example.com", "0177.0.0.1", "10.0.0.1/8"}) {
            assertThatThrownBy(() -> ServerConfig.load(Map.of("VANTAGE_TLS_TRUSTED_PROXIES", bad)))
                    .hasMessageContaining("server.tls.trusted-proxies (VANTAGE_TLS_TRUSTED_PROXIES)");
        }
        assertThatThrownBy(() -> ServerConfig.load(Map.of("VANTAGE_AGENT_CA_CERT", "/nonexistent/ca.pem")))
                .hasMessageContaining("VANTAGE_AGENT_CA_KEY");
        assertThatThrownBy(() -> ServerConfig.load(Map.of("VANTAGE_AGENT_CERT_LIFETIME", "1s")))
                .hasMessageContaining("at least 3s");
    }

    @Test
    void environmentVariablesOverride() {
        ServerConfig c = ServerConfig.load(Map.of("SERVER_PORT", "9090", "VANTAGE_DATA_DIR", "/var/lib/vantage",
                "VANTAGE_DB_URL", "jdbc:postgresql://db/v", "VANTAGE_DB_PASSWORD", "hunter2-hunter2",
                "VANTAGE_LOCAL_AGENT", "false", "VANTAGE_CORS_ALLOWED_ORIGINS", "https://a.example, https://b.example"));
        assertThat(c.port()).isEqualTo(9090);
        assertThat(c.jdbcUrl()).isEqualTo("jdbc:postgresql://db/v");
        assertThat(c.localAgentEnabled()).isFalse();
        assertThat(c.corsAllowedOrigins()).containsExactly("https://a.example", "https://b.example");
        assertThat(c.dbPassword().value()).isEqualTo("hunter2-hunter2");
        assertThat(c.toString()).doesNotContain("hunter2");
    }

    @Test
    void badValuesNameTheKeyAndVariable() {
        assertThatThrownBy(() -> ServerConfig.load(Map.of("SERVER_PORT", "http")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("server.port (SERVER_PORT)");
        assertThatThrownBy(() -> ServerConfig.load(Map.of("VANTAGE_ACCESS_TOKEN_TTL", "soon")))
                .hasMessageContaining("vantage.auth.access-token-ttl (VANTAGE_ACCESS_TOKEN_TTL)");
        assertThatThrownBy(() -> ServerConfig.load(Map.of("VANTAGE_LOCAL_AGENT", "yes")))
                .hasMessageContaining("VANTAGE_LOCAL_AGENT");
        for (String bad : new String[] {"http", "9000-", "70000", "9001-9000", "1-2-3", "-1"}) {
            assertThatThrownBy(() -> ServerConfig.load(Map.of("VANTAGE_LOCAL_AGENT_LOOPBACK_PORTS", "22," + bad)))
                    .hasMessageContaining("vantage.local-agent.loopback-ports (VANTAGE_LOCAL_AGENT_LOOPBACK_PORTS)")
                    .hasMessageContaining("'" + bad + "'");
        }
        assertThat(ServerConfig.load(Map.of("VANTAGE_LOCAL_AGENT_LOOPBACK_PORTS", " 0, 9000-9099 ")).localAgentLoopbackPorts())
                .containsExactly(new Policy.PortRange(0, 0), new Policy.PortRange(9000, 9099));
    }

    @Test
    void aConfigFileOverridesDefaultsAndUnknownKeysAreRefused(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("vantage.yaml");
        Files.writeString(file, "server:\n  port: 7070\nvantage:\n  db:\n    pool-size: 3\n");
        ServerConfig c = ServerConfig.load(Map.of("VANTAGE_CONFIG", file.toString()));
        assertThat(c.port()).isEqualTo(7070);
        assertThat(c.dbPoolSize()).isEqualTo(3);
        assertThat(ServerConfig.load(Map.of("VANTAGE_CONFIG", file.toString(), "SERVER_PORT", "6060")).port()).isEqualTo(6060);

        Files.writeString(file, "vantage:\n  db:\n    pool-sise: 3\n");
        assertThatThrownBy(() -> ServerConfig.load(Map.of("VANTAGE_CONFIG", file.toString())))
                .hasMessageContaining("vantage.db.pool-sise");
    }

    @Test
    void everySettingIsInTheYamlDefaultsAndDocumented() throws IOException {
        String doc = Files.readString(Path.of("../docs/configuration.md"));
        String yaml = new String(getClass().getClassLoader().getResourceAsStream("application.yaml").readAllBytes(),
                java.nio.charset.StandardCharsets.UTF_8);
        for (Setting s : Setting.values()) {
            assertThat(doc).as(s.key()).contains("| `" + s.key() + "` | `" + s.env() + "` |");
            List<String> path = List.of(s.key().split("\\."));
            assertThat(yaml).as(s.key()).contains(path.getLast() + ":");
        }
        // and no documented key is missing from the code
        long rows = doc.lines().filter(l -> l.startsWith("| `")).count();
        assertThat(rows).isEqualTo(Setting.values().length);
    }
}
