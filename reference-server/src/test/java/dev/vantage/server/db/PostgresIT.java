package dev.vantage.server.db;

import dev.vantage.server.results.StoredCount;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.probe.spi.ProbeStatus;
import dev.vantage.server.TestServer;
import dev.vantage.server.security.Role;
import dev.vantage.server.results.ResultRetention;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.flywaydb.core.Flyway;
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
    void twoAdminsRemovingEachOtherAtOnceLeaveAnAdminOnPostgres() throws Exception {
        dev.vantage.server.users.AdminRace.adminsRemovingEachOtherLeaveOne(server, "pg", 8);
    }

    @Test
    void resultInsertsAreIdempotentOnPostgres() {
        Instant t = Instant.parse("2025-06-01T00:00:00.123456789Z");
        ProbeResult a = ProbeResult.builder().id(UUID.randomUUID().toString()).taskId("pg").type("tcp").target("x:1")
                .status(ProbeStatus.SUCCESS).startedAt(t).duration(Duration.ofMillis(3)).measurement("lossPercent", 10).build();
        ProbeResult b = a.toBuilder().id(UUID.randomUUID().toString()).startedAt(t.plusSeconds(1)).build();
        assertThat(server.core.results().storeBatch("agent", List.of(a, b))).isEqualTo(new StoredCount(2, 0));
        assertThat(server.core.results().storeBatch("agent", List.of(a, b, b))).isEqualTo(new StoredCount(0, 3));
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

    static ProbeResult result(String taskId, Instant at) {
        return ProbeResult.builder().id(UUID.randomUUID().toString()).taskId(taskId).type("tcp").target("x:1")
                .status(ProbeStatus.SUCCESS).startedAt(at).duration(Duration.ofMillis(1)).build();
    }

    /** The partition holding each of the task's results, by id. */
    static Map<String, String> partitions(String taskId) {
        return Map.copyOf(server.core.database().query("SELECT id, tableoid::regclass::text FROM results WHERE task_id = ?",
                rs -> Map.entry(rs.getString(1), rs.getString(2)), taskId).stream()
                .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
    }

    static String day(Instant t) {
        return "results_p" + LocalDate.ofInstant(t, ZoneOffset.UTC).format(DateTimeFormatter.BASIC_ISO_DATE);
    }

    /** Runs a retention round, waiting while the server's own round holds the lock. */
    static long retain(Duration retention, Clock clock) throws InterruptedException {
        ResultRetention r = new ResultRetention(server.core.database(), retention, server.core.config().rollupRetention(), clock);
        for (int i = 0; i < 50; i++) {
            long deleted = r.run();
            if (deleted >= 0) {
                return deleted;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the retention lock stayed taken");
    }

    @Test
    void resultsArePartitionedByDayAndOldPartitionsDropped() throws InterruptedException {
        retain(Duration.ofDays(3650), Clock.systemUTC()); // after the server's own start-up round
        Instant now = Instant.now();
        ProbeResult old = result("ret", now.minus(Duration.ofDays(40)));
        ProbeResult today = result("ret", now);
        ProbeResult future = result("ret", now.plus(Duration.ofDays(30)));
        assertThat(server.core.results().storeBatch("agent", List.of(old, today, future))).isEqualTo(new StoredCount(3, 0));
        assertThat(retain(Duration.ofDays(30), Clock.systemUTC())).isEqualTo(1); // the old one, from the default partition
        assertThat(partitions("ret")).isEqualTo(Map.of(today.id(), day(now), future.id(), "results_default"));

        // a resend is the same JSON: same id and startedAt, so the (id, started_at) key makes it a duplicate
        assertThat(server.core.results().storeBatch("agent", List.of(today, future))).isEqualTo(new StoredCount(0, 2));

        // 30 days on, with a 1-day retention: the future row moves into its new daily partition, and today's
        // partition (all of that day older than the retention) is dropped whole
        Clock later = Clock.offset(Clock.systemUTC(), Duration.ofDays(30));
        assertThat(retain(Duration.ofDays(1), later)).isZero();
        assertThat(partitions("ret")).isEqualTo(Map.of(future.id(), day(future.startedAt())));
        assertThat(server.core.database().queryOne("SELECT to_regclass(?) IS NULL", rs -> rs.getBoolean(1), day(now))
                .orElseThrow()).isTrue();
        assertThat(server.core.results().storeBatch("agent", List.of(future))).isEqualTo(new StoredCount(0, 1));
    }

    @Test
    void rowsStoredWhileTheirDaysPartitionIsCreatedAreKept() throws Exception {
        retain(Duration.ofDays(3650), Clock.systemUTC()); // after the server's own start-up round
        Instant base = Instant.now().plus(Duration.ofDays(400));
        for (int round = 0; round < 8; round++) {
            // the round's clock makes it create the partition of this day, which the default partition holds now
            Clock clock = Clock.fixed(base.plus(Duration.ofDays(round)), ZoneOffset.UTC);
            Instant day = clock.instant().plus(Duration.ofDays(7));
            String task = "race" + round;
            java.util.concurrent.atomic.AtomicLong stored = new java.util.concurrent.atomic.AtomicLong();
            List<ProbeResult> earlier = java.util.stream.IntStream.range(0, 3000)
                    .mapToObj(i -> result(task, day.plusMillis(i))).toList();
            stored.addAndGet(server.core.results().storeBatch("agent", earlier).stored());
            java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
            Thread writer = Thread.ofPlatform().start(() -> {
                for (int i = 0; !done.get() && i < 100_000; i++) { // bounded: a round takes well under a second
                    stored.addAndGet(server.core.results().storeBatch("agent",
                            List.of(result(task, day.plusSeconds(10).plusMillis(i)))).stored());
                }
            });
            try {
                retain(Duration.ofDays(3650), clock);
            } finally {
                done.set(true);
                writer.join();
            }
            long kept = server.core.database().queryOne("SELECT count(*) FROM results WHERE task_id = ?",
                    rs -> rs.getLong(1), task).orElseThrow();
            assertThat(kept).as("round %d", round).isEqualTo(stored.get());
            assertThat(partitions(task).values()).containsOnly(day(day));
        }
    }

    @Test
    void partitioningKeepsTheResultsOfAnEarlierVersion() throws SQLException {
        String schema = SCHEMA + "_v4";
        String url = BASE + "?currentSchema=" + schema;
        try (Connection c = DriverManager.getConnection(BASE, "postgres", ""); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        }
        try {
            Flyway.configure().dataSource(url, "postgres", "").locations("classpath:db/migration", "classpath:db/vendor/postgresql")
                    .target("4").load().migrate();
            try (Connection c = DriverManager.getConnection(url, "postgres", ""); Statement s = c.createStatement()) {
                s.execute("INSERT INTO results (id, task_id, agent_id, type, target, status, started_at, duration_ms, body,"
                        + " received_at, latency_ms) VALUES ('r1', 't', 'a', 'tcp', 'x:1', 'SUCCESS', now(), 1, '{}', now(), 1),"
                        + " ('r2', 't', 'a', 'tcp', 'x:1', 'SUCCESS', now() - interval '3 days', 2, '{}', now(), 2)");
            }
            try (TestServer v5 = TestServer.start(Map.of("VANTAGE_DB_URL", url, "VANTAGE_DB_USER", "postgres"))) {
                assertThat(v5.core.database().query("SELECT id || ':' || duration_ms FROM results ORDER BY id", rs -> rs.getString(1)))
                        .containsExactly("r1:1", "r2:2");
                assertThat(v5.core.database().queryOne("SELECT relkind::text FROM pg_class WHERE oid = 'results'::regclass",
                        rs -> rs.getString(1)).orElseThrow()).isEqualTo("p");
            }
        } finally {
            try (Connection c = DriverManager.getConnection(BASE, "postgres", ""); Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
        }
    }

    @Test
    void aReplicaSkipsTheRetentionRoundWhileAnotherHoldsTheLock() throws SQLException, InterruptedException {
        retain(Duration.ofDays(30), Clock.systemUTC()); // the server's own first round is over
        try (Connection other = DriverManager.getConnection(BASE + "?currentSchema=" + SCHEMA, "postgres", "")) {
            other.setAutoCommit(false);
            try (Statement s = other.createStatement()) {
                s.execute("SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.results_retention'))");
            }
            assertThat(new ResultRetention(server.core.database(), Duration.ofDays(30), server.core.config().rollupRetention(), Clock.systemUTC()).run()).isEqualTo(-1);
            other.rollback();
        }
        assertThat(retain(Duration.ofDays(30), Clock.systemUTC())).isNotNegative();
    }
}
