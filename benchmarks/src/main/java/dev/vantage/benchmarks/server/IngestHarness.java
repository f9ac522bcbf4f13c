package dev.vantage.benchmarks.server;

import dev.vantage.benchmarks.Histogram;
import java.lang.management.ManagementFactory;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Whole-process ingest benchmark of the reference server on its embedded default database: N simulated agents, each
 * a real protocol client on its own WebSocket, send R results/s each; the harness measures result-to-stored latency
 * (creation to ack), the stored rate, the server's heap and CPU, then checks through the REST API that every result
 * made was stored exactly once. Ends with the same-run storage ceiling ({@link JdbcBaseline}) to compare with.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.vantage.benchmarks.server.IngestHarness \
 *      --agents 200 --rate 50 --seconds 60 --warmup 10 --server-jvm=-Xmx1g
 * </pre>
 *
 * Options ({@code --name value} or {@code --name=value}): {@code --jar} (the server jar, default
 * reference-server/target/vantage-server.jar), {@code --agents} 200, {@code --rate} 50 results/s per agent,
 * {@code --seconds} 60 measured, {@code --warmup} 10, {@code --batch-ms} 100 and {@code --max-batch} 200 (a batch
 * per agent every batch-ms, or as soon as max-batch results are queued), {@code --window} 8 unacked batches per
 * agent, {@code --drain} 60 s to wait for the backlog after the run, {@code --server-jvm} "-Xmx1g" (space-separated
 * JVM options of the server), {@code --verify-agents} all (how many agents' stored results to page through),
 * {@code --baseline-seconds} 10 per batch size (0: none), {@code --keep} false (keep the data directory and log),
 * {@code --backend} embedded (H2 in the server process) or {@code amqp}: the server on a fresh PostgreSQL database
 * (127.0.0.1:5432) and RabbitMQ (127.0.0.1:5672), so results go agent → server → quorum queue → consumer →
 * PostgreSQL; the stored rate is then read from the server's {@code vantage_queue_results_stored_total}, and the
 * ceilings are raw amqp-client publish/consume with confirms and PostgreSQL COPY ({@link BrokerBackend});
 * {@code --tls} true: two servers at once, one on plain {@code ws://} and one on {@code wss://} (TLS 1.3, a
 * self-signed certificate), each with its own {@code --agents} at {@code --rate}, and the ratio of their server CPU
 * per result (embedded backend, no baseline).
 *
 * <p>Exits 1 if a result was lost, stored twice or still undelivered after the drain, 2 on a setup failure.
 */
public final class IngestHarness {
    private static final long TICK_MILLIS = 10;

    private IngestHarness() {
    }

    public static void main(String[] args) {
        try {
            System.exit(run(options(args)) ? 0 : 1);
        } catch (Exception e) {
            e.printStackTrace();
            System.exit(2);
        }
    }

    private static boolean run(Map<String, String> o) throws Exception {
        Path jar = Path.of(o.getOrDefault("jar", "reference-server/target/vantage-server.jar"));
        int agents = Integer.parseInt(o.getOrDefault("agents", "200"));
        double rate = Double.parseDouble(o.getOrDefault("rate", "50"));
        int seconds = Integer.parseInt(o.getOrDefault("seconds", "60"));
        int warmup = Integer.parseInt(o.getOrDefault("warmup", "10"));
        int batchMs = Integer.parseInt(o.getOrDefault("batch-ms", "100"));
        int maxBatch = Integer.parseInt(o.getOrDefault("max-batch", "200"));
        int window = Integer.parseInt(o.getOrDefault("window", "8"));
        int drain = Integer.parseInt(o.getOrDefault("drain", "60"));
        List<String> serverJvm = List.of(o.getOrDefault("server-jvm", "-Xmx1g").trim().split("\\s+"));
        int verifyAgents = Integer.parseInt(o.getOrDefault("verify-agents", Integer.toString(agents)));
        double baselineSeconds = Double.parseDouble(o.getOrDefault("baseline-seconds", "10"));
        boolean keep = Boolean.parseBoolean(o.getOrDefault("keep", "false"));
        boolean amqp = o.getOrDefault("backend", "embedded").equals("amqp");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalArgumentException("no server jar at " + jar + " (--jar)");
        }
        System.out.printf("ingest: %d agents x %.0f results/s = %,.0f/s offered, %d s measured after %d s warm-up,"
                        + " batch every %d ms or %d results, window %d, server %s, loadavg %s%n",
                agents, rate, agents * rate, seconds, warmup, batchMs, maxBatch, window, serverJvm, loadavg());

        String password = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
        if (Boolean.parseBoolean(o.getOrDefault("tls", "false"))) {
            if (amqp) {
                throw new IllegalArgumentException("--tls compares on the embedded backend only");
            }
            // the same load on plain ws:// and on wss:// (TLS 1.3) at the same time, each server with its own agents:
            // both see the same machine load (other work on a shared machine comes and goes), and the plain one is
            // the baseline of the TLS one
            try (ServerProcess plain = ServerProcess.start(jar, serverJvm, password, keep, Duration.ofSeconds(120),
                    Map.of(), false);
                 ServerProcess tls = ServerProcess.start(jar, serverJvm, password, keep, Duration.ofSeconds(120),
                         Map.of(), true)) {
                List<ServerProcess> servers = List.of(plain, tls);
                List<Report> reports = List.of(new Report(), new Report());
                List<CompletableFuture<Boolean>> runs = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    ServerProcess server = servers.get(i);
                    Report report = reports.get(i);
                    report.put("tls", i == 1);
                    report.put("agents", agents);
                    report.put("offered/s", agents * rate);
                    System.out.printf("server pid %d at %s, log %s%n", server.pid(), server.agentSocket(), server.log());
                    runs.add(CompletableFuture.supplyAsync(() -> {
                        try {
                            return ingest(server, new IngestStats(), report, agents, rate, seconds, warmup, batchMs,
                                    maxBatch, window, drain, verifyAgents, password, null);
                        } catch (Exception e) {
                            throw new java.util.concurrent.CompletionException(e);
                        }
                    }, Executors.newVirtualThreadPerTaskExecutor()));
                }
                boolean clean = runs.get(0).get() & runs.get(1).get();
                for (Report r : reports) {
                    r.put("loadavg", loadavg());
                    System.out.println("INGEST " + r);
                }
                System.out.printf("TLS serverCpuUsPerResult plain=%.1f tls=%.1f ratio=%.3f%n",
                        reports.get(0).number("serverCpuUs"), reports.get(1).number("serverCpuUs"),
                        reports.get(1).number("serverCpuUs") / reports.get(0).number("serverCpuUs"));
                return clean;
            }
        }
        IngestStats stats = new IngestStats();
        Report report = new Report();
        report.put("agents", agents);
        report.put("offered/s", agents * rate);
        boolean clean;
        BrokerBackend broker = amqp ? BrokerBackend.create() : null;
        try {
            try (ServerProcess server = ServerProcess.start(jar, serverJvm, password, keep, Duration.ofSeconds(120),
                    broker == null ? Map.of() : broker.serverEnv())) {
                System.out.printf("server pid %d at %s, log %s, backend %s%n", server.pid(), server.base(), server.log(),
                        amqp ? "PostgreSQL " + broker.database + " + RabbitMQ " + broker.prefix + ".results" : "embedded H2");
                clean = ingest(server, stats, report, agents, rate, seconds, warmup, batchMs, maxBatch, window, drain,
                        verifyAgents, password, broker);
            }
            if (broker != null && baselineSeconds > 0) {
                int runBatch = (int) Math.max(1, Math.min(maxBatch, Math.round(rate * batchMs / 1000.0)));
                BrokerBackend.Rate mq = broker.amqpConfirmed(runBatch, baselineSeconds);
                System.out.printf("baseline: amqp-client publish+consume, confirms, quorum queue, %d results per"
                        + " message: %,.0f messages/s = %,.0f results/s, %.1f us harness CPU per result%n", runBatch,
                        mq.messagesPerSecond(), mq.resultsPerSecond(), mq.cpuMicrosPerResult());
                report.put("amqp(batch=" + runBatch + ")/s", mq.resultsPerSecond());
                for (int rows : List.of(runBatch, 2000)) {
                    BrokerBackend.Rate copy = broker.pgCopy(rows, baselineSeconds);
                    System.out.printf("baseline: PostgreSQL COPY, %d rows per COPY and commit: %,.0f rows/s, %.1f us"
                            + " harness CPU per row%n", rows, copy.resultsPerSecond(), copy.cpuMicrosPerResult());
                    report.put("copy(rows=" + rows + ")/s", copy.resultsPerSecond());
                    dropCopyTable(broker);
                }
                report.put("loadavg", loadavg());
                System.out.println("INGEST " + report);
                return clean;
            }
        } finally {
            if (broker != null) {
                broker.close();
            }
        }
        if (baselineSeconds > 0) {
            int runBatch = (int) Math.max(1, Math.min(maxBatch, Math.round(rate * batchMs / 1000.0)));
            for (int batch : runBatch == maxBatch ? List.of(runBatch) : List.of(runBatch, maxBatch)) {
                JdbcBaseline.Rate r = JdbcBaseline.measure(jar, batch, agents, baselineSeconds);
                System.out.printf("baseline: JDBC into H2 (PostgreSQL mode), %d rows per transaction: %,.0f rows/s"
                        + " (%,d rows in %.1f s), %.1f us CPU per row%n", batch, r.perSecond(), r.rows(), r.seconds(),
                        r.cpuMicrosPerRow());
                report.put("jdbc(batch=" + batch + ")/s", r.perSecond());
                report.put("jdbc(batch=" + batch + ")CpuUs", r.cpuMicrosPerRow());
                if (batch == runBatch) {
                    // the first ratio means "share of the ceiling" only when the server is saturated; the second
                    // holds at any load: server CPU per stored result over the bare insert's CPU per row
                    report.put("stored/ceiling", report.number("stored/s") / r.perSecond());
                    report.put("serverCpu/ceilingCpu", report.number("serverCpuUs") / r.cpuMicrosPerRow());
                }
            }
        }
        report.put("loadavg", loadavg());
        System.out.println("INGEST " + report);
        return clean;
    }

    private static void dropCopyTable(BrokerBackend broker) throws java.sql.SQLException {
        try (var c = java.sql.DriverManager.getConnection(BrokerBackend.PG + broker.database, "postgres", "");
             var s = c.createStatement()) {
            s.execute("DROP TABLE results_copy");
        }
    }

    private static boolean ingest(ServerProcess server, IngestStats stats, Report report, int agentCount,
                                  double rate, int seconds, int warmup, int batchMs, int maxBatch, int window,
                                  int drain, int verifyAgents, String password, BrokerBackend broker) throws Exception {
        ServerApi api = new ServerApi(server);
        api.login("admin", password);
        String token = api.enrollmentToken(agentCount);
        String taskId = api.createTask("ingest-bench");
        long t0 = System.nanoTime();
        List<SimAgent> agents = new ArrayList<>();
        for (int i = 0; i < agentCount; i++) {
            agents.add(new SimAgent(i, api.enroll(token, "sim-" + i), taskId, stats, window, maxBatch));
        }
        System.out.printf("enrolled %d agents in %.1f s%n", agentCount, (System.nanoTime() - t0) / 1e9);

        connect(agents, server);

        ServerMonitor monitor = new ServerMonitor(api, server.pid());
        monitor.start(2);
        Pacer pacer = new Pacer(agents, rate, batchMs);
        pacer.start();
        long maxBacklog = 0;
        try {
            Thread.sleep(warmup * 1000L);
            long start = System.nanoTime();
            stats.openWindow(start);
            long serverCpu0 = monitor.cpuNanos();
            long ownCpu0 = ownCpuNanos();
            long produced0 = stats.produced.sum();
            double dbStored0 = broker == null ? 0 : ServerMonitor.value(api.metrics(), "vantage_queue_results_stored_total");
            for (int s = 1; s <= seconds; s++) {
                Thread.sleep(Math.max(0, start + s * 1_000_000_000L - System.nanoTime()) / 1_000_000);
                long backlog = backlog(agents);
                maxBacklog = Math.max(maxBacklog, backlog);
                if (s % 5 == 0 || s == seconds) {
                    System.out.printf("  %3d s: stored %,.0f/s, backlog %,d results, heap %.0f MB, loadavg %s%n", s,
                            stats.storedInWindow.sum() / ((System.nanoTime() - start) / 1e9), backlog,
                            monitor.lastHeapBytes() / 1e6, loadavg());
                }
                if (!server.alive()) {
                    break;
                }
            }
            long end = System.nanoTime();
            stats.closeWindow(end);
            double windowSeconds = (end - start) / 1e9;
            pacer.stopProducing();
            report.put("made/s", (stats.produced.sum() - produced0) / windowSeconds);
            report.put("stored/s", stats.storedInWindow.sum() / windowSeconds);
            if (broker != null) {
                // acks mean "confirmed by the broker" here; what reached PostgreSQL is the consumer's count
                report.put("dbStored/s", (ServerMonitor.value(api.metrics(), "vantage_queue_results_stored_total")
                        - dbStored0) / windowSeconds);
                report.put("queuedAtEnd", broker.queued());
            }
            double serverCores = (monitor.cpuNanos() - serverCpu0) / 1e9 / windowSeconds;
            report.put("serverCpuCores", serverCores);
            report.put("serverCpuUs", serverCores * 1e6 / report.number("stored/s"));
            report.put("harnessCpuCores", (ownCpuNanos() - ownCpu0) / 1e9 / windowSeconds);
            report.put("backlogMax", maxBacklog);
            report.put("backlogAtEnd", backlog(agents));

            long drainEnd = System.nanoTime() + drain * 1_000_000_000L;
            while (backlog(agents) > 0 && System.nanoTime() < drainEnd && server.alive()) {
                Thread.sleep(100);
            }
            System.out.printf("drained after the run in %.1f s, %,d results still queued or unacked%n",
                    (System.nanoTime() - end) / 1e9, backlog(agents));
            if (broker != null) {
                while (System.nanoTime() < drainEnd && ServerMonitor.value(api.metrics(), "vantage_queue_results_stored_total")
                        + ServerMonitor.value(api.metrics(), "vantage_queue_results_duplicates_total") < stats.produced.sum()) {
                    Thread.sleep(100);
                }
                System.out.printf("queue drained into PostgreSQL %.1f s after the run, %d messages left%n",
                        (System.nanoTime() - end) / 1e9, broker.queued());
            }
        } finally {
            pacer.stop();
            monitor.close();
        }
        latencies(report, stats);
        report.put("maxHeapMB", monitor.maxHeapBytes() / 1e6);
        report.put("serverLogWarnings", warnings(server.log()));
        if (!monitor.lastError().isEmpty()) {
            System.out.println("last /metrics error: " + monitor.lastError());
        }
        return verify(api, agents, stats, report, verifyAgents);
    }

    /** Opens every agent's socket, a few at a time so the upgrades (a credential lookup each) do not all queue at once. */
    static void connect(List<SimAgent> agents, ServerProcess server) throws Exception {
        long t0 = System.nanoTime();
        HttpClient ws = server.http().build();
        for (int from = 0; from < agents.size(); from += 10) {
            List<CompletableFuture<Duration>> welcomes = new ArrayList<>();
            for (SimAgent a : agents.subList(from, Math.min(agents.size(), from + 10))) {
                welcomes.add(a.connect(ws, server.agentSocket()));
            }
            CompletableFuture.allOf(welcomes.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
        }
        System.out.printf("connected and welcomed %d agents in %.1f s%n", agents.size(), (System.nanoTime() - t0) / 1e9);
    }

    /** Checks stored results against what was made; true if nothing was lost or stored twice. */
    private static boolean verify(ServerApi api, List<SimAgent> agents, IngestStats stats, Report report, int sample)
            throws Exception {
        List<String> failures = agents.stream().filter(a -> a.failure() != null)
                .map(a -> a.agentId() + ": " + a.failure()).toList();
        failures.stream().limit(5).forEach(f -> System.out.println("agent failed: " + f));
        long produced = stats.produced.sum();
        long acked = stats.stored.sum();
        long t0 = System.nanoTime();
        long made = 0;
        long lost = 0;
        long undelivered = 0;
        long twice = 0;
        long foreign = 0;
        int step = Math.max(1, agents.size() / Math.max(1, sample));
        int checked = 0;
        for (int i = 0; i < agents.size() && checked < sample; i += step, checked++) {
            SimAgent.Check c = agents.get(i).check(api);
            made += c.produced();
            lost += c.lost();
            undelivered += c.undelivered();
            twice += c.duplicates();
            foreign += c.foreign();
        }
        agents.forEach(SimAgent::close);
        System.out.printf("verified %d agents (%,d results) through the API in %.1f s: %,d lost (acked, not stored),"
                + " %,d undelivered (never acked, not stored), %,d stored twice, %,d unexpected; acks: %,d stored of"
                + " %,d made, %,d duplicates%n", checked, made, (System.nanoTime() - t0) / 1e9, lost, undelivered,
                twice, foreign, acked, produced, stats.duplicates.sum());
        report.put("made", produced);
        report.put("ackedStored", acked);
        report.put("verifiedAgents", checked);
        report.put("lost", lost);
        report.put("undelivered", undelivered);
        report.put("duplicates", twice + stats.duplicates.sum());
        report.put("failedAgents", failures.size());
        return lost == 0 && undelivered == 0 && twice == 0 && foreign == 0 && acked == produced && failures.isEmpty();
    }

    private static void latencies(Report report, IngestStats stats) {
        Histogram h = stats.resultLatency;
        report.put("latencyCount", h.count());
        report.put("p50ms", h.percentileNanos(0.50) / 1e6);
        report.put("p99ms", h.percentileNanos(0.99) / 1e6);
        report.put("maxms", h.maxNanos() / 1e6);
        report.put("batchRttP50ms", stats.batchRoundTrip.percentileNanos(0.50) / 1e6);
        report.put("batchRttP99ms", stats.batchRoundTrip.percentileNanos(0.99) / 1e6);
    }

    /** WARNING and SEVERE lines (java.util.logging levels) in the server's log. */
    static long warnings(Path log) throws java.io.IOException {
        try (var lines = Files.lines(log)) {
            return lines.filter(l -> l.contains(" WARNING ") || l.contains(" SEVERE ")).count();
        }
    }

    static long backlog(List<SimAgent> agents) {
        return agents.stream().mapToLong(a -> a.queued() + a.inFlight()).sum();
    }

    /**
     * The single pacing thread: every 10 ms each agent makes the results it owes, sends a batch when its turn comes
     * (agents are staggered over the batch interval so they do not all send at once) and heartbeats when due.
     */
    static final class Pacer {
        private final List<SimAgent> agents;
        private final double rate;
        private final long ticksPerBatch;
        private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "pacer");
            t.setDaemon(true);
            return t;
        });
        private final AtomicLong ticks = new AtomicLong();
        private volatile boolean producing = true;

        Pacer(List<SimAgent> agents, double rate, int batchMillis) {
            this.agents = agents;
            this.rate = rate;
            this.ticksPerBatch = Math.max(1, batchMillis / TICK_MILLIS);
        }

        void start() {
            timer.scheduleAtFixedRate(this::tick, 0, TICK_MILLIS, TimeUnit.MILLISECONDS);
        }

        private void tick() {
            long tick = ticks.getAndIncrement();
            long now = System.nanoTime();
            for (int i = 0; i < agents.size(); i++) {
                agents.get(i).tick(now, producing ? rate : 0, (tick + i) % ticksPerBatch == 0);
            }
        }

        void stopProducing() {
            producing = false;
        }

        void stop() throws InterruptedException {
            timer.shutdown();
            timer.awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /** Ordered name=value pairs for the summary line. */
    static final class Report {
        private final Map<String, Object> values = new LinkedHashMap<>();

        void put(String name, Object value) {
            values.put(name, value);
        }

        double number(String name) {
            return values.get(name) instanceof Number n ? n.doubleValue() : Double.NaN;
        }

        @Override
        public String toString() {
            StringBuilder b = new StringBuilder();
            values.forEach((k, v) -> b.append(b.isEmpty() ? "" : " ").append(k).append('=').append(switch (v) {
                case Double d when d < 10 -> String.format("%.3f", d);
                case Double d -> String.format("%.1f", d);
                default -> v;
            }));
            return b.toString();
        }
    }

    static Map<String, String> options(String[] args) {
        Map<String, String> o = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --name value, got " + args[i]);
            }
            String a = args[i].substring(2);
            int eq = a.indexOf('=');
            if (eq >= 0) {
                o.put(a.substring(0, eq), a.substring(eq + 1));
            } else {
                o.put(a, ++i < args.length ? args[i] : "true");
            }
        }
        return o;
    }

    static long ownCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    static String loadavg() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + "/" + f[1] + "/" + f[2];
        } catch (java.io.IOException e) {
            return "?";
        }
    }
}
