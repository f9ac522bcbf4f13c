package dev.vantage.server.results;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.probe.spi.ErrorKind;
import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.server.TestServer;
import dev.vantage.server.agents.store.AgentPolicy;
import dev.vantage.server.agents.store.AgentStore;
import dev.vantage.server.config.ConfigException;
import dev.vantage.sink.influxdb.QuestDb;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** With VANTAGE_INFLUX_URL set, what the server stores also reaches a line-protocol server (QuestDB, in-process). */
class InfluxExportIT {

    @Test
    void storedResultsAreExportedOnceWithTheAgentsIdAndServerSideLabels(@TempDir Path root) throws Exception {
        try (QuestDb questDb = new QuestDb(root);
             TestServer server = TestServer.start(Map.of("VANTAGE_INFLUX_URL", questDb.url(),
                     "VANTAGE_INFLUX_TOKEN", "influx-token-secret", "VANTAGE_INFLUX_ORG", "vantage",
                     "VANTAGE_INFLUX_BUCKET", "results"))) {
            assertThat(server.core.config().toString()).doesNotContain("influx-token-secret");
            AgentStore agents = new AgentStore(server.core.database(), Clock.systemUTC(), server.core.config().replicaId());
            String agentId = agents.create("beijing-1", Map.of("region", "cn-north", "isp", "Unicom"),
                    AgentPolicy.PUBLIC_ONLY).agent().id();
            Instant t = Instant.parse("2025-03-04T05:06:07.123456Z");
            ProbeResult ok = ProbeResult.builder().id(UUID.randomUUID().toString()).taskId("web").type("http")
                    .target("https://example.com/").startedAt(t).duration(Duration.ofMillis(42))
                    .phase("connect", Duration.ofMillis(3)).measurement("httpStatus", 200)
                    .label("region", "claimed-by-agent").build();
            ProbeResult down = ProbeResult.builder().id(UUID.randomUUID().toString()).taskId("web").type("http")
                    .target("https://example.com/").startedAt(t.plusSeconds(10)).duration(Duration.ofSeconds(5))
                    .error(ErrorKind.TIMEOUT, "no answer").build();

            assertThat(server.core.results().storeBatch(agentId, List.of(ok, down))).isEqualTo(new StoredCount(2, 0));
            // a resent batch stores nothing new, so it exports nothing new
            assertThat(server.core.results().storeBatch(agentId, List.of(ok, down))).isEqualTo(new StoredCount(0, 2));

            // exports leave in order, and QuestDB applies a table's writes in order: once a result stored after the
            // resend is there, a duplicate the resend wrongly exported would be there too
            ProbeResult later = ProbeResult.builder().id(UUID.randomUUID().toString()).taskId("later").type("http")
                    .target("https://example.com/").startedAt(t.plusSeconds(20)).duration(Duration.ofMillis(7)).build();
            assertThat(server.core.results().storeBatch(agentId, List.of(later))).isEqualTo(new StoredCount(1, 0));
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> !questDb.query("SELECT * FROM vantage_http WHERE task = 'later'").isEmpty());
            List<Map<String, JsonNode>> rows = questDb.query("SELECT * FROM vantage_http WHERE task = 'web' ORDER BY timestamp");
            assertThat(rows).hasSize(2);
            Map<String, JsonNode> first = rows.get(0);
            assertThat(first.get("agent").asText()).isEqualTo(agentId);
            assertThat(first.get("region").asText()).isEqualTo("cn-north"); // the server's labels win
            assertThat(first.get("isp").asText()).isEqualTo("Unicom");
            assertThat(first.get("task").asText()).isEqualTo("web");
            assertThat(first.get("status").asText()).isEqualTo("SUCCESS");
            assertThat(first.get("duration_ms").asDouble()).isEqualTo(42.0);
            assertThat(first.get("phase_connect_ms").asDouble()).isEqualTo(3.0);
            assertThat(first.get("http_status").asDouble()).isEqualTo(200.0);
            assertThat(first.get("timestamp").asText()).isEqualTo("2025-03-04T05:06:07.123456Z");
            Map<String, JsonNode> second = rows.get(1);
            assertThat(second.get("status").asText()).isEqualTo("TIMEOUT");
            assertThat(second.get("error_kind").asText()).isEqualTo("TIMEOUT");
            assertThat(second.get("success").asLong()).isZero();
        }
    }

    @Test
    void aBadUrlStopsTheServerNamingTheSetting() {
        assertThatThrownBy(() -> TestServer.start(Map.of("VANTAGE_INFLUX_URL", "influx:8086",
                "VANTAGE_INFLUX_ORG", "o", "VANTAGE_INFLUX_BUCKET", "b")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("vantage.influx.url (VANTAGE_INFLUX_URL)");
        assertThatThrownBy(() -> TestServer.start(Map.of("VANTAGE_INFLUX_URL", "http://127.0.0.1:8086")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("vantage.influx.org (VANTAGE_INFLUX_ORG)");
    }
}
