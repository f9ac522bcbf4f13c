package dev.vantage.server.results;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.server.TestServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Rollups on PostgreSQL (127.0.0.1:5432, database {@code test}, a schema of its own per run): the same check as
 * {@link RollupsTest}, and two replicas sharing the database that both store the whole stream at once (every result
 * arrives twice, concurrently) give the same rollups as one replica storing it alone. Fails, rather than skips, when
 * PostgreSQL is not reachable.
 */
class RollupsPostgresIT {
    private static final String BASE = "jdbc:postgresql://127.0.0.1:5432/test";

    @Test
    void twoReplicasStoringTheSameStreamGiveTheRollupsOfOne() throws Exception {
        String schema = "vantage_rollups_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = DriverManager.getConnection(BASE, "postgres", ""); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        }
        // replicas share the key that seals secrets (the agent CA's key among them), as docs/configuration.md says
        Map<String, String> env = Map.of("VANTAGE_DB_URL", BASE + "?currentSchema=" + schema, "VANTAGE_DB_USER", "postgres",
                "VANTAGE_DB_STATEMENT_TIMEOUT", "20s",
                "VANTAGE_SECRETS_KEYS", "it:" + java.util.Base64.getEncoder().encodeToString(new byte[32]));
        try (TestServer one = TestServer.start(env); TestServer two = TestServer.start(env)) {
            String token = one.adminToken();
            List<String> agents = List.of("agent-a", "agent-b", "agent-c");
            // the same seed: the same stream (times, statuses, latencies) for two tasks
            RollupCheck alone = new RollupCheck(31, RollupsTest.task(one, token, "alone"), agents);
            RollupCheck shared = new RollupCheck(31, RollupsTest.task(one, token, "shared"), agents);
            alone.deliver(d -> one.core.results().storeBatch(d.agentId(), d.results()));

            List<RollupCheck.Delivery> reversed = new ArrayList<>(shared.deliveries);
            Collections.reverse(reversed);
            try (var pool = Executors.newFixedThreadPool(2)) {
                CompletableFuture<?> a = CompletableFuture.runAsync(() -> shared.deliver(
                        d -> one.core.results().storeBatch(d.agentId(), d.results())), pool);
                CompletableFuture<?> b = CompletableFuture.runAsync(() -> reversed.forEach(
                        d -> two.core.results().storeBatch(d.agentId(), d.results())), pool);
                CompletableFuture.allOf(a, b).get(120, TimeUnit.SECONDS);
            }

            // each replica counts in memory what it stored; written, the rows hold both replicas' counts
            one.core.rollups().flush();
            two.core.rollups().flush();
            alone.checkAll(one, token, 32);
            shared.checkAll(two, token, 32);
            String counts = "SELECT resolution, bucket_start, agent_id, total, successes, failures, timeouts, errors,"
                    + " error_kinds, latency_min, latency_max, loss_count FROM result_rollups WHERE task_id = ?"
                    + " ORDER BY resolution, bucket_start, agent_id";
            List<String> ofAlone = one.core.database().query(counts, RollupsPostgresIT::row, "alone");
            assertThat(ofAlone).hasSizeGreaterThan(1000);
            assertThat(one.core.database().query(counts, RollupsPostgresIT::row, "shared")).containsExactlyElementsOf(ofAlone);
        } finally {
            try (Connection c = DriverManager.getConnection(BASE, "postgres", ""); Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
        }
    }

    private static String row(java.sql.ResultSet rs) throws java.sql.SQLException {
        StringBuilder b = new StringBuilder();
        for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
            b.append(rs.getString(i)).append('|');
        }
        return b.toString();
    }
}
