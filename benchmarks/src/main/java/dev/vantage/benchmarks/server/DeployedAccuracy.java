package dev.vantage.benchmarks.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Phase accuracy as deployed: the server and agent jars (as {@link DeployedHarness} starts them), one http task
 * and one tcp task at a 1 s interval against a JDK HttpServer on 127.0.0.1 that the harness runs, and {@code curl
 * -w} against the same URL once a second in the same minutes. Medians over the window (≥ 25 curls, about as
 * many attempts of each task), ms.
 *
 * <p>Which intervals are compared (curl 7.88, see docs/benchmarks.md "HTTP and TCP versus curl"): {@code connect}
 * against {@code time_connect - time_namelookup}; http {@code write + ttfb} against {@code time_starttransfer -
 * time_connect}; {@code dns} (absent for an IP literal) against {@code time_namelookup}; the duration against
 * {@code time_total}.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.vantage.benchmarks.server.DeployedAccuracy --seconds 40
 * </pre>
 * Options: {@code --server-jar}, {@code --agent-jar}, {@code --seconds} 40, {@code --warmup} 5 (results before it
 * are not counted: the very first attempts load classes), {@code --keep} false.
 */
public final class DeployedAccuracy {
    private DeployedAccuracy() {
    }

    public static void main(String[] args) {
        HarnessMain.main(args, DeployedAccuracy::run);
    }

    private static void run(Map<String, String> o) throws Exception {
        Path serverJar = HarnessMain.serverJar(o);
        Path agentJar = HarnessMain.agentJar(o);
        int seconds = Integer.parseInt(o.getOrDefault("seconds", "40"));
        int warmup = Integer.parseInt(o.getOrDefault("warmup", "5"));
        boolean keep = Boolean.parseBoolean(o.getOrDefault("keep", "false"));

        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0), 64);
        byte[] ok = "ok\n".getBytes(StandardCharsets.US_ASCII);
        http.createContext("/", x -> {
            x.getRequestBody().readAllBytes();
            x.sendResponseHeaders(200, ok.length);
            x.getResponseBody().write(ok);
            x.close();
        });
        http.setExecutor(Executors.newSingleThreadExecutor());
        http.start();
        String hostPort = "127.0.0.1:" + http.getAddress().getPort();
        String url = "http://" + hostPort + "/";
        System.out.printf("accuracy: %s, %d s after %d s, loadavg %s, %s%n", url, seconds, warmup,
                IngestHarness.loadavg(), Instant.now());
        try (DeployedHarness.Deployment d = DeployedHarness.Deployment.start(serverJar, agentJar, List.of(), List.of(),
                keep)) {
            ServerApi api = d.api();
            String httpTask = api.post("/api/v1/tasks", Map.of("name", "accuracy-http", "type", "http", "target", url,
                    "interval", "1s", "selector", Map.of("all", true))).path("id").asText();
            String tcpTask = api.post("/api/v1/tasks", Map.of("name", "accuracy-tcp", "type", "tcp", "target", hostPort,
                    "interval", "1s", "selector", Map.of("all", true))).path("id").asText();
            Thread.sleep(warmup * 1000L);
            Instant from = Instant.now();
            List<double[]> curl = new ArrayList<>();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            long hardEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(3L * seconds);
            // at least 25 curls: on a busy machine starting curl takes a while (bounded: three times the window)
            while (System.nanoTime() < end || (curl.size() < 25 && System.nanoTime() < hardEnd)) {
                curl.add(curl(url));
                Thread.sleep(1000);
            }
            Instant to = Instant.now();
            Thread.sleep(2000); // the last results reach the server
            List<JsonNode> h = results(api, httpTask, from, to);
            List<JsonNode> t = results(api, tcpTask, from, to);
            long httpWithDns = h.stream().filter(r -> r.path("phases").has("dns")).count();
            long tcpWithDns = t.stream().filter(r -> r.path("phases").has("dns")).count();
            System.out.printf("ACCURACY http n=%d curl n=%d, median (p10) ms: connect %s vs curl %s;"
                            + " write+ttfb %s vs curl starttransfer-connect %s; total %s vs %s;"
                            + " dns in %d results, %s (curl namelookup %s)%n",
                    h.size(), curl.size(), stat(h, r -> phase(r, "connect")), stat(curl, c -> c[1] - c[0]),
                    stat(h, r -> phase(r, "write") + phase(r, "ttfb")), stat(curl, c -> c[2] - c[1]),
                    stat(h, r -> r.path("durationMs").asDouble()), stat(curl, c -> c[3]), httpWithDns,
                    stat(h, r -> phase(r, "dns")), stat(curl, c -> c[0]));
            System.out.printf("ACCURACY tcp n=%d, median (p10) ms: connect %s vs curl %s; total %s; dns in %d results, %s%n",
                    t.size(), stat(t, r -> phase(r, "connect")), stat(curl, c -> c[1] - c[0]),
                    stat(t, r -> r.path("durationMs").asDouble()), tcpWithDns, stat(t, r -> phase(r, "dns")));
            System.out.println("  http connect ms: " + values(h, r -> phase(r, "connect")));
            System.out.println("  curl connect ms: " + curl.stream().map(c -> String.format("%.3f", c[1] - c[0])).toList());
        } finally {
            http.stop(0);
        }
    }

    /** {@code time_namelookup, time_connect, time_starttransfer, time_total} in ms, from one new curl. */
    private static double[] curl(String url) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("curl", "-s", "-o", "/dev/null", "--max-time", "5", "-w",
                "%{time_namelookup} %{time_connect} %{time_starttransfer} %{time_total}", url).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("curl failed: " + out);
        }
        String[] f = out.split(" ");
        double[] ms = new double[4];
        for (int i = 0; i < 4; i++) {
            ms[i] = Double.parseDouble(f[i]) * 1e3;
        }
        return ms;
    }

    private static List<JsonNode> results(ServerApi api, String task, Instant from, Instant to)
            throws IOException, InterruptedException {
        List<JsonNode> out = new ArrayList<>();
        api.page("/api/v1/tasks/" + task + "/results?limit=1000&from=" + from + "&to=" + to).path("items")
                .forEach(out::add);
        return out;
    }

    private static double phase(JsonNode r, String name) {
        return r.path("phases").path(name).asDouble(Double.NaN);
    }

    /** "median (p10)" in ms, or "-" when no value. */
    private static <T> String stat(List<T> xs, ToDoubleFunction<T> f) {
        double[] v = xs.stream().mapToDouble(f).filter(d -> !Double.isNaN(d)).sorted().toArray();
        if (v.length == 0) {
            return "-";
        }
        double median = v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
        return String.format("%.3f (%.3f)", median, v[v.length / 10]);
    }

    private static List<String> values(List<JsonNode> rs, ToDoubleFunction<JsonNode> f) {
        return rs.stream().map(r -> String.format("%.3f", f.applyAsDouble(r))).toList();
    }
}
