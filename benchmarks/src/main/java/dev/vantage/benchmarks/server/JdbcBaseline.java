package dev.vantage.benchmarks.server;

import dev.vantage.probe.engine.Durations;
import dev.vantage.probe.json.ResultJson;
import dev.vantage.probe.spi.ProbeResult;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The storage ceiling to compare ingest with: the same result rows inserted with plain JDBC into an H2 file database
 * in PostgreSQL mode, one transaction per batch, on one connection. It uses the server jar's own H2 driver, schema
 * (its Flyway migrations, in version order) and insert statement, so only the server's own work is left out: the
 * WebSocket, JSON decoding, the connection pool and everything around the insert.
 */
final class JdbcBaseline {
    /** As in the server's ResultStore. */
    private static final String INSERT = "INSERT INTO results (id, task_id, agent_id, type, target, status, error_kind,"
            + " started_at, duration_ms, loss_percent, body, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            + " ON CONFLICT DO NOTHING";
    // the shared scripts and the H2 ones (db/vendor/h2), as the server runs them on H2
    private static final Pattern MIGRATION = Pattern.compile("db/(?:migration|vendor/h2)/V(\\d+)__.*\\.sql");

    /**
     * Rows inserted in {@code seconds}, {@code batch} rows per transaction, and the CPU time this process spent on it
     * (H2 runs in-process, its background writer included).
     */
    record Rate(int batch, long rows, double seconds, long cpuNanos) {
        double perSecond() {
            return rows / seconds;
        }

        double cpuMicrosPerRow() {
            return cpuNanos / 1e3 / rows;
        }
    }

    private JdbcBaseline() {
    }

    static Rate measure(Path serverJar, int batch, int agents, double seconds) throws IOException, SQLException {
        Path dir = Files.createTempDirectory("vantage-jdbc-baseline-");
        try (URLClassLoader loader = new URLClassLoader(new URL[] {serverJar.toUri().toURL()},
                JdbcBaseline.class.getClassLoader());
             Connection c = connect(loader, dir)) {
            migrate(serverJar, c);
            return insert(c, batch, agents, seconds);
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static Connection connect(ClassLoader loader, Path dir) throws SQLException {
        try {
            Driver h2 = (Driver) Class.forName("org.h2.Driver", true, loader).getDeclaredConstructor().newInstance();
            // the URL the server builds for its embedded default (ServerConfig.jdbcUrl)
            return h2.connect("jdbc:h2:file:" + dir.resolve("vantage")
                    + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH", new Properties());
        } catch (ReflectiveOperationException e) {
            throw new SQLException("no H2 driver in the server jar", e);
        }
    }

    private static void migrate(Path serverJar, Connection c) throws IOException, SQLException {
        try (ZipFile jar = new ZipFile(serverJar.toFile()); Statement s = c.createStatement()) {
            List<? extends ZipEntry> scripts = jar.stream()
                    .filter(e -> MIGRATION.matcher(e.getName()).matches())
                    .sorted(Comparator.comparingInt(JdbcBaseline::version))
                    .toList();
            for (ZipEntry e : scripts) {
                try (InputStream in = jar.getInputStream(e)) {
                    String sql = new String(in.readAllBytes(), StandardCharsets.UTF_8).replaceAll("(?m)--.*$", "");
                    for (String statement : sql.split(";")) {
                        if (!statement.isBlank()) {
                            s.execute(statement);
                        }
                    }
                }
            }
        }
    }

    private static int version(ZipEntry e) {
        Matcher m = MIGRATION.matcher(e.getName());
        return m.matches() ? Integer.parseInt(m.group(1)) : 0;
    }

    private static Rate insert(Connection c, int batch, int agents, double seconds) throws SQLException {
        String taskId = "baseline-task";
        String[] agentIds = new String[agents];
        for (int i = 0; i < agents; i++) {
            agentIds[i] = UUID.randomUUID().toString();
        }
        c.setAutoCommit(false);
        long rows = 0;
        long cpu0 = IngestHarness.ownCpuNanos();
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            for (long b = 0; System.nanoTime() < end; b++) {
                int agent = (int) (b % agents);
                Instant now = Instant.now();
                for (int i = 0; i < batch; i++) {
                    ProbeResult r = SimAgent.result(agent, rows + i, now, taskId);
                    bind(ps, r, agentIds[agent], now);
                    ps.addBatch();
                }
                ps.executeBatch();
                c.commit();
                rows += batch;
            }
        }
        return new Rate(batch, rows, (System.nanoTime() - start) / 1e9, IngestHarness.ownCpuNanos() - cpu0);
    }

    /** Binds the columns as ResultStore does (Sql.bind: instants as UTC offsets, null as Types.NULL). */
    private static void bind(PreparedStatement ps, ProbeResult r, String agentId, Instant received) throws SQLException {
        ps.setObject(1, r.id());
        ps.setObject(2, r.taskId());
        ps.setObject(3, agentId);
        ps.setObject(4, r.type());
        ps.setObject(5, r.target());
        ps.setObject(6, r.status().name());
        ps.setNull(7, Types.NULL);
        ps.setObject(8, r.startedAt().atOffset(ZoneOffset.UTC));
        ps.setObject(9, Durations.toMillis(r.duration()));
        ps.setNull(10, Types.NULL);
        ps.setObject(11, ResultJson.toJson(r));
        ps.setObject(12, received.atOffset(ZoneOffset.UTC));
    }
}
