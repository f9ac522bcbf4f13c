package dev.vantage.server.results;

import dev.vantage.server.config.ServerConfig;
import dev.vantage.server.db.Database;
import dev.vantage.server.results.rollups.Resolution;
import dev.vantage.server.db.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the results table within {@code vantage.results.retention}, and the rollups within theirs, at start and every
 * hour.
 *
 * <ul>
 *   <li>PostgreSQL ({@code results} partitioned by day of {@code started_at}, UTC; migration V5): creates the daily
 *       partitions {@code results_pYYYYMMDD} from today to {@link #DAYS_AHEAD} days ahead, moving any rows the
 *       default partition holds for such a day into it, and drops a daily partition once all of it is older than the
 *       retention. Old rows in the default partition are deleted in chunks. One replica at a time: the work runs
 *       under a transaction-scoped advisory lock, and a replica that does not get it skips this round.</li>
 *   <li>H2 (one plain table): deletes rows older than the retention in chunks of {@link #CHUNK}, each its own
 *       transaction, so ingest is never blocked long.</li>
 *   <li>Rollups ({@code result_rollups}, both databases): deletes, in chunks, the buckets of each resolution that
 *       ended before its own retention ({@code vantage.results.rollups.*}); they outlive the raw results.</li>
 * </ul>
 */
public final class ResultRetention implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ResultRetention.class);
    static final int DAYS_AHEAD = 7;
    static final int CHUNK = 10_000;
    private static final DateTimeFormatter DAY = DateTimeFormatter.BASIC_ISO_DATE;

    private final Database db;
    private final Duration retention;
    private final ServerConfig.RollupRetention rollupRetention;
    private final Clock clock;
    private final ScheduledExecutorService timer =
            Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("result-retention").factory());

    public ResultRetention(Database db, Duration retention, ServerConfig.RollupRetention rollupRetention, Clock clock) {
        this.db = db;
        this.retention = retention;
        this.rollupRetention = rollupRetention;
        this.clock = clock;
    }

    /** Runs now (in the background) and every hour. */
    public ResultRetention start() {
        timer.scheduleWithFixedDelay(this::runQuietly, 0, 1, TimeUnit.HOURS);
        return this;
    }

    private void runQuietly() {
        try {
            run();
        } catch (RuntimeException e) {
            LOG.warn("result retention: {} (tried again in an hour)", e.toString());
        }
    }

    /**
     * One round.
     *
     * @return rows deleted (H2 and the PostgreSQL default partition; dropped partitions are not counted), or -1 if
     *         another replica holds the lock
     */
    public long run() {
        Instant cutoff = clock.instant().minus(retention);
        long deleted = db.isPostgres() ? partitions(cutoff) : deleteOlder("results", "started_at", cutoff);
        if (deleted >= 0) {
            rollups(Resolution.MINUTE, rollupRetention.minute());
            rollups(Resolution.HOUR, rollupRetention.hour());
            rollups(Resolution.DAY, rollupRetention.day());
        }
        return deleted;
    }

    /** Deletes rollups whose whole bucket is older than {@code keep} ({@code null}: kept forever). */
    private void rollups(Resolution resolution, Duration keep) {
        if (keep != null) {
            Instant cutoff = clock.instant().minus(keep).minus(resolution.size());
            deleteOlder("result_rollups", "resolution = '" + resolution.label() + "' AND bucket_start", cutoff);
        }
    }

    private long partitions(Instant cutoff) {
        Boolean mine = db.inTransaction(c -> {
            // keyed by schema, so deployments (and test runs) sharing a database do not skip each other
            if (!Sql.queryOne(c, "SELECT pg_try_advisory_xact_lock(hashtext(current_schema() || '.results_retention'))",
                    rs -> rs.getBoolean(1)).orElse(false)) {
                return false;
            }
            exec(c, "SET LOCAL lock_timeout = '10s'"); // DDL waits for ingest's locks; do not stall it behind us
            LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
            for (int i = 0; i <= DAYS_AHEAD; i++) {
                createDay(c, today.plusDays(i));
            }
            LocalDate firstKept = LocalDate.ofInstant(cutoff, ZoneOffset.UTC); // the day holding the cutoff stays
            for (String name : Sql.query(c, "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                    + " WHERE i.inhparent = 'results'::regclass AND c.relname ~ '^results_p[0-9]{8}$'", rs -> rs.getString(1))) {
                if (LocalDate.parse(name.substring("results_p".length()), DAY).isBefore(firstKept)) {
                    exec(c, "DROP TABLE " + name);
                    LOG.info("result retention: dropped partition {} (older than {})", name, retention);
                }
            }
            return true;
        });
        return mine ? deleteOlder("results_default", "started_at", cutoff) : -1;
    }

    /** Creates the partition of {@code day} unless it exists, first taking its rows out of the default partition. */
    private static void createDay(Connection c, LocalDate day) throws SQLException {
        String name = "results_p" + day.format(DAY);
        if (Sql.queryOne(c, "SELECT to_regclass(?) IS NOT NULL", rs -> rs.getBoolean(1), name).orElse(false)) {
            return;
        }
        String from = "'" + day + " 00:00:00+00'";
        String to = "'" + day.plusDays(1) + " 00:00:00+00'";
        String range = "started_at >= " + from + " AND started_at < " + to;
        // no result may be stored between the move and the new partition (it would be deleted uncopied, or make
        // the partition refused): writes wait for this transaction; reads go on
        exec(c, "LOCK TABLE results IN SHARE ROW EXCLUSIVE MODE");
        // PostgreSQL refuses a new partition while the default one holds rows of its range: move them
        exec(c, "CREATE TEMP TABLE results_moving ON COMMIT DROP AS SELECT * FROM results_default WHERE " + range);
        exec(c, "DELETE FROM results_default WHERE " + range);
        exec(c, "CREATE TABLE " + name + " PARTITION OF results FOR VALUES FROM (" + from + ") TO (" + to + ")");
        exec(c, "INSERT INTO results SELECT * FROM results_moving");
        exec(c, "DROP TABLE results_moving");
    }

    /**
     * Deletes the rows of {@code table} where {@code olderThan < cutoff}, a chunk per transaction.
     *
     * @param olderThan a condition ending in the timestamp column compared, e.g. {@code started_at}
     */
    private long deleteOlder(String table, String olderThan, Instant cutoff) {
        long deleted = 0;
        for (int n = CHUNK; n == CHUNK; deleted += n) {
            // PostgreSQL has no DELETE … LIMIT; the ctid form is its usual stand-in, H2's form is plain
            n = db.update(db.isPostgres()
                    ? "DELETE FROM " + table + " WHERE ctid IN (SELECT ctid FROM " + table + " WHERE " + olderThan + " < ? LIMIT " + CHUNK + ")"
                    : "DELETE FROM " + table + " WHERE " + olderThan + " < ? LIMIT " + CHUNK, cutoff);
        }
        if (deleted > 0) {
            LOG.info("result retention: deleted {} rows older than {} from {}", deleted, cutoff, table);
        }
        return deleted;
    }

    private static void exec(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
