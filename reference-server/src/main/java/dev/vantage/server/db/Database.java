package dev.vantage.server.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import dev.vantage.server.config.ServerConfig;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.migration.JavaMigration;

/**
 * The connection pool and schema: embedded H2 (PostgreSQL mode) by default, PostgreSQL when configured. Opening
 * runs the Flyway migrations in {@code db/migration}, which both databases run alike, and those in
 * {@code db/vendor/postgresql} or {@code db/vendor/h2}: the few versions that differ (results are partitioned by day on
 * PostgreSQL only), one script per database under the same version number.
 *
 * <p>Use {@link #query}/{@link #update} for one statement and {@link #inTransaction} for several that must commit
 * together. Thread-safe; calls block (handlers run on virtual threads).
 */
public final class Database implements AutoCloseable {
    private final HikariDataSource pool;
    private final boolean postgres;
    private volatile boolean migrated;

    private Database(HikariDataSource pool, boolean postgres) {
        this.pool = pool;
        this.postgres = postgres;
    }

    /**
     * Opens the pool and migrates the schema.
     *
     * @param javaMigrations the migrations that need the server's parts (a key), which the composition root makes
     */
    public static Database open(ServerConfig config, MeterRegistry registry, List<JavaMigration> javaMigrations) {
        String url = config.jdbcUrl();
        boolean postgres = url.startsWith("jdbc:postgresql:");
        HikariConfig hc = new HikariConfig();
        hc.setPoolName("vantage");
        hc.setJdbcUrl(url);
        if (!config.dbUser().isEmpty()) {
            hc.setUsername(config.dbUser());
        }
        if (!config.dbPassword().isEmpty()) {
            hc.setPassword(config.dbPassword().value());
        }
        hc.setMaximumPoolSize(config.dbPoolSize());
        hc.setConnectionTimeout(config.dbConnectTimeout().toMillis());
        if (postgres) {
            // pgjdbc waits forever by default; the socket timeout stays above the statement timeout so the
            // server cancels a slow statement before the driver gives up on the connection
            long connectSeconds = Math.max(1, config.dbConnectTimeout().toSeconds());
            long statementMillis = config.dbStatementTimeout().toMillis();
            hc.addDataSourceProperty("connectTimeout", Long.toString(connectSeconds));
            hc.addDataSourceProperty("socketTimeout", Long.toString(Math.max(1, statementMillis / 1000) + 30));
            hc.addDataSourceProperty("options", "-c statement_timeout=" + statementMillis);
        }
        hc.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(registry));
        HikariDataSource pool = new HikariDataSource(hc);
        Database db = new Database(pool, postgres);
        try {
            db.migrate(javaMigrations);
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        return db;
    }

    private void migrate(List<JavaMigration> javaMigrations) {
        Flyway.configure()
                .dataSource(pool)
                .locations("classpath:db/migration", "classpath:db/vendor/" + (postgres ? "postgresql" : "h2"))
                .javaMigrations(javaMigrations.toArray(JavaMigration[]::new))
                .failOnMissingLocations(true)
                .load()
                .migrate();
        migrated = true;
    }

    public DataSource dataSource() {
        return pool;
    }

    public boolean isPostgres() {
        return postgres;
    }

    /** True if the schema is migrated and the database answers within two seconds. */
    public boolean ready() {
        if (!migrated || pool.isClosed()) {
            return false;
        }
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            s.setQueryTimeout(2);
            s.execute("SELECT 1");
            return true;
        } catch (SQLException e) {
            return false;
        }
    }

    /** Work on one connection inside a transaction. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** Runs {@code work} in a transaction: commits if it returns, rolls back if it throws. */
    public <T> T inTransaction(Work<T> work) {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new DatabaseException(e);
        }
    }

    /** Runs {@code work} on a connection in auto-commit mode. */
    public <T> T withConnection(Work<T> work) {
        try (Connection c = pool.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw new DatabaseException(e);
        }
    }

    public <T> List<T> query(String sql, Sql.RowMapper<T> mapper, Object... params) {
        return withConnection(c -> Sql.query(c, sql, mapper, params));
    }

    public <T> Optional<T> queryOne(String sql, Sql.RowMapper<T> mapper, Object... params) {
        return withConnection(c -> Sql.queryOne(c, sql, mapper, params));
    }

    public int update(String sql, Object... params) {
        return withConnection(c -> Sql.update(c, sql, params));
    }

    @Override
    public void close() {
        pool.close();
    }
}
