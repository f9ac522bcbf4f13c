package dev.vantage.benchmarks.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.benchmarks.Histogram;
import dev.vantage.benchmarks.ProcStat;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * The platform as a user deploys it: {@code vantage-server.jar} on its embedded default database (fresh data
 * directory, loopback, default JVM options) and one {@code vantage-agent.jar run} enrolled to it, N tasks at a 1 s
 * interval on 127.0.0.x targets (tcp: a listening port the harness opens on each address; icmp: the addresses).
 * For each rate (N = rate, since every task runs once a second) it warms up, then reads both processes' CPU
 * (utime+stime from {@code /proc/PID/stat}) over a window and divides by the results the server stored in it
 * ({@code vantage_results_stored_total}); then samples creation-to-storage latency by polling a few tasks' newest
 * results (outside the CPU window: the polling costs the server CPU). Before that, in the same run, the baseline:
 * Debian's {@code prometheus-blackbox-exporter} bound to 127.0.0.1 with a module the harness writes, scraped at the
 * same rates by a driver here, its CPU per probe over the same window length.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.vantage.benchmarks.server.DeployedHarness \
 *      --type tcp --rates 10,200,2000,10000 --warmup 25 --seconds 30
 * </pre>
 *
 * Options: {@code --server-jar}, {@code --agent-jar} (default reference-*&#47;target/vantage-*.jar), {@code --type}
 * tcp|icmp, {@code --rates}, {@code --warmup} 25 s, {@code --seconds} 30 s (CPU window), {@code --latency-seconds}
 * 15, {@code --blackbox} true|false, {@code --server-jvm} and {@code --agent-jvm} (space-separated JVM options,
 * default none: what a user runs), {@code --keep} false. Prints one {@code DEPLOYED} or {@code BLACKBOX} line per
 * rate. Every loop is bounded in time; traffic goes to 127.0.0.0/8 only.
 */
public final class DeployedHarness {
    private static final int ADDRESSES = 8; // one destination address caps connect+close near 14k/s (TIME_WAIT)
    private static final String ADMIN_PASSWORD = "deployed-harness-admin-1";
    private static final int WORKERS = 256; // blackbox scrapes in flight at once

    private DeployedHarness() {
    }

    public static void main(String[] args) {
        HarnessMain.main(args, DeployedHarness::run);
    }

    private static void run(Map<String, String> o) throws Exception {
        Path serverJar = HarnessMain.serverJar(o);
        Path agentJar = HarnessMain.agentJar(o);
        String type = o.getOrDefault("type", "tcp");
        List<Integer> rates = new ArrayList<>();
        for (String r : o.getOrDefault("rates", "10,200,2000,10000").split(",")) {
            rates.add(Integer.parseInt(r.strip()));
        }
        int warmup = Integer.parseInt(o.getOrDefault("warmup", "25"));
        int seconds = Integer.parseInt(o.getOrDefault("seconds", "30"));
        int latencySeconds = Integer.parseInt(o.getOrDefault("latency-seconds", "15"));
        boolean blackbox = Boolean.parseBoolean(o.getOrDefault("blackbox", "true"));
        boolean keep = Boolean.parseBoolean(o.getOrDefault("keep", "false"));
        List<String> serverJvm = jvmOptions(o.getOrDefault("server-jvm", ""));
        List<String> agentJvm = jvmOptions(o.getOrDefault("agent-jvm", ""));
        if (!type.equals("tcp") && !type.equals("icmp")) {
            throw new IllegalArgumentException("--type must be tcp or icmp");
        }
        for (Path jar : List.of(serverJar, agentJar)) {
            if (!Files.isRegularFile(jar)) {
                throw new IllegalArgumentException("no jar at " + jar + ": package reference-server and reference-agent");
            }
        }
        System.out.printf("deployed: %s, rates %s/s, warm-up %d s, window %d s, loadavg %s, %s%n", type, rates, warmup,
                seconds, IngestHarness.loadavg(), Instant.now());

        try (Targets targets = Targets.open(type)) {
            if (blackbox) {
                try (Blackbox bb = Blackbox.start(type)) {
                    for (int rate : rates) {
                        bb.measure(rate, targets, Math.min(warmup, 10), seconds);
                    }
                }
            }
            deployed(serverJar, agentJar, serverJvm, agentJvm, type, rates, targets, warmup, seconds, latencySeconds, keep);
        }
    }

    private static void deployed(Path serverJar, Path agentJar, List<String> serverJvm, List<String> agentJvm,
                                 String type, List<Integer> rates, Targets targets, int warmup, int seconds,
                                 int latencySeconds, boolean keep) throws Exception {
        try (Deployment d = Deployment.start(serverJar, agentJar, serverJvm, agentJvm, keep)) {
            ServerApi api = d.api();
            int created = 0;
            List<String> taskIds = new ArrayList<>();
            for (int rate : rates) {
                long c0 = System.nanoTime();
                taskIds.addAll(createTasks(api, type, targets, created, rate - created));
                // creation time and the agent's reconnections so far: issue 13 saw both grow with the task count
                System.out.printf("CREATED tasks %d..%d in %.1f s; agent reconnections so far: %d%n", created, rate,
                        (System.nanoTime() - c0) / 1e9, d.reconnections());
                created = Math.max(created, rate);
                d.checkAlive();
                Thread.sleep(warmup * 1000L);
                double stored0 = stored(api);
                Map<String, Long> at0 = ProcStat.threadCpuNanos(d.agent().pid());
                Map<String, Long> st0 = ProcStat.threadCpuNanos(d.server().pid());
                long a0 = ProcStat.cpuNanos(d.agent().pid());
                long s0 = ProcStat.cpuNanos(d.server().pid());
                long t0 = System.nanoTime();
                Thread.sleep(seconds * 1000L);
                long a1 = ProcStat.cpuNanos(d.agent().pid());
                long s1 = ProcStat.cpuNanos(d.server().pid());
                long t1 = System.nanoTime();
                Map<String, Long> at1 = ProcStat.threadCpuNanos(d.agent().pid());
                Map<String, Long> st1 = ProcStat.threadCpuNanos(d.server().pid());
                double stored = stored(api) - stored0;
                Histogram latency = latency(api, taskIds, latencySeconds);
                double wall = (t1 - t0) / 1e9;
                System.out.printf("DEPLOYED type=%s tasks=%d stored/s=%.1f agentUsPerResult=%.1f"
                                + " serverUsPerResult=%.1f agentCores=%.3f serverCores=%.3f latencyP50Ms=%.1f"
                                + " latencyP99Ms=%.1f latencyN=%d loadavg=%s%n",
                        type, rate, stored / wall, (a1 - a0) / 1e3 / Math.max(1, stored),
                        (s1 - s0) / 1e3 / Math.max(1, stored), (a1 - a0) / 1e9 / wall, (s1 - s0) / 1e9 / wall,
                        latency.percentileNanos(0.5) / 1e6, latency.percentileNanos(0.99) / 1e6, latency.count(),
                        IngestHarness.loadavg());
                System.out.println("  agent reconnections so far: " + d.reconnections());
                System.out.println("  agent threads, us per result: " + perResult(at0, at1, stored));
                System.out.println("  server threads, us per result: " + perResult(st0, st1, stored));
            }
        }
    }

    /**
     * The deployed pair: the server jar on its embedded default (results metrics on, as by default) and one agent
     * jar enrolled to it, allowed to probe loopback. {@link #close()} stops both (SIGTERM, then SIGKILL).
     */
    record Deployment(ServerProcess server, ServerApi api, Process agent, Path agentDir) implements AutoCloseable {
        static Deployment start(Path serverJar, Path agentJar, List<String> serverJvm, List<String> agentJvm,
                                boolean keep) throws Exception {
            return start(serverJar, agentJar, serverJvm, agentJvm, List.of(), keep);
        }

        /** As above, with more {@code run} options for the agent (e.g. {@code --metrics-listen}). */
        static Deployment start(Path serverJar, Path agentJar, List<String> serverJvm, List<String> agentJvm,
                                List<String> agentArgs, boolean keep) throws Exception {
            ServerProcess server = ServerProcess.start(serverJar, serverJvm, ADMIN_PASSWORD, keep,
                    Duration.ofSeconds(120), Map.of("VANTAGE_RESULTS_METRICS", "true"));
            Process agent = null;
            try {
                ServerApi api = new ServerApi(server.base());
                api.login("admin", ADMIN_PASSWORD);
                String token = api.enrollmentToken(1);
                Path agentDir = server.dataDir().resolve("agent");
                Files.createDirectories(agentDir);
                List<String> command = new ArrayList<>();
                command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
                command.addAll(agentJvm);
                command.addAll(List.of("--enable-native-access=ALL-UNNAMED", "-jar",
                        agentJar.toAbsolutePath().toString(), "run", "--server", server.agentSocket().toString(),
                        "--name", "deployed-bench", "--data-dir", agentDir.toString()));
                command.addAll(agentArgs);
                ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                        .redirectOutput(agentDir.resolve("agent.log").toFile());
                pb.environment().keySet().removeIf(k -> k.startsWith("VANTAGE_") || k.startsWith("SERVER_"));
                pb.environment().put("VANTAGE_ENROLL_TOKEN", token);
                agent = pb.start();
                Runtime.getRuntime().addShutdownHook(new Thread(agent::destroyForcibly, "agent-reaper"));
                allowLoopback(api, agent);
                return new Deployment(server, api, agent, agentDir);
            } catch (Exception e) {
                if (agent != null) {
                    agent.destroyForcibly();
                }
                server.close();
                throw e;
            }
        }

        /** Times the agent connected again after its first welcome (the server fell silent, closed...), from its log. */
        long reconnections() throws IOException {
            try (var lines = Files.lines(agentDir.resolve("agent.log"))) {
                return Math.max(0, lines.filter(l -> l.contains("connected to ")).count() - 1);
            }
        }

        void checkAlive() throws IOException {
            if (!agent.isAlive()) {
                throw new IOException("agent exited; see " + agentDir.resolve("agent.log"));
            }
        }

        @Override
        public void close() throws InterruptedException {
            agent.destroy();
            if (!agent.waitFor(20, TimeUnit.SECONDS)) {
                agent.destroyForcibly();
            }
            server.close();
        }
    }

    /** Waits (up to a minute) for the agent to come online, then lets it probe loopback (its policy refuses it). */
    private static void allowLoopback(ServerApi api, Process agent) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && agent.isAlive()) {
            for (JsonNode a : api.page("/api/v1/agents")) {
                if (a.path("online").asBoolean()) {
                    api.put("/api/v1/agents/" + a.path("id").asText() + "/policy", Map.of("allowLoopback", true));
                    return;
                }
            }
            Thread.sleep(200);
        }
        throw new IOException("the agent did not come online");
    }

    /** Creates {@code count} tasks at a 1 s interval, a few requests at a time, spread over the targets. */
    private static List<String> createTasks(ServerApi api, String type, Targets targets, int first, int count)
            throws Exception {
        List<String> ids = java.util.Collections.synchronizedList(new ArrayList<>());
        if (count <= 0) {
            return ids;
        }
        AtomicInteger failures = new AtomicInteger();
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            for (int i = first; i < first + count; i++) {
                int n = i;
                pool.submit(() -> {
                    try {
                        ids.add(api.post("/api/v1/tasks", Map.of("name", "deployed-" + n, "type", type,
                                "target", targets.target(n), "interval", "1s", "timeout", "900ms",
                                "selector", Map.of("all", true))).path("id").asText());
                    } catch (Exception e) {
                        if (failures.incrementAndGet() == 1) {
                            e.printStackTrace();
                        }
                    }
                });
            }
        }
        if (failures.get() > 0) {
            throw new IOException(failures.get() + " tasks could not be created");
        }
        return ids;
    }

    static double stored(ServerApi api) throws IOException, InterruptedException {
        return ServerMonitor.value(api.metrics(), "vantage_results_stored_total");
    }

    /**
     * Creation (startedAt + duration) to the moment the API first shows a result, for a few tasks polled every
     * 50 ms (so up to 50 ms late), over {@code seconds}.
     */
    private static Histogram latency(ServerApi api, List<String> taskIds, int seconds) throws Exception {
        Histogram h = Histogram.logarithmic();
        List<String> sample = new ArrayList<>();
        for (int i = 0; i < Math.min(8, taskIds.size()); i++) {
            sample.add(taskIds.get(i * taskIds.size() / Math.min(8, taskIds.size())));
        }
        Set<String> seen = new HashSet<>();
        for (String id : sample) { // what is already stored is not a sample
            api.page("/api/v1/tasks/" + id + "/results?limit=20").path("items").forEach(r -> seen.add(r.path("id").asText()));
        }
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < end) {
            for (String id : sample) {
                JsonNode page = api.page("/api/v1/tasks/" + id + "/results?limit=5");
                Instant now = Instant.now();
                for (JsonNode r : page.path("items")) {
                    if (seen.add(r.path("id").asText())) {
                        Instant made = Instant.parse(r.path("startedAt").asText())
                                .plusNanos((long) (r.path("durationMs").asDouble() * 1e6));
                        h.record(Math.max(0, Duration.between(made, now).toNanos()));
                    }
                }
            }
            Thread.sleep(50);
        }
        return h;
    }

    /** The threads that used at least 2 % of the process's CPU in between, in µs per result, busiest first. */
    static String perResult(Map<String, Long> before, Map<String, Long> after, double results) {
        long total = 0;
        for (var e : after.entrySet()) {
            total += Math.max(0, e.getValue() - before.getOrDefault(e.getKey(), 0L));
        }
        long all = total;
        return after.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), Math.max(0, e.getValue() - before.getOrDefault(e.getKey(), 0L))))
                .filter(e -> e.getValue() > 0.02 * all)
                .sorted((x, y) -> Long.compare(y.getValue(), x.getValue()))
                .map(e -> String.format("%s=%.1f", e.getKey(), e.getValue() / 1e3 / Math.max(1, results)))
                .toList().toString();
    }

    static List<String> jvmOptions(String s) {
        return s.isBlank() ? List.of() : List.of(s.strip().split("\\s+"));
    }

    /** The probed addresses: 127.0.0.2 … 127.0.0.9, each with a port that accepts and closes (tcp). */
    static final class Targets implements AutoCloseable {
        private final List<String> targets;
        private final List<ServerSocket> listeners;

        private Targets(List<String> targets, List<ServerSocket> listeners) {
            this.targets = targets;
            this.listeners = listeners;
        }

        static Targets open(String type) throws IOException {
            List<String> targets = new ArrayList<>();
            List<ServerSocket> listeners = new ArrayList<>();
            for (int i = 0; i < ADDRESSES; i++) {
                InetAddress address = InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) (2 + i)});
                if (type.equals("icmp")) {
                    targets.add(address.getHostAddress());
                    continue;
                }
                ServerSocket s = new ServerSocket();
                s.bind(new InetSocketAddress(address, 0), 4096);
                listeners.add(s);
                targets.add(address.getHostAddress() + ":" + s.getLocalPort());
                Thread.ofPlatform().daemon().name("accept-" + i).start(() -> {
                    while (!s.isClosed()) {
                        // a plain close: a reset (SO_LINGER 0) can reach a prober before it has checked its
                        // connect's outcome, and blackbox_exporter then counts the probe as failed
                        try (Socket c = s.accept()) {
                            c.getLocalPort();
                        } catch (IOException closed) {
                            // closed at the end of the run
                        }
                    }
                });
            }
            return new Targets(targets, listeners);
        }

        String target(int n) {
            return targets.get(n % targets.size());
        }

        @Override
        public void close() throws IOException {
            for (ServerSocket s : listeners) {
                s.close();
            }
        }
    }

    /** prometheus-blackbox-exporter on loopback and a driver that scrapes its /probe at a fixed rate. */
    static final class Blackbox implements AutoCloseable {
        private final Process process;
        private final URI base;
        private final String module;
        private final Path dir;

        private Blackbox(Process process, URI base, String module, Path dir) {
            this.process = process;
            this.base = base;
            this.module = module;
            this.dir = dir;
        }

        static Blackbox start(String type) throws Exception {
            Path dir = Files.createTempDirectory("vantage-blackbox-");
            String module = type.equals("icmp") ? "icmp" : "tcp_connect";
            Files.writeString(dir.resolve("blackbox.yml"), """
                    modules:
                      tcp_connect: {prober: tcp, timeout: 1s, tcp: {preferred_ip_protocol: ip4}}
                      icmp: {prober: icmp, timeout: 1s, icmp: {preferred_ip_protocol: ip4}}
                      http_2xx: {prober: http, timeout: 1s, http: {preferred_ip_protocol: ip4}}
                    """);
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            Process p = new ProcessBuilder("prometheus-blackbox-exporter",
                    "--config.file=" + dir.resolve("blackbox.yml"), "--web.listen-address=127.0.0.1:" + port)
                    .redirectErrorStream(true).redirectOutput(dir.resolve("blackbox.log").toFile()).start();
            Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly, "blackbox-reaper"));
            Blackbox bb = new Blackbox(p, URI.create("http://127.0.0.1:" + port), module, dir);
            HttpClient http = HttpClient.newHttpClient();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (true) {
                try {
                    http.send(HttpRequest.newBuilder(bb.base.resolve("/-/healthy")).build(),
                            HttpResponse.BodyHandlers.discarding());
                    return bb;
                } catch (IOException notYet) {
                    if (System.nanoTime() > deadline || !p.isAlive()) {
                        bb.close();
                        throw new IOException("blackbox_exporter did not start; see " + dir.resolve("blackbox.log"));
                    }
                    Thread.sleep(100);
                }
            }
        }

        long pid() {
            return process.pid();
        }

        URI base() {
            return base;
        }

        /**
         * Scrapes at {@code rate}/s for warm-up + window seconds: a pacer hands out one permit per scrape due, 64
         * workers (so at most 64 connections) take them; permits beyond a second's worth are skipped and counted.
         * CPU per successful probe over the window.
         */
        void measure(int rate, Targets targets, int warmup, int seconds) throws Exception {
            HttpClient http = HttpClient.newHttpClient();
            Semaphore due = new Semaphore(0);
            LongAdder ok = new LongAdder();
            LongAdder failed = new LongAdder();
            long skipped = 0;
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<String> firstFailure = new AtomicReference<>();
            AtomicInteger next = new AtomicInteger();
            long start = System.nanoTime();
            long windowStart = start + warmup * 1_000_000_000L;
            long end = windowStart + seconds * 1_000_000_000L;
            long okAtWindow = -1;
            long cpu0 = 0;
            long t0 = 0;
            try (ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int w = 0; w < WORKERS; w++) {
                    workers.submit(() -> {
                        while (!stop.get()) {
                            if (!due.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                                continue;
                            }
                            URI uri = base.resolve("/probe?module=" + module + "&target="
                                    + targets.target(next.getAndIncrement() & 0xffff));
                            try {
                                String body = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                                        HttpResponse.BodyHandlers.ofString()).body();
                                if (body.contains("probe_success 1")) {
                                    ok.increment();
                                    continue;
                                }
                                firstFailure.compareAndSet(null, uri + " " + debug(http, uri));
                            } catch (IOException e) {
                                firstFailure.compareAndSet(null, uri + " " + e);
                            }
                            failed.increment();
                        }
                        return null;
                    });
                }
                long tick = 10_000_000L; // 100 ticks a second; each releases its share of the rate
                long released = 0;
                for (long at = start; at < end; at += tick) {
                    long now = System.nanoTime();
                    if (okAtWindow < 0 && now >= windowStart) {
                        okAtWindow = ok.sum();
                        cpu0 = ProcStat.cpuNanos(process.pid());
                        t0 = now;
                    }
                    long total = (long) ((at + tick - start) / 1e9 * rate);
                    due.release((int) (total - released));
                    released = total;
                    int backlog = due.availablePermits();
                    if (backlog > rate) { // the workers cannot keep up: do not let the debt grow without bound
                        skipped += due.drainPermits();
                    }
                    long sleep = at + tick - System.nanoTime();
                    if (sleep > 0) {
                        TimeUnit.NANOSECONDS.sleep(sleep);
                    }
                }
                stop.set(true);
            }
            long cpu1 = ProcStat.cpuNanos(process.pid());
            long t1 = System.nanoTime();
            long probes = ok.sum() - Math.max(0, okAtWindow);
            double wall = (t1 - t0) / 1e9;
            if (firstFailure.get() != null) {
                System.out.println("first failed scrape: " + firstFailure.get());
            }
            System.out.printf("BLACKBOX module=%s rate=%d ok/s=%.1f usPerProbe=%.1f cores=%.3f failed=%d skipped=%d"
                            + " loadavg=%s%n", module, rate, probes / wall, (cpu1 - cpu0) / 1e3 / Math.max(1, probes),
                    (cpu1 - cpu0) / 1e9 / wall, failed.sum(), skipped, IngestHarness.loadavg());
        }

        private static String debug(HttpClient http, URI uri) {
            try {
                return http.send(HttpRequest.newBuilder(URI.create(uri + "&debug=true")).build(),
                        HttpResponse.BodyHandlers.ofString()).body().lines().limit(12).toList().toString();
            } catch (Exception e) {
                return e.toString();
            }
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            try (var files = Files.list(dir)) { // its config and log
                for (Path f : files.toList()) {
                    Files.deleteIfExists(f);
                }
                Files.deleteIfExists(dir);
            } catch (IOException e) {
                System.out.println("could not delete " + dir + ": " + e);
            }
        }
    }
}
