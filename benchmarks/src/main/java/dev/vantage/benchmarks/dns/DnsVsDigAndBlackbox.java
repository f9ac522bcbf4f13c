package dev.vantage.benchmarks.dns;

import dev.vantage.benchmarks.NoopProvider;
import dev.vantage.benchmarks.ProcStat;
import dev.vantage.benchmarks.http.Stats;
import dev.vantage.plugins.dns.DnsProbeProvider;
import dev.vantage.probe.engine.ProbeEngine;
import dev.vantage.probe.engine.TaskSpec;
import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.probe.spi.ProbeStatus;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The dns probe against a local resolver, beside the tools it is compared with in the same run:
 * <ul>
 *   <li>latency: our {@code query} phase (query written until the answer read) against {@code dig -u +tries=1}'s
 *       reported "Query time" in microseconds, alternating in blocks so both see the same load;</li>
 *   <li>CPU per query: this JVM's process CPU while it runs queries one at a time through a real
 *       {@link ProbeEngine} ({@code runOnce}, which validates the task and creates the probe each time) against
 *       blackbox_exporter's ({@code /proc/PID/stat}) while it serves its {@code /probe} endpoint with a dns module
 *       for the same name and resolver; the resolver's own CPU per query in brackets.</li>
 * </ul>
 * Every query goes to the given resolver, which must be on loopback.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.vantage.benchmarks.dns.DnsVsDigAndBlackbox RESOLVER_PID
 *     RESOLVER_IP:PORT BLACKBOX_PID BLACKBOX_HOST:PORT BLACKBOX_MODULE NAME [queries] [rounds]</pre>
 */
public final class DnsVsDigAndBlackbox {
    private static final Pattern DIG_TIME = Pattern.compile("Query time: (\\d+) usec");
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private DnsVsDigAndBlackbox() {
    }

    public static void main(String[] args) throws Exception {
        long resolverPid = Long.parseLong(args[0]);
        String resolver = args[1];
        long blackboxPid = Long.parseLong(args[2]);
        String blackbox = args[3];
        String module = args[4];
        String name = args[5];
        int queries = args.length > 6 ? Integer.parseInt(args[6]) : 2000;
        int rounds = args.length > 7 ? Integer.parseInt(args[7]) : 5;
        if (!resolver.startsWith("127.")) {
            throw new IllegalArgumentException("the resolver must be on loopback: " + resolver);
        }
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        try (ProbeEngine engine = ProbeEngine.builder().discoverProviders(false)
                .addProvider(new DnsProbeProvider()).addProvider(new NoopProvider()).build()) {
            TaskSpec task = TaskSpec.builder("dns", name).timeout(Duration.ofSeconds(5))
                    .param("resolver", resolver).build();
            Runnable ours = () -> probe(engine, task);
            Runnable noop = () -> probe(engine, TaskSpec.builder(NoopProvider.TYPE, name).build());
            Runnable theirs = () -> blackbox(client, blackbox, module, resolver);
            for (Runnable warmUp : List.of(noop, ours, noop, ours)) {
                repeat(warmUp, 5000);
            }
            repeat(theirs, 1000);

            // latency, same run: blocks of 100 dig runs and 100 of our queries, alternating
            List<Double> dig = new ArrayList<>();
            List<Double> query = new ArrayList<>();
            for (int block = 0; block < Math.max(1, queries / 200); block++) {
                for (int i = 0; i < 100; i++) {
                    dig.add(dig(resolver, name));
                }
                for (int i = 0; i < 100; i++) {
                    query.add(probe(engine, task).phases().get("query").toNanos() / 1e3);
                }
            }
            System.out.printf("latency, %d each, µs median (p10-p90), loadavg %s%n", dig.size(), Stats.loadAverage());
            System.out.printf("  dig -u +tries=1 Query time: %.1f (%.1f-%.1f)%n", Stats.median(dig),
                    Stats.percentile(dig, 10), Stats.percentile(dig, 90));
            System.out.printf("  vantage phase query:       %.1f (%.1f-%.1f)  gap %+.1f%n", Stats.median(query),
                    Stats.percentile(query, 10), Stats.percentile(query, 90), Stats.median(query) - Stats.median(dig));

            List<Double> ratios = new ArrayList<>();
            for (int round = 1; round <= rounds; round++) {
                double[] b = measure(theirs, queries, blackboxPid, resolverPid);
                double[] o = measure(ours, queries, -1, resolverPid);
                double[] n = measure(noop, queries, -1, -1);
                ratios.add(o[0] / b[0]);
                System.out.printf("round %d, %d queries each, CPU µs/query (resolver's in brackets), loadavg %s%n",
                        round, queries, Stats.loadAverage());
                System.out.printf("  dns: blackbox_exporter %6.1f [%5.1f]  vantage %6.1f [%5.1f]  ratio %.2f"
                        + "  (engine alone %.1f)%n", b[0], b[1], o[0], o[1], o[0] / b[0], n[0]);
            }
            System.out.printf("median ratio vantage/blackbox_exporter: dns %.2f%n", Stats.median(ratios));
        }
    }

    /** CPU µs per query of the measured process ({@code pid}, or this JVM if -1) and of the resolver. */
    private static double[] measure(Runnable probe, int n, long pid, long resolverPid) throws IOException {
        long cpu0 = pid < 0 ? OS.getProcessCpuTime() : ProcStat.cpuNanos(pid);
        long resolver0 = resolverPid < 0 ? 0 : ProcStat.cpuNanos(resolverPid);
        repeat(probe, n);
        long cpu1 = pid < 0 ? OS.getProcessCpuTime() : ProcStat.cpuNanos(pid);
        long resolver1 = resolverPid < 0 ? 0 : ProcStat.cpuNanos(resolverPid);
        return new double[] {(cpu1 - cpu0) / 1e3 / n, (resolver1 - resolver0) / 1e3 / n};
    }

    private static void repeat(Runnable probe, int n) {
        for (int i = 0; i < n; i++) {
            probe.run();
        }
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

    /** dig's own "Query time" of one query, µs. */
    private static double dig(String resolver, String name) {
        int colon = resolver.lastIndexOf(':');
        try {
            Process p = new ProcessBuilder("dig", "-u", "+tries=1", "+time=2", "@" + resolver.substring(0, colon),
                    "-p", resolver.substring(colon + 1), name, "A").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(10, TimeUnit.SECONDS);
            Matcher m = DIG_TIME.matcher(out);
            if (!m.find() || !out.contains("status: NOERROR")) {
                throw new IllegalStateException("dig failed: " + out);
            }
            return Double.parseDouble(m.group(1));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void blackbox(HttpClient client, String blackbox, String module, String target) {
        URI uri = URI.create("http://" + blackbox + "/probe?module=" + module + "&target="
                + URLEncoder.encode(target, StandardCharsets.UTF_8));
        try {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (!r.body().contains("probe_success 1")) {
                throw new IllegalStateException("blackbox_exporter probe failed: " + r.body());
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

}
