package dev.vantage.benchmarks.http;

import dev.vantage.plugins.http.HttpProbeProvider;
import dev.vantage.probe.engine.ProbeEngine;
import dev.vantage.probe.engine.TaskSpec;
import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.probe.spi.ProbeStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The http plugin's phase medians against {@code curl -w} on the same local server, in the same run: blocks of
 * curl transfers (one curl process, a new connection per transfer) and blocks of probes run one at a time through
 * a real engine alternate, so that both see the same machine load.
 *
 * <p>Compared intervals: our {@code connect} (the connect call on the event loop until the connection is
 * established) against curl's {@code time_connect - time_namelookup} (socket, connect, poll); our
 * {@code write + ttfb} (request encoded and written, until the first response byte is read) against curl's
 * {@code time_starttransfer - time_connect}. curl 7.88 stamps {@code time_pretransfer} when it enters its
 * PERFORMING state, after its DO state has sent the request, so {@code time_starttransfer - time_pretransfer} is
 * curl's counterpart of our {@code ttfb} alone (request written until the first byte).
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.vantage.benchmarks.http.HttpVsCurl [url] [rounds] [perRound]</pre>
 */
public final class HttpVsCurl {
    private static final String FORMAT = "%{time_namelookup} %{time_connect} %{time_pretransfer} "
            + "%{time_starttransfer} %{time_total}\\n";

    private HttpVsCurl() {
    }

    public static void main(String[] args) throws Exception {
        String url = args.length > 0 ? args[0] : "http://127.0.0.1:18080/";
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int perRound = args.length > 2 ? Integer.parseInt(args[2]) : 200;
        List<Double> ourConnect = new ArrayList<>();
        List<Double> ourWriteTtfb = new ArrayList<>();
        List<Double> ourWrite = new ArrayList<>();
        List<Double> ourTtfb = new ArrayList<>();
        List<Double> ourTotal = new ArrayList<>();
        List<Double> curlConnect = new ArrayList<>();
        List<Double> curlFirstByte = new ArrayList<>();
        List<Double> curlTtfb = new ArrayList<>();
        List<Double> curlTotal = new ArrayList<>();
        try (ProbeEngine engine = ProbeEngine.builder().discoverProviders(false)
                .addProvider(new HttpProbeProvider()).build()) {
            TaskSpec task = TaskSpec.builder("http", url).timeout(Duration.ofSeconds(2)).build();
            for (int i = 0; i < 3000; i++) { // warm-up: JIT, pools, the TLS-free code paths
                probe(engine, task);
            }
            for (int round = 0; round < rounds; round++) {
                for (double[] t : curl(url, perRound)) {
                    curlConnect.add((t[1] - t[0]) * 1e6);
                    curlFirstByte.add((t[3] - t[1]) * 1e6);
                    curlTtfb.add((t[3] - t[2]) * 1e6);
                    curlTotal.add(t[4] * 1e6);
                }
                for (int i = 0; i < perRound; i++) {
                    ProbeResult r = probe(engine, task);
                    double write = micros(r, "write");
                    double ttfb = micros(r, "ttfb");
                    ourConnect.add(micros(r, "connect"));
                    ourWrite.add(write);
                    ourTtfb.add(ttfb);
                    ourWriteTtfb.add(write + ttfb);
                    ourTotal.add(r.duration().toNanos() / 1e3);
                }
                System.out.printf("round %d done, loadavg %s%n", round + 1, Stats.loadAverage());
            }
        }
        System.out.printf("%n%d transfers each, medians in µs (p10-p90)%n", ourConnect.size());
        row("connect: vantage connect", ourConnect);
        row("connect: curl time_connect - time_namelookup", curlConnect);
        row("first byte: vantage write + ttfb", ourWriteTtfb);
        row("first byte: curl time_starttransfer - time_connect", curlFirstByte);
        row("ttfb: vantage ttfb", ourTtfb);
        row("ttfb: curl time_starttransfer - time_pretransfer", curlTtfb);
        row("  vantage write", ourWrite);
        row("total: vantage duration (dns..transfer)", ourTotal);
        row("total: curl time_total", curlTotal);
        System.out.printf("loadavg %s%n", Stats.loadAverage());
    }

    private static ProbeResult probe(ProbeEngine engine, TaskSpec task) {
        ProbeResult r;
        try { // get with a timeout, not orTimeout: that would run a timer thread of its own for every probe
            r = engine.runOnce(task).toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("no result", e);
        }
        if (r.status() != ProbeStatus.SUCCESS) {
            throw new IllegalStateException("probe failed: " + r);
        }
        return r;
    }

    private static double micros(ProbeResult r, String phase) {
        return r.phases().get(phase).toNanos() / 1e3;
    }

    /** {@code n} transfers by one curl process, each on a new connection (the server closes it). */
    private static List<double[]> curl(String url, int n) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("curl", "-s", "-H", "Connection: close"));
        for (int i = 0; i < n; i++) {
            command.addAll(List.of("-o", "/dev/null", "-w", FORMAT, url));
        }
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("curl failed: " + out);
        }
        List<double[]> times = new ArrayList<>();
        for (String line : out.split("\n")) {
            String[] f = line.trim().split(" ");
            double[] t = new double[f.length];
            for (int i = 0; i < f.length; i++) {
                t[i] = Double.parseDouble(f[i]);
            }
            times.add(t);
        }
        return times.subList(Math.min(5, times.size()), times.size()); // the first transfers pay curl's start-up
    }

    private static void row(String name, List<Double> values) {
        System.out.printf("%-56s %8.1f  (%.1f-%.1f)%n", name, Stats.median(values), Stats.percentile(values, 10),
                Stats.percentile(values, 90));
    }
}
