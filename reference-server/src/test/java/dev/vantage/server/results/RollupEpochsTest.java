package dev.vantage.server.results;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.probe.spi.ProbeStatus;
import dev.vantage.server.TestServer;
import dev.vantage.server.config.ServerConfig;
import dev.vantage.server.db.Database;
import dev.vantage.server.results.rollups.Resolution;
import dev.vantage.server.results.rollups.RollupStore;
import dev.vantage.server.results.rollups.Rollups;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Epochs follow the results' minutes: a minute's results are written in one go once it ended and its grace passed,
 * a result later than that in the next round, on a clock the test moves.
 */
class RollupEpochsTest {
    /** A clock the test sets; the rounds' timer runs on real time and never fires within this test (see below). */
    private static final class TestClock extends Clock {
        private volatile Instant now;

        TestClock(Instant now) {
            this.now = now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void aMinutesResultsAreWrittenOnceAfterItsGraceAndALateOneInTheNextRound() throws Exception {
        Path dir = Files.createTempDirectory("vantage-rollup-epochs");
        Instant minute = Instant.parse("2026-12-08T10:00:00Z");
        // 10 s into the minute: the first round is due 53 s of real time later, after this test
        TestClock clock = new TestClock(minute.plusSeconds(10));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (Database db = Database.open(ServerConfig.load(Map.of("VANTAGE_DATA_DIR", dir.toString())), registry, List.of());
             Rollups rollups = new Rollups(db, new RollupStore(db), ResultStore::epochEntries, clock, "r1",
                     Duration.ofMinutes(1), registry)) {
            ResultStore results = new ResultStore(db, clock, rollups);
            results.storeBatch("agent-a", results(minute, 0, 30));
            rollups.flushDue();
            assertThat(rows(db, "1m")).as("the minute is still going on").isZero();
            assertThat(rollups.read("task", null, Resolution.MINUTE, minute, minute.plusSeconds(60)))
                    .singleElement().satisfies(s -> assertThat(s.rollup().total()).isEqualTo(30));

            clock.now = minute.plusSeconds(61); // after the minute, within its grace: still its epoch
            results.storeBatch("agent-a", results(minute, 30, 60));
            rollups.flushDue();
            assertThat(rows(db, "1m")).as("within the grace").isZero();

            clock.now = minute.plusSeconds(63);
            rollups.flushDue();
            assertThat(stored(db, "1m")).as("the whole minute in one row").containsExactly(60L);
            assertThat(stored(db, "1h")).containsExactly(60L);
            assertThat(stored(db, "1d")).containsExactly(60L);
            double written = registry.counter("vantage.rollups.rows.written").count();
            assertThat(written).as("one insert a resolution").isEqualTo(3);

            clock.now = minute.plusSeconds(80); // a result of that minute later than its grace
            results.storeBatch("agent-a", results(minute, 59, 60));
            assertThat(stored(db, "1m")).as("not yet: the late epoch waits for the next round").containsExactly(60L);
            assertThat(rollups.read("task", null, Resolution.MINUTE, minute, minute.plusSeconds(60)))
                    .singleElement().satisfies(s -> assertThat(s.rollup().total()).isEqualTo(61));
            clock.now = minute.plusSeconds(123);
            rollups.flushDue();
            assertThat(stored(db, "1m")).containsExactly(61L);
            assertThat(stored(db, "1d")).containsExactly(61L);
            assertThat(db.queryOne("SELECT count(*) FROM rollup_epochs", rs -> rs.getLong(1)).orElseThrow())
                    .as("open epochs: the late ones and the current and next minutes', each in shards")
                    .isEqualTo(3L * Rollups.SHARDS);
        } finally {
            TestServer.deleteTree(dir);
        }
    }

    /** Results of the task at seconds {@code from} to {@code to} (exclusive) of {@code minute}, one a second. */
    private static List<ProbeResult> results(Instant minute, int from, int to) {
        return IntStream.range(from, to).mapToObj(s -> ProbeResult.builder().id(UUID.randomUUID().toString())
                .taskId("task").type("tcp").target("127.0.0.1:80").status(ProbeStatus.SUCCESS)
                .startedAt(minute.plusSeconds(s).plusMillis(500)).duration(Duration.ofMillis(2))
                .phase("connect", Duration.ofMillis(1)).build()).toList();
    }

    private static long rows(Database db, String resolution) {
        return db.queryOne("SELECT count(*) FROM result_rollups WHERE resolution = ?", rs -> rs.getLong(1), resolution)
                .orElseThrow();
    }

    private static List<Long> stored(Database db, String resolution) {
        return db.query("SELECT total FROM result_rollups WHERE resolution = ?", rs -> rs.getLong(1), resolution);
    }
}
