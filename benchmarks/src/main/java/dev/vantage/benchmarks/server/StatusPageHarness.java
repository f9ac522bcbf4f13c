package dev.vantage.benchmarks.server;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A public status page read by many anonymous clients (issue 17: at least 5,000 requests/s from its cache), beside a
 * baseline in the same run and server: {@code /health}, the cheapest answer of the same HTTP stack. Starts the
 * server jar (embedded H2, loopback), creates {@code --tasks} tcp tasks and one page holding them all, then for each
 * path runs {@code --clients} closed-loop clients (virtual threads, one HTTP/1.1 client) for {@code --seconds} after
 * {@code --warmup}, and prints requests/s, latency p50/p99 and the server's CPU per request. The server's per-address
 * rate limit is raised for the run (every client is 127.0.0.1); any answer other than 200 fails the run.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.vantage.benchmarks.server.StatusPageHarness --tasks 100 --clients 32
 * </pre>
 *
 * Options: {@code --jar}, {@code --tasks} 100, {@code --clients} 32, {@code --seconds} 15, {@code --warmup} 5,
 * {@code --server-jvm} "-Xmx1g". Exits 1 if a request failed.
 */
public final class StatusPageHarness {
    private StatusPageHarness() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = IngestHarness.options(args);
        Path jar = Path.of(o.getOrDefault("jar", "reference-server/target/vantage-server.jar"));
        int tasks = Integer.parseInt(o.getOrDefault("tasks", "100"));
        int clients = Integer.parseInt(o.getOrDefault("clients", "32"));
        int seconds = Integer.parseInt(o.getOrDefault("seconds", "15"));
        int warmup = Integer.parseInt(o.getOrDefault("warmup", "5"));
        List<String> jvm = List.of(o.getOrDefault("server-jvm", "-Xmx1g").trim().split("\\s+"));
        String password = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
        boolean clean = true;
        try (ServerProcess server = ServerProcess.start(jar, jvm, password, false, Duration.ofSeconds(120),
                Map.of("VANTAGE_RATE_LIMIT_PER_ADDRESS", "10000000/1s"))) {
            ServerApi api = new ServerApi(server.base());
            api.login("admin", password);
            List<Map<String, Object>> onPage = new ArrayList<>();
            for (int i = 0; i < tasks; i++) {
                onPage.add(Map.of("task", api.createTask("status-" + i), "name", "Service " + i));
            }
            api.post("/api/v1/status-pages", Map.of("slug", "bench", "title", "Bench status",
                    "groups", List.of(Map.of("name", "All", "tasks", onPage))));
            try (ServerMonitor monitor = new ServerMonitor(api, server.pid())) {
                System.out.printf("server pid %d, %d tasks on one page, %d clients, %d s after %d s warm-up%n",
                        server.pid(), tasks, clients, seconds, warmup);
                for (String path : List.of("/health", "/api/v1/public/status/bench", "/health",
                        "/api/v1/public/status/bench")) {
                    clean &= run(server.base().resolve(path), clients, warmup, seconds, monitor);
                }
            }
        }
        System.exit(clean ? 0 : 1);
    }

    /** One path: warm-up, then the measured window; false if an answer was not 200. */
    private static boolean run(URI uri, int clients, int warmup, int seconds, ServerMonitor monitor) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build();
        long warmEnd = System.nanoTime() + warmup * 1_000_000_000L;
        long end = warmEnd + seconds * 1_000_000_000L;
        long cpu0 = 0;
        List<Future<long[]>> work = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < clients; c++) {
                work.add(pool.submit(() -> {
                    long[] lat = new long[1 << 16];
                    int n = 0;
                    long failed = 0;
                    // bounded: by time, and by the array (a client making more than 65,536 measured requests stops)
                    while (System.nanoTime() < end && n < lat.length) {
                        long t0 = System.nanoTime();
                        HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
                        long t1 = System.nanoTime();
                        if (r.statusCode() != 200) {
                            failed++;
                        }
                        if (t0 >= warmEnd) {
                            lat[n++] = t1 - t0;
                        }
                    }
                    long[] out = Arrays.copyOf(lat, n + 1);
                    out[n] = failed;
                    return out;
                }));
            }
            Thread.sleep(Math.max(0, (warmEnd - System.nanoTime()) / 1_000_000));
            cpu0 = monitor.cpuNanos();
        }
        double cores = (monitor.cpuNanos() - cpu0) / 1e9 / seconds;
        List<Long> all = new ArrayList<>();
        long failed = 0;
        for (Future<long[]> f : work) {
            long[] r = f.get();
            for (int i = 0; i < r.length - 1; i++) {
                all.add(r[i]);
            }
            failed += r[r.length - 1];
        }
        long[] sorted = all.stream().mapToLong(Long::longValue).sorted().toArray();
        double rate = sorted.length / (double) seconds;
        System.out.printf("STATUS path=%s requests/s=%.0f p50ms=%.2f p99ms=%.2f serverCores=%.3f serverCpuUs=%.1f"
                        + " failed=%d%n", uri.getPath(), rate, pct(sorted, 0.50), pct(sorted, 0.99), cores,
                cores * 1e6 / rate, failed);
        http.close();
        return failed == 0;
    }

    private static double pct(long[] sorted, double q) {
        return sorted.length == 0 ? Double.NaN : sorted[(int) Math.floor(q * (sorted.length - 1))] / 1e6;
    }
}
