package dev.vantage.server.db;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.probe.spi.ProbeStatus;
import dev.vantage.server.TestServer;
import dev.vantage.server.auth.Role;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The server on PostgreSQL (127.0.0.1:5432, database {@code test}, user {@code postgres}, which CI starts): the
 * migrations, idempotent result inserts and the API's SQL. Each run works in a schema of its own and drops it.
 * Fails, rather than skips, when PostgreSQL is not reachable.
 */
class PostgresIT {
    static final String BASE = "jdbc:postgresql://127.0.0.1:5432/test";
    static final String SCHEMA = "vantage_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    static TestServer server;

    @BeforeAll
    static void start() throws SQLException {
        try (Connection c = DriverManager.getConnection(BASE, "postgres", ""); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + SCHEMA);
        }
        server = TestServer.start(Map.of("VANTAGE_DB_URL", BASE + "?currentSchema=" + SCHEMA, "VANTAGE_DB_USER", "postgres",
                "VANTAGE_DB_STATEMENT_TIMEOUT", "20s"));
    }

    @AfterAll
    static void stop() throws SQLException {
        if (server != null) {
            server.close();
        }
        try (Connection c = DriverManager.getConnection(BASE, "postgres", ""); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
        }
    }

    @Test
    void migrationsCreateEveryTableInTheRunsSchema() {
        assertThat(server.core.database().isPostgres()).isTrue();
        List<String> tables = server.core.database().query(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = ? ORDER BY table_name",
                rs -> rs.getString(1), SCHEMA);
        assertThat(tables).contains("users", "sessions", "api_tokens", "agents", "enrollment_tokens", "tasks", "results",
                "instant_tests", "flyway_schema_history");
        assertThat(server.core.database().queryOne("SHOW statement_timeout", rs -> rs.getString(1)).orElseThrow()).isEqualTo("20s");
        assertThat(server.get("/ready", null).status()).isEqualTo(200);
    }

    @Test
    void resultInsertsAreIdempotentOnPostgres() {
        Instant t = Instant.parse("2025-06-01T00:00:00.123456789Z");
        ProbeResult a = ProbeResult.builder().id(UUID.randomUUID().toString()).taskId("pg").type("tcp").target("x:1")
                .status(ProbeStatus.SUCCESS).startedAt(t).duration(Duration.ofMillis(3)).measurement("lossPercent", 10).build();
        ProbeResult b = a.toBuilder().id(UUID.randomUUID().toString()).startedAt(t.plusSeconds(1)).build();
        assertThat(server.core.results().storeBatch("agent", List.of(a, b))).containsExactly(2, 0);
        assertThat(server.core.results().storeBatch("agent", List.of(a, b, b))).containsExactly(0, 3);
        List<ResultStoreRows> rows = server.core.database().query("SELECT id, loss_percent FROM results WHERE task_id = 'pg'",
                rs -> new ResultStoreRows(rs.getString(1), Sql.nullableDouble(rs, "loss_percent")));
        assertThat(rows).hasSize(2).allMatch(r -> r.loss() == 10.0);
    }

    record ResultStoreRows(String id, Double loss) {
    }

    @Test
    void theApiWorksOnPostgres() {
        String admin = server.adminToken();
        String operator = server.sessionToken(server.createUser("pg-op", Role.OPERATOR));
        TestServer.Response created = server.post("/api/v1/tasks", operator,
                "{\"id\":\"pg-task\",\"type\":\"http\",\"target\":\"http://127.0.0.1:9/\",\"interval\":\"30s\",\"params\":{\"bearerToken\":\"pg-secret\"}}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.body()).doesNotContain("pg-secret");
        assertThat(server.post("/api/v1/tasks/pg-task/disable", operator, null).json().get("revision").asLong()).isEqualTo(2);
        assertThat(server.get("/api/v1/tasks?limit=10", operator).json().get("total").asLong()).isEqualTo(1);

        Instant t = Instant.parse("2025-06-02T00:00:00Z");
        for (int i = 0; i < 5; i++) {
            server.core.results().storeBatch("agent-" + (i % 2), List.of(ProbeResult.builder().id(UUID.randomUUID().toString())
                    .taskId("pg-task").type("http").target("http://127.0.0.1:9/").status(ProbeStatus.SUCCESS)
                    .startedAt(t.plusSeconds(i)).duration(Duration.ofMillis(i + 1)).build()));
        }
        JsonNode page = server.get("/api/v1/tasks/pg-task/results?limit=3", operator).json();
        assertThat(page.get("items")).hasSize(3);
        JsonNode rest = server.get("/api/v1/tasks/pg-task/results?limit=3&cursor=" + page.get("next").asText(), operator).json();
        assertThat(rest.get("items")).hasSize(2);
        assertThat(rest.get("next").isNull()).isTrue();
        JsonNode agg = server.get("/api/v1/tasks/pg-task/aggregates?bucket=1h&from=2025-06-02T00:00:00Z&to=2025-06-02T01:00:00Z", operator).json();
        assertThat(agg.get("items")).hasSize(2);
        assertThat(agg.get("items").get(0).get("count").asInt() + agg.get("items").get(1).get("count").asInt()).isEqualTo(5);

        // tokens, sessions and revocation use nullable timestamps: the driver must bind them as such
        String apiToken = server.post("/api/v1/tokens", admin, "{\"name\":\"pg\"}").json().get("token").asText();
        assertThat(server.get("/api/v1/auth/me", apiToken).status()).isEqualTo(200);
        assertThat(server.post("/api/v1/auth/logout", admin, null).status()).isEqualTo(204);
        assertThat(server.get("/api/v1/auth/me", admin).status()).isEqualTo(401);
        assertThat(server.call("DELETE", "/api/v1/tasks/pg-task", operator, null).status()).isEqualTo(204);
    }
}
