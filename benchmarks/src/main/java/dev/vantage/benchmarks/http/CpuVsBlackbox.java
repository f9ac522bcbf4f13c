package dev.vantage.benchmarks.http;

import dev.vantage.benchmarks.NoopProvider;
import dev.vantage.benchmarks.ProcStat;
import dev.vantage.plugins.http.HttpProbeProvider;
import dev.vantage.plugins.icmp.IcmpProbeProvider;
import dev.vantage.plugins.tcp.TcpProbeProvider;
import dev.vantage.probe.engine.ProbeEngine;
import dev.vantage.probe.engine.TaskSpec;
import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.probe.spi.ProbeStatus;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * CPU time per probe of blackbox_exporter and of Vantage's engine, same target, same number of probes, same run.
 * blackbox_exporter's is its process CPU ({@code /proc/PID/stat} utime + stime) while this harness asks its
 * {@code /probe} endpoint for one probe at a time; ours is this JVM's process CPU while it runs the same number
 * of probes one at a time through a real {@link ProbeEngine} ({@code runOnce}, which also validates the task and
 * creates the probe each time). The target server runs in its own process, so neither figure includes it; its CPU
 * per probe is printed too. Rounds alternate between the two so that both see the same machine load.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.vantage.benchmarks.http.CpuVsBlackbox BLACKBOX_PID
 *     BLACKBOX_HOST:PORT TARGET_PID TARGET_HOST:PORT [probes] [rounds]</pre>
 *
 * <p>ICMP mode pings {@code 127.0.0.1} (the kernel answers, so there is no target process): blackbox_exporter's
 * module {@code icmp} (one echo request per probe) against ours with {@code count=1}, plus ours with
 * {@code count=3} (the default) 5 ms apart, on a fifth of the probes, as an extra line. Needs root (raw socket).
 *
 * <pre>java --enable-native-access=ALL-UNNAMED -cp benchmarks/target/benchmarks.jar
 *     dev.vantage.benchmarks.http.CpuVsBlackbox icmp BLACKBOX_PID BLACKBOX_HOST:PORT [probes] [rounds]</pre>
 */
public final class CpuVsBlackbox {
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private CpuVsBlackbox() {
    }

    public static void main(String[] args) throws Exception {
        if (args[0].equals("icmp")) {
            icmp(args);
            return;
        }
        long blackboxPid = Long.parseLong(args[0]);
        String blackbox = args[1];
        long targetPid = Long.parseLong(args[2]);
        String target = args[3];
        int probes = args.length > 4 ? Integer.parseInt(args[4]) : 3000;
        int rounds = args.length > 5 ? Integer.parseInt(args[5]) : 3;
        String url = "http://" + target + "/";
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        try (ProbeEngine engine = ProbeEngine.builder().discoverProviders(false)
                .addProvider(new HttpProbeProvider()).addProvider(new TcpProbeProvider())
                .addProvider(new NoopProvider()).build()) {
            TaskSpec tcp = TaskSpec.builder("tcp", target).timeout(Duration.ofSeconds(5)).build();
            TaskSpec http = TaskSpec.builder("http", url).timeout(Duration.ofSeconds(5)).build();
            Runnable ourTcp = () -> probe(engine, tcp);
            Runnable ourHttp = () -> probe(engine, http);
            // the engine's own share: the same runOnce with a probe that does nothing
            Runnable ourNoop = () -> probe(engine, TaskSpec.builder(NoopProvider.TYPE, target).build());
            Runnable theirTcp = () -> blackbox(client, blackbox, "tcp_connect", target);
            Runnable theirHttp = () -> blackbox(client, blackbox, "http_2xx", url);
            // until the JIT has settled: with fewer, our figures still fall from one round to the next
            for (Runnable warmUp : List.of(ourNoop, ourTcp, ourHttp, ourNoop, ourTcp, ourHttp)) {
                repeat(warmUp, 5000);
            }
            repeat(theirTcp, 1000);
            repeat(theirHttp, 1000);
            List<Double> ratioTcp = new ArrayList<>();
            List<Double> ratioHttp = new ArrayList<>();
            for (int round = 1; round <= rounds; round++) {
                double[] bt = measure(theirTcp, probes, blackboxPid, targetPid);
                double[] ot = measure(ourTcp, probes, -1, targetPid);
                double[] bh = measure(theirHttp, probes, blackboxPid, targetPid);
                double[] oh = measure(ourHttp, probes, -1, targetPid);
                double[] on = measure(ourNoop, probes, -1, targetPid);
                ratioTcp.add(ot[0] / bt[0]);
                ratioHttp.add(oh[0] / bh[0]);
                System.out.printf("round %d, %d probes each, CPU µs/probe (target server's in brackets), loadavg %s%n",
                        round, probes, Stats.loadAverage());
                System.out.printf("  tcp:  blackbox_exporter %6.1f [%5.1f]  vantage %6.1f [%5.1f]  ratio %.2f%n",
                        bt[0], bt[1], ot[0], ot[1], ot[0] / bt[0]);
                System.out.printf("  http: blackbox_exporter %6.1f [%5.1f]  vantage %6.1f [%5.1f]  ratio %.2f%n",
                        bh[0], bh[1], oh[0], oh[1], oh[0] / bh[0]);
                System.out.printf("  engine alone (runOnce of a probe that does nothing): %.1f%n", on[0]);
            }
            System.out.printf("median ratio vantage/blackbox_exporter: tcp %.2f, http %.2f%n",
                    Stats.median(ratioTcp), Stats.median(ratioHttp));
        }
    }

    private static void icmp(String[] args) throws Exception {
        long blackboxPid = Long.parseLong(args[1]);
        String blackbox = args[2];
        int probes = args.length > 3 ? Integer.parseInt(args[3]) : 3000;
        int rounds = args.length > 4 ? Integer.parseInt(args[4]) : 3;
        String target = "127.0.0.1";
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        try (ProbeEngine engine = ProbeEngine.builder().discoverProviders(false)
                .addProvider(new IcmpProbeProvider()).addProvider(new NoopProvider()).build()) {
            TaskSpec one = TaskSpec.builder("icmp", target).timeout(Duration.ofSeconds(5)).param("count", 1).build();
            TaskSpec three = TaskSpec.builder("icmp", target).timeout(Duration.ofSeconds(5)).param("count", 3)
                    .param("interval", Duration.ofMillis(5)).build();
            Runnable ourOne = () -> probe(engine, one);
            Runnable ourThree = () -> probe(engine, three);
            Runnable ourNoop = () -> probe(engine, TaskSpec.builder(NoopProvider.TYPE, target).build());
            Runnable theirs = () -> blackbox(client, blackbox, "icmp", target);
            for (Runnable warmUp : List.of(ourNoop, ourOne, ourNoop, ourOne)) {
                repeat(warmUp, 5000);
            }
            repeat(ourThree, 2000); // 10 ms each
            repeat(theirs, 1000);
            List<Double> ratios = new ArrayList<>();
            for (int round = 1; round <= rounds; round++) {
                double[] b = measure(theirs, probes, blackboxPid, -1);
                double[] o = measure(ourOne, probes, -1, -1);
                double[] o3 = measure(ourThree, Math.max(1, probes / 5), -1, -1);
                double[] on = measure(ourNoop, probes, -1, -1);
                ratios.add(o[0] / b[0]);
                System.out.printf("round %d, %d probes each (count=3: %d), CPU µs/probe, loadavg %s%n",
                        round, probes, Math.max(1, probes / 5), Stats.loadAverage());
                System.out.printf("  icmp: blackbox_exporter %6.1f  vantage count=1 %6.1f  ratio %.2f"
                        + "  (vantage count=3 %6.1f)%n", b[0], o[0], o[0] / b[0], o3[0]);
                System.out.printf("  engine alone (runOnce of a probe that does nothing): %.1f%n", on[0]);
            }
            System.out.printf("median ratio vantage/blackbox_exporter: icmp %.2f%n", Stats.median(ratios));
        }
    }

    /**
     * CPU µs per probe of the measured process ({@code pid}, or this JVM if -1) and of the target server (0 if its
     * pid is -1); for this JVM also prints where its CPU went, by thread (pool workers summed).
     */
    private static double[] measure(Runnable probe, int n, long pid, long targetPid) throws Exception {
        long cpu0 = pid < 0 ? OS.getProcessCpuTime() : ProcStat.cpuNanos(pid);
        long target0 = targetPid < 0 ? 0 : ProcStat.cpuNanos(targetPid);
        Map<String, Long> threads0 = pid < 0 ? threadCpu() : Map.of();
        repeat(probe, n);
        long cpu1 = pid < 0 ? OS.getProcessCpuTime() : ProcStat.cpuNanos(pid);
        long target1 = targetPid < 0 ? 0 : ProcStat.cpuNanos(targetPid);
        if (pid < 0) {
            StringBuilder by = new StringBuilder("    vantage threads, µs/probe:");
            threadCpu().forEach((name, t) -> {
                double perProbe = (t - threads0.getOrDefault(name, 0L)) / 1e3 / n;
                if (perProbe >= 1) {
                    by.append(String.format(" %s=%.0f", name, perProbe));
                }
            });
            System.out.println(by);
        }
        return new double[] {(cpu1 - cpu0) / 1e3 / n, (target1 - target0) / 1e3 / n};
    }

    /** CPU nanoseconds of live platform threads (virtual threads run on the ForkJoinPool carriers), by name. */
    private static Map<String, Long> threadCpu() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Map<String, Long> out = new TreeMap<>();
        long[] ids = mx.getAllThreadIds();
        ThreadInfo[] infos = mx.getThreadInfo(ids);
        for (int i = 0; i < ids.length; i++) {
            long t = mx.getThreadCpuTime(ids[i]);
            if (infos[i] != null && t > 0) {
                out.merge(infos[i].getThreadName().replaceAll("-?\\d+$", ""), t, Long::sum);
            }
        }
        return out;
    }

    private static void repeat(Runnable probe, int n) {
        for (int i = 0; i < n; i++) {
            probe.run();
        }
    }

    private static void probe(ProbeEngine engine, TaskSpec task) {
        ProbeResult r;
        try { // get with a timeout, not orTimeout: that would run a timer thread of its own for every probe
            r = engine.runOnce(task).toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("no result", e);
        }
        if (r.status() != ProbeStatus.SUCCESS) {
            throw new IllegalStateException("probe failed: " + r);
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
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

}
