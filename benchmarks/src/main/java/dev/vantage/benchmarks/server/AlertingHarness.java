package dev.vantage.benchmarks.server;

import dev.vantage.benchmarks.server.IngestHarness.Report;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Alerting beside ingest, on the server's embedded default database: the same ingest as {@link IngestHarness}
 * (simulated agents on real WebSockets) into many tasks, run once with no alert rules and once with rules on every
 * task, each phase in a fresh server process. The alerting CPU is the difference of the server's CPU between the two
 * phases over windows of the same length, reported against the ingest's CPU (the phase without rules); the latency
 * from a result's storage to its notification being handed to the webhook channel is the server's
 * {@code vantage_notifications_latency_seconds} histogram over the measured window.
 *
 * <p>The load: {@code --tasks} tcp tasks, each labelled {@code team} (100 consecutive tasks a team)
 * and {@code tier} (every tenth task) and run by {@code --agents-per-task} agents (a label selector on the agents'
 * {@code group}); each agent sends {@code --rate} results/s over its tasks in turn (the tasks' interval says the same:
 * 1 s at the defaults). A share of the tasks
 * ({@code --flapping} %) is down for {@code --down} seconds in every {@code --cycle} seconds (staggered), so rules
 * fire and resolve all through the run. The rules, three on every task: consecutive failures (3, by task id, one
 * rule per task), availability below 90 % over {@code --rule-window} (one rule per team label) and p95 connect time
 * above 200 ms over {@code --rule-window} (one rule per tier label), all to one webhook channel on a receiver in this
 * process.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.vantage.benchmarks.server.AlertingHarness \
 *      --agents 200 --rate 100 --tasks 10000 --seconds 60 --warmup 70
 * </pre>
 *
 * Options ({@code --name value}): {@code --jar}, {@code --agents} 200, {@code --rate} 100, {@code --tasks} 10000,
 * {@code --agents-per-task} 2, {@code --seconds} 60, {@code --warmup} 70, {@code --batch-ms} 100,
 * {@code --max-batch} 200, {@code --window} 8, {@code --flapping} 5, {@code --cycle} 90, {@code --down} 15,
 * {@code --rule-window} 1m, {@code --phases} none,rules (in this order; repeat for more rounds),
 * {@code --server-jvm} "-Xmx1g", {@code --setup-threads} 4, {@code --keep} false, {@code --backend} embedded (H2 in
 * the server process) or {@code amqp} (a fresh PostgreSQL database and RabbitMQ queues per phase, as replicas run).
 *
 * <p>Exits 1 if a phase lost results or its agents failed, or alerting dropped results; 2 on a setup failure.
 */
public final class AlertingHarness {
    private static final String LATENCY = "vantage_notifications_latency_seconds";

    private AlertingHarness() {
    }

    public static void main(String[] args) {
        try {
            System.exit(run(IngestHarness.options(args)) ? 0 : 1);
        } catch (Exception e) {
            e.printStackTrace();
            System.exit(2);
        }
    }

    /** The shape of the run, from the options. */
    private record Load(Path jar, int agents, double rate, int tasks, int agentsPerTask, int seconds, int warmup,
                        int batchMs, int maxBatch, int window, double flappingPercent, int cycle, int down,
                        String ruleWindow, List<String> serverJvm, int setupThreads, boolean keep, boolean amqp) {
        int groups() {
            return agents / agentsPerTask;
        }

        /** Each agent runs its tasks in turn at its rate: each task once per this many ms (1 s at the default load). */
        long intervalMillis() {
            return Math.round(1000.0 * tasks / groups() / rate);
        }

        /** About {@code flappingPercent} % of the tasks, spread over teams, tiers and agents by a multiplicative hash. */
        boolean flapping(int task) {
            return (task * 2654435761L & 0xFFFF_FFFFL) % 10_000 < flappingPercent * 100;
        }
    }

    private static boolean run(Map<String, String> o) throws Exception {
        Load load = new Load(Path.of(o.getOrDefault("jar", "reference-server/target/vantage-server.jar")),
                Integer.parseInt(o.getOrDefault("agents", "200")), Double.parseDouble(o.getOrDefault("rate", "100")),
                Integer.parseInt(o.getOrDefault("tasks", "10000")), Integer.parseInt(o.getOrDefault("agents-per-task", "2")),
                Integer.parseInt(o.getOrDefault("seconds", "60")), Integer.parseInt(o.getOrDefault("warmup", "70")),
                Integer.parseInt(o.getOrDefault("batch-ms", "100")), Integer.parseInt(o.getOrDefault("max-batch", "200")),
                Integer.parseInt(o.getOrDefault("window", "8")), Double.parseDouble(o.getOrDefault("flapping", "5")),
                Integer.parseInt(o.getOrDefault("cycle", "90")), Integer.parseInt(o.getOrDefault("down", "15")),
                o.getOrDefault("rule-window", "1m"),
                List.of(o.getOrDefault("server-jvm", "-Xmx1g").trim().split("\\s+")),
                Integer.parseInt(o.getOrDefault("setup-threads", "4")), Boolean.parseBoolean(o.getOrDefault("keep", "false")),
                o.getOrDefault("backend", "embedded").equals("amqp"));
        List<String> phases = List.of(o.getOrDefault("phases", "none,rules").split(","));
        if (!Files.isRegularFile(load.jar())) {
            throw new IllegalArgumentException("no server jar at " + load.jar() + " (--jar)");
        }
        if (load.agents() % load.agentsPerTask() != 0 || load.tasks() % load.groups() != 0 || load.tasks() % 100 != 0) {
            throw new IllegalArgumentException("agents must be a multiple of agents-per-task, tasks of 100 and of the groups");
        }
        System.out.printf("alerting: %d tasks run by %d agents each, %d agents x %.0f results/s = %,.0f/s offered, %.1f %%"
                        + " of the tasks down %d s in every %d s, rule windows %s; phases %s, %d s measured after %d s"
                        + " warm-up each, server %s, loadavg %s%n", load.tasks(), load.agentsPerTask(), load.agents(),
                load.rate(), load.agents() * load.rate(), load.flappingPercent(), load.down(), load.cycle(),
                load.ruleWindow(), phases, load.seconds(), load.warmup(), load.serverJvm(), IngestHarness.loadavg());

        boolean clean = true;
        Map<String, List<Report>> byPhase = new LinkedHashMap<>();
        for (String phase : phases) {
            if (!phase.equals("none") && !phase.equals("rules")) {
                throw new IllegalArgumentException("phases are none or rules, not " + phase);
            }
            Report r = new Report();
            clean &= phase(load, phase.equals("rules"), r);
            System.out.println("ALERTING phase=" + phase + " " + r);
            byPhase.computeIfAbsent(phase, k -> new ArrayList<>()).add(r);
        }
        if (byPhase.containsKey("none") && byPhase.containsKey("rules")) {
            double ingest = mean(byPhase.get("none"), "serverCpuCores");
            double withRules = mean(byPhase.get("rules"), "serverCpuCores");
            Report summary = new Report();
            summary.put("ingestCpuCores", ingest);
            summary.put("withRulesCpuCores", withRules);
            summary.put("alertingCpuCores", withRules - ingest);
            summary.put("alerting/ingest", (withRules - ingest) / ingest);
            summary.put("notifyP50ms", mean(byPhase.get("rules"), "notifyP50ms"));
            summary.put("notifyP99ms", mean(byPhase.get("rules"), "notifyP99ms"));
            summary.put("loadavg", IngestHarness.loadavg());
            System.out.println("ALERTING summary " + summary);
        }
        return clean;
    }

    private static double mean(List<Report> reports, String name) {
        return reports.stream().mapToDouble(r -> r.number(name)).average().orElse(Double.NaN);
    }

    /** One phase in a fresh server: setup, warm-up, measured window; true if nothing was lost or dropped. */
    private static boolean phase(Load load, boolean rules, Report report) throws Exception {
        String password = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
        IngestStats stats = new IngestStats();
        Map<String, String> env = new java.util.HashMap<>(Map.of("VANTAGE_NOTIFY_ALLOW_LOOPBACK", "true"));
        BrokerBackend broker = load.amqp() ? BrokerBackend.create() : null; // a fresh database and queues per phase
        if (broker != null) {
            env.putAll(broker.serverEnv());
        }
        try (WebhookReceiver receiver = new WebhookReceiver();
             ServerProcess server = ServerProcess.start(load.jar(), load.serverJvm(), password, load.keep(),
                     Duration.ofSeconds(120), env)) {
            System.out.printf("%s: server pid %d at %s, log %s, backend %s%n", rules ? "rules" : "none", server.pid(),
                    server.base(), server.log(), broker == null ? "embedded H2" : "PostgreSQL " + broker.database
                            + " + RabbitMQ " + broker.prefix);
            ServerApi api = new ServerApi(server.base());
            api.login("admin", password);
            String channel = api.post("/api/v1/channels", Map.of("name", "bench hook", "type", "webhook",
                    "settings", Map.of("url", receiver.url()))).path("id").asText();
            long t0 = System.nanoTime();
            parallel(load.setupThreads(), load.tasks(), j -> api.post("/api/v1/tasks", task(load, j)));
            System.out.printf("created %,d tasks in %.1f s%n", load.tasks(), (System.nanoTime() - t0) / 1e9);
            if (rules) {
                t0 = System.nanoTime();
                List<Map<String, Object>> all = rules(load, channel);
                parallel(load.setupThreads(), all.size(), i -> api.post("/api/v1/alert-rules", all.get(i)));
                System.out.printf("created %,d rules in %.1f s%n", all.size(), (System.nanoTime() - t0) / 1e9);
            }
            report.put("rules", rules ? load.tasks() + load.tasks() / 100 + 10 : 0);
            report.put("flappingTasks", java.util.stream.IntStream.range(0, load.tasks()).filter(load::flapping).count());

            String token = api.enrollmentToken(load.agents());
            long start0 = System.nanoTime();
            SimAgent.Target target = target(load, start0);
            List<SimAgent> agents = new ArrayList<>();
            for (int i = 0; i < load.agents(); i++) {
                int group = i % load.groups();
                List<String> mine = new ArrayList<>();
                for (int j = group; j < load.tasks(); j += load.groups()) {
                    mine.add(taskId(j));
                }
                agents.add(new SimAgent(i, api.enroll(token, "sim-" + i, Map.of("group", "g" + group)), mine, target,
                        stats, load.window(), load.maxBatch()));
            }
            IngestHarness.connect(agents, server);
            return measure(load, server, api, agents, stats, receiver, report);
        } finally {
            if (broker != null) {
                broker.close();
            }
        }
    }

    private static boolean measure(Load load, ServerProcess server, ServerApi api, List<SimAgent> agents,
                                   IngestStats stats, WebhookReceiver receiver, Report report) throws Exception {
        ServerMonitor monitor = new ServerMonitor(api, server.pid());
        monitor.start(2);
        IngestHarness.Pacer pacer = new IngestHarness.Pacer(agents, load.rate(), load.batchMs());
        pacer.start();
        long maxBacklog = 0;
        try {
            Thread.sleep(load.warmup() * 1000L);
            long start = System.nanoTime();
            stats.openWindow(start);
            long serverCpu0 = monitor.cpuNanos();
            long ownCpu0 = IngestHarness.ownCpuNanos();
            long produced0 = stats.produced.sum();
            String metrics0 = api.metrics();
            Map<String, Long> hooks0 = receiver.counts();
            for (int s = 1; s <= load.seconds(); s++) {
                Thread.sleep(Math.max(0, start + s * 1_000_000_000L - System.nanoTime()) / 1_000_000);
                long backlog = IngestHarness.backlog(agents);
                maxBacklog = Math.max(maxBacklog, backlog);
                if (s % 10 == 0 || s == load.seconds()) {
                    System.out.printf("  %3d s: stored %,.0f/s, backlog %,d, heap %.0f MB, webhooks %s, loadavg %s%n", s,
                            stats.storedInWindow.sum() / ((System.nanoTime() - start) / 1e9), backlog,
                            monitor.lastHeapBytes() / 1e6, receiver.counts(), IngestHarness.loadavg());
                }
                if (!server.alive()) {
                    break;
                }
            }
            long end = System.nanoTime();
            double seconds = (end - start) / 1e9;
            double serverCores = (monitor.cpuNanos() - serverCpu0) / 1e9 / seconds;
            double ownCores = (IngestHarness.ownCpuNanos() - ownCpu0) / 1e9 / seconds;
            String metrics1 = api.metrics();
            stats.closeWindow(end);
            pacer.stopProducing();

            report.put("made/s", (stats.produced.sum() - produced0) / seconds);
            report.put("stored/s", stats.storedInWindow.sum() / seconds);
            report.put("serverCpuCores", serverCores);
            report.put("serverCpuUs", serverCores * 1e6 / report.number("stored/s"));
            report.put("harnessCpuCores", ownCores);
            report.put("backlogMax", maxBacklog);
            report.put("judged/s", delta(metrics0, metrics1, "vantage_alerting_judge_seconds_count") / seconds);
            report.put("judgeUs", delta(metrics0, metrics1, "vantage_alerting_judge_seconds_sum") * 1e6
                    / delta(metrics0, metrics1, "vantage_alerting_judge_seconds_count"));
            // the rollup rounds' time (one thread writing to the embedded database: about its CPU) within the window,
            // against the server's CPU: the rollups' upkeep (issue 17); a window of two minutes holds two rounds
            double flush = delta(metrics0, metrics1, "vantage_rollups_flush_seconds_sum");
            report.put("rollupFlushS", flush);
            report.put("rollupFlushShare", flush / (serverCores * seconds));
            report.put("alertingDropped", ServerMonitor.value(metrics1, "vantage_alerting_dropped_total"));
            report.put("notified", ServerMonitor.value(metrics1, "vantage_notifications_total", "outcome=\"delivered\"")
                    - ServerMonitor.value(metrics0, "vantage_notifications_total", "outcome=\"delivered\""));
            Map<String, Long> hooks1 = receiver.counts();
            hooks1.forEach((kind, n) -> report.put("webhook." + kind, n - hooks0.getOrDefault(kind, 0L)));
            latency(report, metrics0, metrics1);
            report.put("maxHeapMB", monitor.maxHeapBytes() / 1e6);
            report.put("loadavg", IngestHarness.loadavg());

            long drainEnd = System.nanoTime() + 30_000_000_000L;
            while (IngestHarness.backlog(agents) > 0 && System.nanoTime() < drainEnd && server.alive()) {
                Thread.sleep(100);
            }
        } finally {
            pacer.stop();
            monitor.close();
            agents.forEach(SimAgent::close);
        }
        long failed = agents.stream().filter(a -> a.failure() != null).count();
        agents.stream().filter(a -> a.failure() != null).limit(3).forEach(a -> System.out.println("agent failed: " + a.failure()));
        report.put("made", stats.produced.sum());
        report.put("ackedStored", stats.stored.sum());
        report.put("failedAgents", failed);
        report.put("serverLogWarnings", IngestHarness.warnings(server.log()));
        return failed == 0 && stats.stored.sum() == stats.produced.sum() && report.number("alertingDropped") == 0;
    }

    /** p50, p99 and the largest bucket of the notification latency in the window: upper bucket edges (pessimistic). */
    private static void latency(Report report, String metrics0, String metrics1) {
        NavigableMap<Double, Double> before = ServerMonitor.buckets(metrics0, LATENCY);
        NavigableMap<Double, Double> after = ServerMonitor.buckets(metrics1, LATENCY);
        double total = after.isEmpty() ? 0 : after.lastEntry().getValue() - before.getOrDefault(after.lastKey(), 0.0);
        report.put("notifyCount", (long) total);
        report.put("notifyMeanMs", total == 0 ? Double.NaN : delta(metrics0, metrics1, LATENCY + "_sum") * 1e3 / total);
        report.put("notifyP50ms", quantile(before, after, total, 0.50) * 1e3);
        report.put("notifyP99ms", quantile(before, after, total, 0.99) * 1e3);
        report.put("notifyMaxBucketMs", quantile(before, after, total, 1.0) * 1e3);
        report.put("notifyMax2minMs", ServerMonitor.value(metrics1, LATENCY + "_max") * 1e3);
    }

    private static double quantile(NavigableMap<Double, Double> before, NavigableMap<Double, Double> after, double total,
                                   double q) {
        if (total == 0) {
            return Double.NaN;
        }
        for (Map.Entry<Double, Double> e : after.entrySet()) {
            if (e.getValue() - before.getOrDefault(e.getKey(), 0.0) >= Math.ceil(q * total)) {
                return e.getKey();
            }
        }
        return Double.POSITIVE_INFINITY;
    }

    private static double delta(String metrics0, String metrics1, String name) {
        return ServerMonitor.value(metrics1, name) - ServerMonitor.value(metrics0, name);
    }

    private static String taskId(int j) {
        return "task-" + j;
    }

    private static Map<String, Object> task(Load load, int j) {
        return Map.of("id", taskId(j), "name", "bench " + j, "type", "tcp", "target", "127.0.0.1:9",
                "interval", load.intervalMillis() + "ms",
                "labels", Map.of("team", "team-" + j / 100, "tier", "tier-" + j % 10),
                "selector", Map.of("labels", Map.of("group", "g" + j % load.groups())));
    }

    /** Three rules on every task: one by its id, one by its team label, one by its tier label. */
    private static List<Map<String, Object>> rules(Load load, String channel) {
        List<Map<String, Object>> rules = new ArrayList<>();
        for (int j = 0; j < load.tasks(); j++) {
            rules.add(Map.of("name", taskId(j) + " down", "tasks", Map.of("task", taskId(j)), "channels", List.of(channel),
                    "condition", Map.of("type", "consecutiveFailures", "count", 3), "resolveAfter", "30s"));
        }
        for (int t = 0; t < load.tasks() / 100; t++) {
            rules.add(Map.of("name", "team-" + t + " availability", "tasks", Map.of("labels", Map.of("team", "team-" + t)),
                    "channels", List.of(channel), "resolveAfter", "10s",
                    "condition", Map.of("type", "availability", "minPercent", 90, "window", load.ruleWindow())));
        }
        for (int t = 0; t < 10; t++) {
            rules.add(Map.of("name", "tier-" + t + " slow", "tasks", Map.of("labels", Map.of("tier", "tier-" + t)),
                    "channels", List.of(channel), "condition", Map.of("type", "latency", "metric", "phase.connect",
                            "percentile", 95, "maxMs", 200, "window", load.ruleWindow())));
        }
        return rules;
    }

    /** Flapping tasks are refused for {@code down} seconds of every {@code cycle}, each at its own offset. */
    private static SimAgent.Target target(Load load, long start) {
        long cycle = TimeUnit.SECONDS.toNanos(load.cycle());
        long down = TimeUnit.SECONDS.toNanos(load.down());
        int tasks = load.tasks();
        return (taskId, nanos) -> {
            int j = Integer.parseInt(taskId, 5, taskId.length(), 10);
            if (!load.flapping(j)) {
                return SimAgent.Outcome.UP;
            }
            long offset = cycle * j / tasks;
            return Math.floorMod(nanos - start + offset, cycle) < down ? SimAgent.Outcome.REFUSED : SimAgent.Outcome.UP;
        };
    }

    /** Runs {@code body(0..count-1)} on {@code threads} threads; the first failure fails the whole. */
    private interface Step {
        void run(int i) throws Exception;
    }

    private static void parallel(int threads, int count, Step body) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> parts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int first = t;
                parts.add(pool.submit(() -> {
                    for (int i = first; i < count; i += threads) {
                        body.run(i);
                    }
                    return null;
                }));
            }
            for (Future<?> f : parts) {
                f.get(30, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
