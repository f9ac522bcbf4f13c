package dev.vantage.benchmarks.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.probe.json.ResultJson;
import dev.vantage.probe.spi.ErrorKind;
import dev.vantage.probe.spi.ProbeResult;
import java.io.StringReader;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import org.postgresql.PGConnection;

/**
 * Long-range analytics on PostgreSQL (issue 17): a 90-day {@code /aggregates} query of one task and a 30-day SLA
 * report of every task, read from the rollups, beside the same figures computed by PostgreSQL from the raw rows in the
 * same run.
 *
 * <p>The history: {@code --tasks} tasks × {@code --agents} agents × one result a minute for {@code --days} days.
 * The first task's raw results are generated (tcp results with a connect phase, per-agent latency, 0.5 % failures)
 * and COPYed into {@code results}, each day tagged with a rollup epoch left "open" as if by a crashed replica; the
 * server under test then counts them into its rollups with its own code when it starts (the recovery path,
 * docs/rollups.md), which this harness times. The other tasks get copies of the first task's rollup rows (every
 * 1-day row, the 1-hour rows of the last 2 days, the 1-minute rows of the last 2 hours: what the measured queries
 * read, each table as large as the whole history's would be at the resolutions they read). Raw results exist only for
 * the first task: the raw baseline of the all-task SLA report would be {@code tasks × agents × 43,200} rows.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.vantage.benchmarks.server.AnalyticsHarness --tasks 1000 --agents 10
 * </pre>
 *
 * Options: {@code --jar}, {@code --tasks} 1000, {@code --agents} 10, {@code --days} 90, {@code --requests} 200
 * (each rollup query; the raw ones a tenth), {@code --server-jvm} "-Xmx1g". Needs PostgreSQL on 127.0.0.1:5432 and
 * RabbitMQ on 127.0.0.1:5672 (the replicated backend); uses a fresh database, dropped at the end. Times are from
 * request to the last byte of the answer (not parsed) on one client, one request at a time.
 */
public final class AnalyticsHarness {
    private static final String FIRST = "t0000";

    private AnalyticsHarness() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = IngestHarness.options(args);
        Path jar = Path.of(o.getOrDefault("jar", "reference-server/target/vantage-server.jar"));
        int tasks = Integer.parseInt(o.getOrDefault("tasks", "1000"));
        int agents = Integer.parseInt(o.getOrDefault("agents", "10"));
        int days = Integer.parseInt(o.getOrDefault("days", "90"));
        int requests = Integer.parseInt(o.getOrDefault("requests", "200"));
        List<String> jvm = List.of(o.getOrDefault("server-jvm", "-Xmx1g").trim().split("\\s+"));
        String password = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Instant from = now.truncatedTo(ChronoUnit.DAYS).minus(Duration.ofDays(days - 1)); // whole days, then today

        try (BrokerBackend backend = BrokerBackend.create()) {
            Map<String, String> env = new HashMap<>(backend.serverEnv());
            env.put("VANTAGE_RESULTS_RETENTION", (days + 10) + "d");
            System.out.printf("analytics: %,d tasks x %d agents x 1 result/min for %d days; database %s; loadavg %s%n",
                    tasks, agents, days, backend.database, IngestHarness.loadavg());
            long t0 = System.nanoTime();
            try (ServerProcess server = ServerProcess.start(jar, jvm, password, false, Duration.ofMinutes(2), env)) {
                ServerApi api = new ServerApi(server.base());
                api.login("admin", password);
                for (int i = 0; i < tasks; i++) {
                    String id = String.format(Locale.ROOT, "t%04d", i);
                    api.post("/api/v1/tasks", Map.of("id", id, "name", id, "type", "tcp", "target", "127.0.0.1:9",
                            "interval", "1m", "selector", Map.of("all", true)));
                    api.put("/api/v1/tasks/" + id + "/sla/objective",
                            Map.of("availability", 99.0, "latencyQuantile", 0.95, "latencyMs", 60));
                }
            }
            System.out.printf("created %,d tasks with SLA objectives in %.1f s%n", tasks, (System.nanoTime() - t0) / 1e9);

            String url = BrokerBackend.PG + backend.database;
            t0 = System.nanoTime();
            long raw = history(url, agents, from, now);
            System.out.printf("COPYed %,d raw results of %s in %.1f s%n", raw, FIRST, (System.nanoTime() - t0) / 1e9);

            t0 = System.nanoTime();
            try (ServerProcess server = ServerProcess.start(jar, jvm, password, false, Duration.ofMinutes(30), env)) {
                System.out.printf("server counted them into its rollups at start (epoch recovery): ready after %.1f s%n",
                        (System.nanoTime() - t0) / 1e9);
                t0 = System.nanoTime();
                long copied = replicate(url, now);
                System.out.printf("copied %,d rollup rows to the other tasks in %.1f s%n", copied, (System.nanoTime() - t0) / 1e9);
                measure(server, password, url, from, now, requests, tasks, agents, days);
            }
        }
    }

    /** COPYs a day of raw results at a time, each day one open rollup epoch; answers the rows written. */
    private static long history(String url, int agents, Instant from, Instant now) throws Exception {
        Random random = new Random(17);
        double[] base = new double[agents];
        for (int a = 0; a < agents; a++) {
            base[a] = 3 + 40 * random.nextDouble(); // each vantage point its own distance
        }
        long rows = 0;
        try (Connection c = DriverManager.getConnection(url, "postgres", "")) {
            c.setAutoCommit(false);
            for (Instant day = from; day.isBefore(now); day = day.plus(Duration.ofDays(1))) {
                long epoch;
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO rollup_epochs (replica, opened_at)"
                        + " VALUES ('history', ?) RETURNING id")) {
                    ps.setObject(1, day.atOffset(ZoneOffset.UTC));
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        epoch = rs.getLong(1);
                    }
                }
                StringBuilder text = new StringBuilder(16 << 20);
                Instant end = day.plus(Duration.ofDays(1)).isBefore(now) ? day.plus(Duration.ofDays(1)) : now;
                for (Instant minute = day; minute.isBefore(end); minute = minute.plusSeconds(60)) {
                    for (int a = 0; a < agents; a++) {
                        row(text, result(random, minute.plusMillis(a * 997L), base[a]), "agent-" + a, epoch);
                        rows++;
                    }
                }
                ((PGConnection) c).getCopyAPI().copyIn("COPY results (id, task_id, agent_id, type, target, status,"
                        + " error_kind, started_at, duration_ms, latency_ms, loss_percent, body, received_at, rollup_epoch)"
                        + " FROM STDIN", new StringReader(text.toString()));
                c.commit();
            }
            try (Statement s = c.createStatement()) {
                s.execute("ANALYZE results");
            }
            c.commit();
        }
        return rows;
    }

    private static ProbeResult result(Random random, Instant at, double baseMs) {
        ProbeResult.Builder b = ProbeResult.builder().id(java.util.UUID.randomUUID().toString()).taskId(FIRST)
                .type("tcp").target("127.0.0.1:9").startedAt(at);
        if (random.nextDouble() < 0.005) {
            return b.duration(Duration.ofSeconds(5)).error(ErrorKind.TIMEOUT, "no answer within 5s").build();
        }
        double ms = baseMs * Math.exp(0.25 * random.nextGaussian()) + 0.1;
        Duration d = Duration.ofNanos((long) (ms * 1e6));
        return b.duration(d).phase("connect", d).build();
    }

    private static void row(StringBuilder out, ProbeResult r, String agent, long epoch) {
        String latency = r.error() == null ? Double.toString(r.duration().toNanos() / 1e6) : "\\N";
        String[] cols = {r.id(), r.taskId(), agent, r.type(), r.target(), r.status().name(),
                r.error() == null ? "\\N" : r.error().kind().name(), r.startedAt().atOffset(ZoneOffset.UTC).toString(),
                Double.toString(r.duration().toNanos() / 1e6), latency, "\\N",
                ResultJson.toJson(r).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n"),
                r.startedAt().atOffset(ZoneOffset.UTC).toString(), Long.toString(epoch)};
        out.append(String.join("\t", cols)).append('\n');
    }

    /** Gives every other task the first task's rollup rows the measured queries read; answers the rows inserted. */
    private static long replicate(String url, Instant now) throws Exception {
        try (Connection c = DriverManager.getConnection(url, "postgres", "");
             PreparedStatement ps = c.prepareStatement("INSERT INTO result_rollups (task_id, resolution, bucket_start,"
                     + " agent_id, total, successes, failures, timeouts, errors, error_kinds, latency_min, latency_max,"
                     + " latency_sum, loss_sum, loss_count, sketches)"
                     + " SELECT t.id, r.resolution, r.bucket_start, r.agent_id, r.total, r.successes, r.failures,"
                     + " r.timeouts, r.errors, r.error_kinds, r.latency_min, r.latency_max, r.latency_sum, r.loss_sum,"
                     + " r.loss_count, r.sketches FROM result_rollups r CROSS JOIN tasks t"
                     + " WHERE r.task_id = ? AND t.id <> ? AND (r.resolution = '1d'"
                     + " OR (r.resolution = '1h' AND r.bucket_start >= ?) OR (r.resolution = '1m' AND r.bucket_start >= ?))")) {
            ps.setString(1, FIRST);
            ps.setString(2, FIRST);
            ps.setObject(3, now.minus(Duration.ofDays(2)).atOffset(ZoneOffset.UTC));
            ps.setObject(4, now.minus(Duration.ofHours(2)).atOffset(ZoneOffset.UTC));
            long n = ps.executeUpdate();
            try (Statement s = c.createStatement()) {
                s.execute("ANALYZE result_rollups");
            }
            return n;
        }
    }

    private static void measure(ServerProcess server, String password, String url, Instant from, Instant now,
                                int requests, int tasks, int agents, int days) throws Exception {
        ServerApi api = new ServerApi(server.base());
        api.login("admin", password);
        String aggregates = "/api/v1/tasks/" + FIRST + "/aggregates?from=" + from + "&to=" + now + "&bucket=1d&by=";
        JsonNode answer = api.page(aggregates + "all");
        long counted = 0;
        for (JsonNode item : answer.path("items")) {
            counted += item.path("count").asLong();
        }
        System.out.printf("%s %d-day aggregates: resolution %s, %d buckets, %,d results counted%n", FIRST, days,
                answer.path("resolution").asText(), answer.path("items").size(), counted);
        int few = Math.max(5, requests / 10);
        List<String> lines = new ArrayList<>();
        lines.add(timed(days + "-day /aggregates, 1d buckets, all agents merged (rollups)", requests,
                () -> api.length(aggregates + "all")));
        lines.add(timed(days + "-day /aggregates, 1d buckets, per agent (rollups)", requests,
                () -> api.length(aggregates + "agent")));
        try (Connection c = DriverManager.getConnection(url, "postgres", "")) {
            lines.add(timed(days + "-day, 1d buckets, all agents merged, PostgreSQL over the raw rows", few,
                    () -> rawDays(c, from, now, false)));
            lines.add(timed(days + "-day, 1d buckets, per agent, PostgreSQL over the raw rows", few,
                    () -> rawDays(c, from, now, true)));
            Instant month = now.truncatedTo(ChronoUnit.DAYS).minus(Duration.ofDays(29));
            lines.add(timed("30-day SLA report (period=day, periods=30), " + FIRST + " (rollups)", requests,
                    () -> api.length("/api/v1/tasks/" + FIRST + "/sla?period=day&periods=30")));
            lines.add(timed("30 days by day for " + FIRST + ", PostgreSQL over the raw rows", few,
                    () -> rawDays(c, month, now, false)));
        }
        int reports = Math.max(5, requests / 20);
        JsonNode all = api.page("/api/v1/sla?period=day&periods=30");
        System.out.printf("all-task SLA report: %,d rows, %,d characters of JSON%n", all.path("items").size(),
                api.length("/api/v1/sla?period=day&periods=30"));
        lines.add(timed("30-day SLA report (period=day, periods=30), all " + tasks + " tasks (rollups)", reports,
                () -> api.length("/api/v1/sla?period=day&periods=30")));
        lines.add(timed("30-day SLA report (period=month, periods=1), all " + tasks + " tasks (rollups)", reports,
                () -> api.length("/api/v1/sla?period=month&periods=1")));
        lines.add(timed("30-day SLA report (period=day, periods=30), all " + tasks + " tasks as CSV (rollups)", reports,
                () -> api.length("/api/v1/sla?period=day&periods=30&format=csv")));
        System.out.printf("%n| query (%d agents) | runs | p50 ms | p99 ms | max ms |%n|---|---:|---:|---:|---:|%n", agents);
        lines.forEach(System.out::println);
        System.out.printf("loadavg %s%n", IngestHarness.loadavg());
    }

    /** The aggregates' figures per UTC day (count, availability, p50/p95/p99, min, max) as PostgreSQL computes them. */
    private static int rawDays(Connection c, Instant from, Instant to, boolean byAgent) throws Exception {
        String agent = byAgent ? ", agent_id" : "";
        try (PreparedStatement ps = c.prepareStatement("SELECT date_trunc('day', started_at AT TIME ZONE 'UTC') AS d"
                + agent + ", count(*), count(*) FILTER (WHERE status = 'SUCCESS'),"
                + " percentile_disc(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY latency_ms) FILTER (WHERE status = 'SUCCESS'),"
                + " min(latency_ms) FILTER (WHERE status = 'SUCCESS'), max(latency_ms) FILTER (WHERE status = 'SUCCESS')"
                + " FROM results WHERE task_id = ? AND started_at >= ? AND started_at < ? GROUP BY d" + agent
                + " ORDER BY d" + agent)) {
            ps.setString(1, FIRST);
            ps.setObject(2, OffsetDateTime.ofInstant(from, ZoneOffset.UTC));
            ps.setObject(3, OffsetDateTime.ofInstant(to, ZoneOffset.UTC));
            int n = 0;
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    n++;
                }
            }
            return n;
        }
    }

    /** Runs {@code query} a tenth of {@code runs} (at least 2) to warm up, then {@code runs} times; a table row. */
    private static String timed(String what, int runs, Callable<?> query) throws Exception {
        for (int i = 0; i < Math.max(2, runs / 10); i++) {
            query.call();
        }
        double[] ms = new double[runs];
        for (int i = 0; i < runs; i++) {
            long t = System.nanoTime();
            query.call();
            ms[i] = (System.nanoTime() - t) / 1e6;
        }
        java.util.Arrays.sort(ms);
        String row = String.format(Locale.ROOT, "| %s | %d | %.1f | %.1f | %.1f |", what, runs,
                ms[(int) Math.floor(0.5 * (runs - 1))], ms[(int) Math.ceil(0.99 * (runs - 1))], ms[runs - 1]);
        System.out.println(row);
        return row;
    }
}
