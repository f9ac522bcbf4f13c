package dev.vantage.benchmarks.server;

import com.sun.net.httpserver.HttpServer;
import dev.vantage.benchmarks.ProcStat;
import dev.vantage.benchmarks.http.Stats;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * blackbox_exporter's {@code /probe} against the same endpoint on a Vantage agent's {@code --metrics-listen}, whole
 * processes, same targets, same run: the deployed pair ({@code vantage-server.jar} and {@code vantage-agent.jar run
 * --metrics-listen}, the agent allowed to probe loopback) and Debian's {@code prometheus-blackbox-exporter} with
 * modules {@code tcp_connect} and {@code http_2xx}. Targets: the TCP acceptors of {@link DeployedHarness.Targets}
 * (127.0.0.2-9) and a JDK HTTP server answering {@code 200 ok} on 127.0.0.1, both in this process, so neither
 * side's figure includes them. Each block sends a fixed number of scrapes at a fixed concurrency (a fixed set of
 * workers, each one scrape at a time, keep-alive connections) and reads the prober's CPU (utime + stime from
 * {@code /proc/PID/stat}) before and after; blocks alternate between the two so both see the same machine load.
 * Probes per CPU second is probes per second per core; the ratio is Vantage's over blackbox_exporter's.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.vantage.benchmarks.server.ProbeEndpointVsBlackbox \
 *      --scrapes 5000 --concurrency 8 --rounds 5 --warmup 5000
 * </pre>
 *
 * Options: {@code --server-jar}, {@code --agent-jar} (default reference-*&#47;target/vantage-*.jar), {@code --agent-jvm}
 * (space-separated, default none; e.g. a JFR recording), {@code --keep} false. Every loop is bounded in count and
 * time; traffic goes to 127.0.0.0/8 only.
 */
public final class ProbeEndpointVsBlackbox {
    private static final List<String> MODULES = List.of("tcp_connect", "http_2xx");

    private ProbeEndpointVsBlackbox() {
    }

    public static void main(String[] args) {
        HarnessMain.main(args, ProbeEndpointVsBlackbox::run);
    }

    private static void run(Map<String, String> o) throws Exception {
        Path serverJar = HarnessMain.serverJar(o);
        Path agentJar = HarnessMain.agentJar(o);
        int scrapes = Integer.parseInt(o.getOrDefault("scrapes", "5000"));
        int concurrency = Integer.parseInt(o.getOrDefault("concurrency", "8"));
        int rounds = Integer.parseInt(o.getOrDefault("rounds", "5"));
        int warmup = Integer.parseInt(o.getOrDefault("warmup", "5000"));
        List<String> agentJvm = DeployedHarness.jvmOptions(o.getOrDefault("agent-jvm", ""));
        boolean keep = Boolean.parseBoolean(o.getOrDefault("keep", "false"));
        for (Path jar : List.of(serverJar, agentJar)) {
            if (!Files.isRegularFile(jar)) {
                throw new IllegalArgumentException("no jar at " + jar + ": package reference-server and reference-agent");
            }
        }
        System.out.printf("/probe: %d scrapes per block at concurrency %d, %d rounds after %d warm-up scrapes, "
                + "loadavg %s, %s%n", scrapes, concurrency, rounds, warmup, Stats.loadAverage(), Instant.now());
        int metricsPort = freePort();
        HttpServer web = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
        web.createContext("/", ex -> {
            byte[] ok = "ok\n".getBytes(StandardCharsets.US_ASCII);
            ex.sendResponseHeaders(200, ok.length);
            try (ex; var out = ex.getResponseBody()) {
                out.write(ok);
            }
        });
        ExecutorService webThreads = Executors.newFixedThreadPool(4);
        web.setExecutor(webThreads);
        web.start();
        String url = "http://127.0.0.1:" + web.getAddress().getPort() + "/";
        try (DeployedHarness.Targets tcp = DeployedHarness.Targets.open("tcp");
             DeployedHarness.Blackbox blackbox = DeployedHarness.Blackbox.start("tcp");
             DeployedHarness.Deployment d = DeployedHarness.Deployment.start(serverJar, agentJar, List.of(), agentJvm,
                     List.of("--metrics-listen", "127.0.0.1:" + metricsPort), keep)) {
            Prober theirs = new Prober("blackbox_exporter", blackbox.pid(), blackbox.base());
            Prober ours = new Prober("vantage", d.agent().pid(), URI.create("http://127.0.0.1:" + metricsPort));
            ours.awaitListening();
            System.out.printf("agent pid %d on %s, blackbox_exporter pid %d on %s%n", ours.pid, ours.base, theirs.pid,
                    theirs.base);
            for (String module : MODULES) { // both JITs (and Go's pools) settle before the first block counts
                for (Prober p : List.of(theirs, ours)) {
                    p.block(module, tcp, url, warmup, concurrency);
                }
            }
            Map<String, List<Double>> ratios = new java.util.TreeMap<>();
            for (int round = 1; round <= rounds; round++) {
                System.out.printf("round %d, loadavg %s%n", round, Stats.loadAverage());
                for (String module : MODULES) {
                    Block b = theirs.block(module, tcp, url, scrapes, concurrency);
                    Block v = ours.block(module, tcp, url, scrapes, concurrency);
                    double ratio = v.perCoreSecond() / b.perCoreSecond();
                    ratios.computeIfAbsent(module, k -> new ArrayList<>()).add(ratio);
                    System.out.printf("  %-11s blackbox_exporter %s | vantage %s | ratio %.2f%n", module, b, v, ratio);
                    System.out.printf("    µs CPU/probe by thread: vantage %s%n      blackbox_exporter %s%n",
                            v.threads(), b.threads());
                }
            }
            ratios.forEach((module, r) -> System.out.printf("RATIO %s vantage/blackbox_exporter probes per CPU second:"
                    + " median %.2f (rounds %s)%n", module, Stats.median(r), r.stream()
                    .map(x -> String.format("%.2f", x)).toList()));
        } finally {
            web.stop(0);
            webThreads.shutdownNow();
        }
    }

    /** One block's figures: CPU µs per probe of the prober's process, and probes per second of wall time. */
    record Block(int probes, long cpuNanos, long wallNanos, String threads) {
        double perCoreSecond() {
            return probes / (cpuNanos / 1e9);
        }

        @Override
        public String toString() {
            return String.format("%6.1f µs CPU/probe, %6.0f probes/CPU s, %6.0f probes/s", cpuNanos / 1e3 / probes,
                    perCoreSecond(), probes * 1e9 / wallNanos);
        }
    }

    /** A {@code /probe} endpoint and the process behind it. */
    private static final class Prober {
        private final String name;
        private final long pid;
        private final URI base;
        private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

        Prober(String name, long pid, URI base) {
            this.name = name;
            this.pid = pid;
            this.base = base;
        }

        /** The agent opens its listener a moment after it starts: wait for it (at most 60 s). */
        void awaitListening() throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (true) {
                try {
                    http.send(HttpRequest.newBuilder(base.resolve("/metrics")).build(),
                            HttpResponse.BodyHandlers.discarding());
                    return;
                } catch (IOException notYet) {
                    if (System.nanoTime() > deadline) {
                        throw new IOException(name + " does not listen on " + base);
                    }
                    Thread.sleep(200);
                }
            }
        }

        /**
         * {@code n} scrapes of {@code module}, {@code concurrency} at a time; fails on the first answer that is not
         * {@code probe_success 1}, so a refused or broken probe is never counted as a cheap one.
         */
        Block block(String module, DeployedHarness.Targets tcp, String url, int n, int concurrency) throws Exception {
            AtomicInteger next = new AtomicInteger();
            Map<String, Long> threads0 = ProcStat.threadCpuNanos(pid);
            long cpu0 = ProcStat.cpuNanos(pid);
            long t0 = System.nanoTime();
            try (ExecutorService workers = Executors.newFixedThreadPool(concurrency)) {
                List<Future<?>> done = new ArrayList<>();
                for (int w = 0; w < concurrency; w++) {
                    done.add(workers.submit(() -> {
                        for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
                            String target = module.equals("http_2xx") ? url : tcp.target(i);
                            URI uri = base.resolve("/probe?module=" + module + "&target="
                                    + URLEncoder.encode(target, StandardCharsets.UTF_8));
                            String body = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                                    HttpResponse.BodyHandlers.ofString()).body();
                            if (!body.contains("\nprobe_success 1")) {
                                throw new IllegalStateException(name + " " + uri + ": " + body);
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> f : done) {
                    f.get(10, TimeUnit.MINUTES);
                }
            }
            long cpu = ProcStat.cpuNanos(pid) - cpu0;
            long wall = System.nanoTime() - t0;
            return new Block(n, cpu, wall, DeployedHarness.perResult(threads0, ProcStat.threadCpuNanos(pid), n));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
