package dev.vantage.server.results;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vantage.probe.engine.Durations;
import dev.vantage.probe.json.ResultJson;
import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.probe.spi.ProbeStatus;
import dev.vantage.server.TestServer;
import dev.vantage.server.db.Sql;
import dev.vantage.server.results.rollups.Resolution;
import dev.vantage.server.results.rollups.RollupStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.assertj.core.data.Percentage;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/** Rollups on the embedded H2 database (RollupsPostgresIT runs the same check on PostgreSQL, with two replicas). */
class RollupsTest {
    static String task(TestServer server, String token, String id) {
        TestServer.Response r = server.post("/api/v1/tasks", token,
                "{\"id\":\"" + id + "\",\"type\":\"tcp\",\"target\":\"127.0.0.1:80\",\"interval\":\"1m\"}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return id;
    }

    @Test
    void rollupsEqualARecomputationFromTheResultsDespiteGapsLateAndDuplicateResults() {
        try (TestServer server = TestServer.start()) {
            String token = server.adminToken();
            RollupCheck data = new RollupCheck(11, task(server, token, "rolled"), List.of("agent-a", "agent-b", "agent-c"));
            data.deliver(d -> server.core.results().storeBatch(d.agentId(), d.results()));
            data.checkAll(server, token, 12);

            // the phases have sketches of their own (not served yet), as exact as the latency's
            Instant day = RollupCheck.START.plus(Duration.ofDays(1));
            List<RollupStore.Stored> days = server.core.rollups().read(data.taskId, "agent-b", Resolution.DAY, day, day.plusSeconds(1));
            assertThat(days).hasSize(1);
            double[] connect = data.truth.stream().filter(s -> s.agentId().equals("agent-b"))
                    .filter(s -> s.result().status() == ProbeStatus.SUCCESS)
                    .filter(s -> !s.result().startedAt().isBefore(day) && s.result().startedAt().isBefore(day.plus(Duration.ofDays(1))))
                    .mapToDouble(s -> Durations.toMillis(s.result().phases().get("connect"))).sorted().toArray();
            assertThat(days.getFirst().rollup().quantile("phase.connect", 0.9))
                    .isCloseTo(connect[(int) Math.floor(0.9 * (connect.length - 1))], Percentage.withPercentage(1.000001));
            assertThat(days.getFirst().rollup().errorKinds()).containsKeys("TIMEOUT", "REFUSED");

            // deleting an agent deletes its rollups with its results
            server.core.results().deleteAgent("agent-c");
            assertThat(server.core.rollups().read(data.taskId, "agent-c", Resolution.MINUTE, RollupCheck.START,
                    RollupCheck.START.plus(RollupCheck.SPAN))).isEmpty();
        }
    }

    @Test
    void aCrashedServersUnwrittenCountsAreCountedAgainFromTheResultsAtTheNextStart() throws Exception {
        Path dir = Files.createTempDirectory("vantage-rollup-crash");
        Map<String, String> env = Map.of("VANTAGE_ROLLUPS_FLUSH_INTERVAL", "1m"); // nothing written before the crash
        RollupCheck data = new RollupCheck(41, "crashed", List.of("agent-a", "agent-b"));
        try {
            String token;
            try (TestServer first = TestServer.startIn(dir, env)) {
                token = first.adminToken();
                task(first, token, "crashed");
                data.deliver(d -> first.core.results().storeBatch(d.agentId(), d.results()));
                assertThat(first.core.database().queryOne("SELECT count(*) FROM result_rollups", rs -> rs.getLong(1))
                        .orElseThrow()).as("rows written before the crash").isZero();
                // the process dies: what it committed is on disk, what it counted in memory is gone
                first.core.database().update("CHECKPOINT SYNC");
                assertThatThrownBy(() -> first.core.database().update("SHUTDOWN IMMEDIATELY")).hasMessageContaining("closed");
            }
            try (TestServer second = TestServer.startIn(dir, env)) {
                assertThat(second.core.database().queryOne("SELECT count(*) FROM rollup_epochs WHERE opened_at < ?",
                        rs -> rs.getLong(1), Instant.now().minusSeconds(30)).orElseThrow()).as("epochs left open").isZero();
                data.checkAll(second, second.adminToken(), 42);
            }
        } finally {
            TestServer.deleteTree(dir);
        }
    }

    @Test
    void anEpochThePreviousVersionLeftWithItsMinutesWrittenHasOnlyItsHoursAndDaysCountedAgain() throws Exception {
        Path dir = Files.createTempDirectory("vantage-rollup-crash-minutes");
        Map<String, String> env = Map.of("VANTAGE_ROLLUPS_FLUSH_INTERVAL", "1m");
        RollupCheck data = new RollupCheck(43, "half-written", List.of("agent-a", "agent-b"));
        try {
            try (TestServer first = TestServer.startIn(dir, env)) {
                task(first, first.adminToken(), "half-written");
                data.deliver(d -> first.core.results().storeBatch(d.agentId(), d.results()));
                // what the version that wrote minutes first left when it crashed between its two steps
                first.core.database().inTransaction(c -> {
                    for (long epoch : Sql.query(c, "SELECT id FROM rollup_epochs", rs -> rs.getLong(1))) {
                        RollupStore.add(c, ResultStore.epochEntries(c, epoch), List.of(Resolution.MINUTE));
                        Sql.update(c, "UPDATE rollup_epochs SET minutes_written = TRUE WHERE id = ?", epoch);
                    }
                    return null;
                });
                assertThat(rows(first, "1m")).as("minute rows written").isPositive();
                assertThat(rows(first, "1h") + rows(first, "1d")).as("hour and day rows written").isZero();
                first.core.database().update("CHECKPOINT SYNC");
                assertThatThrownBy(() -> first.core.database().update("SHUTDOWN IMMEDIATELY")).hasMessageContaining("closed");
            }
            try (TestServer second = TestServer.startIn(dir, env)) {
                data.checkAll(second, second.adminToken(), 44); // minutes counted once, hours and days recounted
            }
        } finally {
            TestServer.deleteTree(dir);
        }
    }

    @Test
    void anEpochAnotherReplicaRecoveredMeanwhileIsNotCountedTwice() {
        try (TestServer server = TestServer.start(Map.of("VANTAGE_ROLLUPS_FLUSH_INTERVAL", "1m"))) {
            String token = server.adminToken();
            RollupCheck data = new RollupCheck(45, task(server, token, "taken"), List.of("agent-a", "agent-b"));
            int[] batches = {0};
            data.deliver(d -> {
                server.core.results().storeBatch(d.agentId(), d.results());
                if (++batches[0] % 5 == 0) {
                    server.core.rollups().flush();
                }
            });
            List<Long> open = server.core.database().query("SELECT DISTINCT rollup_epoch FROM results WHERE rollup_epoch"
                    + " IN (SELECT id FROM rollup_epochs)", rs -> rs.getLong(1));
            assertThat(open).as("open epochs holding results").isNotEmpty();
            // what a replica that took this one for crashed does with its open epochs (Rollups.recount)
            server.core.database().inTransaction(c -> {
                for (long epoch : open) {
                    assertThat(RollupStore.claimEpoch(c, epoch)).isEqualTo(RollupStore.Claim.WHOLE);
                    RollupStore.add(c, ResultStore.epochEntries(c, epoch), RollupStore.Claim.WHOLE.unwritten());
                }
                return null;
            });
            server.core.rollups().flush(); // finds them gone, and counts nothing of them
            data.checkAll(server, token, 46);
        }
    }

    private static long rows(TestServer server, String resolution) {
        return server.core.database().queryOne("SELECT count(*) FROM result_rollups WHERE resolution = ?",
                rs -> rs.getLong(1), resolution).orElseThrow();
    }

    @Test
    void anUpgradeRollsUpTheResultsStoredBefore() throws Exception {
        Path dir = Files.createTempDirectory("vantage-rollup-backfill");
        String url = "jdbc:h2:file:" + dir.resolve("vantage") + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH";
        // the schema as the previous version left it, with results in it
        Flyway.configure().dataSource(url, "", "").locations("classpath:db/migration", "classpath:db/vendor/h2")
                .target("10").load().migrate();
        RollupCheck data = new RollupCheck(21, "old-task", List.of("agent-a", "agent-b"));
        try (Connection c = DriverManager.getConnection(url, "", "");
             PreparedStatement ps = c.prepareStatement("INSERT INTO results (id, task_id, agent_id, type, target, status,"
                     + " error_kind, started_at, duration_ms, latency_ms, loss_percent, body, received_at)"
                     + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (RollupCheck.Sent s : data.truth) {
                ProbeResult r = s.result();
                Object[] row = {r.id(), r.taskId(), s.agentId(), r.type(), r.target(), r.status().name(),
                        r.error() == null ? null : r.error().kind().name(), r.startedAt().atOffset(ZoneOffset.UTC),
                        s.latencyMs(), s.latencyMs(), r.measurements().get("lossPercent"), ResultJson.toJson(r),
                        OffsetDateTime.now(ZoneOffset.UTC)};
                for (int i = 0; i < row.length; i++) {
                    ps.setObject(i + 1, row[i]);
                }
                ps.addBatch();
            }
            ps.executeBatch();
        }
        try (TestServer server = TestServer.startIn(dir, Map.of())) {
            String token = server.adminToken();
            task(server, token, "old-task");
            data.checkAll(server, token, 22);
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void eachResolutionIsKeptForItsOwnRetention() {
        try (TestServer server = TestServer.start(Map.of("VANTAGE_ROLLUPS_RETENTION_1M", "30d",
                "VANTAGE_ROLLUPS_RETENTION_1H", "60d", "VANTAGE_ROLLUPS_RETENTION_1D", "forever"))) {
            Instant now = Instant.now();
            List<Instant> ages = List.of(now.minus(Duration.ofDays(90)), now.minus(Duration.ofDays(45)), now.minus(Duration.ofDays(2)));
            for (Instant at : ages) {
                server.core.results().storeBatch("a", List.of(ProbeResult.builder().id(UUID.randomUUID().toString())
                        .taskId("kept").type("tcp").target("127.0.0.1:80").status(ProbeStatus.SUCCESS).startedAt(at)
                        .duration(Duration.ofMillis(3)).build()));
            }
            server.core.rollups().flush(); // the counts in memory are written before retention deletes rows
            new ResultRetention(server.core.database(), Duration.ofDays(365), server.core.config().rollupRetention(),
                    Clock.systemUTC()).run();
            Instant from = now.minus(Duration.ofDays(100));
            assertThat(server.core.rollups().read("kept", null, Resolution.MINUTE, from, now)).hasSize(1);
            assertThat(server.core.rollups().read("kept", null, Resolution.HOUR, from, now)).hasSize(2);
            assertThat(server.core.rollups().read("kept", null, Resolution.DAY, from, now)).hasSize(3);
            // the raw results are all still there: rollups have a retention of their own
            assertThat(server.core.database().queryOne("SELECT count(*) FROM results WHERE task_id = 'kept'",
                    rs -> rs.getLong(1)).orElseThrow()).isEqualTo(3);
        }
    }
}
