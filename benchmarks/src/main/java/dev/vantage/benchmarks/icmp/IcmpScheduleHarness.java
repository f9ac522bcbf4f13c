package dev.vantage.benchmarks.icmp;

import dev.vantage.plugins.icmp.IcmpProbeProvider;
import dev.vantage.probe.engine.EngineStats;
import dev.vantage.probe.engine.ProbeEngine;
import dev.vantage.probe.engine.TaskSpec;
import dev.vantage.probe.spi.ErrorKind;
import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.probe.spi.ProbeStatus;
import dev.vantage.probe.spi.ResultSink;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Scale B: {@code --targets} (10,000) scheduled ICMP tasks, every second (3 requests 200 ms apart, timeout 1 s),
 * through the engine, inside a namespace whose far side holds every target; after {@code --warmup-s} (10) it
 * counts results, packets, lost packets and process CPU over {@code --measure-s} (30). Baseline in the same run:
 * fping sending the same packets (3 per target per second: {@code -p 333}, spaced evenly with {@code -i}) for the
 * same time. Every address answers, so any loss is false loss: lost packets, and also the probes whose packets a
 * result never reports — attempts the engine cut off at their timeout (a TIMEOUT result without packet counts) and
 * slots skipped because the previous attempt was still in flight. Those count as {@code count} lost packets each in
 * "false loss incl. cut-offs". Needs root and fping.
 *
 * <pre>java --enable-native-access=ALL-UNNAMED -cp benchmarks.jar dev.vantage.benchmarks.icmp.IcmpScheduleHarness
 *     [--targets=10000] [--warmup-s=10] [--measure-s=30] [--count=3] [--jvm=-XX:StartFlightRecording=...]
 *     [--skip-fping]</pre>
 */
public final class IcmpScheduleHarness {
    private IcmpScheduleHarness() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = Bench.options(args);
        int warmup = Integer.parseInt(o.getOrDefault("warmup-s", "10"));
        int measure = Integer.parseInt(o.getOrDefault("measure-s", "30"));
        int count = Integer.parseInt(o.getOrDefault("count", "3"));
        if (o.containsKey("child")) {
            child(Path.of(o.get("targets-file")), count, warmup, measure);
            return;
        }
        int targets = Integer.parseInt(o.getOrDefault("targets", "10000"));
        System.out.printf("IcmpScheduleHarness: %,d targets every 1 s, %d packets 200 ms apart, warm-up %d s, "
                        + "window %d s; %s, %d CPUs, loadavg %s%n", targets, count, warmup, measure, Runtime.version(),
                Runtime.getRuntime().availableProcessors(), Bench.loadavg());
        try (Bench.Net net = Bench.Net.create(targets)) {
            Path file = net.targetFile();
            Bench.Fping f = null;
            if (!o.containsKey("skip-fping")) {
                // fping keeps each sequence number for 10 s and has 65,536 of them: split the targets so that
                // each process stays under that. -p: each target every 1000/count ms; -i: spread evenly.
                int parts = Math.max(1, (int) Math.ceil(targets * count * 10.0 / 50_000));
                String period = String.valueOf(1000 / count);
                String spacing = String.format("%.4f", 1000.0 / count / Math.ceil((double) targets / parts));
                List<List<String>> runs = new ArrayList<>();
                int per = (int) Math.ceil((double) targets / parts);
                for (int i = 0; i < targets; i += per) {
                    Path part = Bench.Net.targetFile(net.targets.subList(i, Math.min(targets, i + per)));
                    runs.add(List.of("-q", "-c", String.valueOf(count * measure), "-p", period, "-i", spacing, "-f",
                            part.toString()));
                }
                f = Bench.Fping.runAll(net.client, runs, measure + 120L);
                System.out.printf("%d fping processes in parallel:%n", runs.size());
                System.out.printf("fping -c %d -p %s -i %s: %.2f s wall, %.2f s cpu = %.1f us per %d packets (user-mode "
                                + "%.1f us), %d/%d replies (%.4f%% loss), loadavg %s%n", count * measure, period, spacing,
                        f.wall(), f.cpu(), f.cpu() * 1e6 / ((double) targets * measure), count,
                        f.user() * 1e6 / ((double) targets * measure), f.received(), f.sent(),
                        100.0 * (f.sent() - f.received()) / f.sent(), Bench.loadavg());
            }
            List<String> jvm = new ArrayList<>(List.of("-Xmx1g"));
            if (o.containsKey("jvm")) {
                jvm.addAll(List.of(o.get("jvm").split(" ")));
            }
            Map<String, String> v = Bench.child(net.client, IcmpScheduleHarness.class, jvm,
                    List.of("--targets-file=" + file, "--count=" + count, "--warmup-s=" + warmup,
                            "--measure-s=" + measure), warmup + measure + 300L);
            double perProbe = Double.parseDouble(v.get("cpuUsPerProbe"));
            System.out.printf("vantage: %s probes/s, %s us cpu per probe, %s cores, %s%% packet loss (%s results with "
                    + "loss), user-mode cpu %s us per probe, loadavg %s%n", v.get("probesPerS"), v.get("cpuUsPerProbe"),
                    v.get("cores"), v.get("lossPercent"), v.get("lossyResults"), v.get("userUsPerProbe"),
                    Bench.loadavg());
            System.out.printf("vantage false loss incl. cut-offs: %s%% (%s engine cut-offs, %s slots skipped with the "
                    + "previous still in flight, %s slots missed by the engine's timer)%n", v.get("falseLossPercent"),
                    v.get("cutOffs"), v.get("skippedInFlight"), v.get("missedSlots"));
            if (f != null) {
                double fpingPerProbe = f.cpu() * 1e6 / ((double) targets * measure);
                System.out.printf("cpu per probe: vantage %.1f us, fping %.1f us, ratio %.2f%n", perProbe,
                        fpingPerProbe, perProbe / fpingPerProbe);
            }
            Files.deleteIfExists(file);
        }
    }

    private static void child(Path targetFile, int count, int warmup, int measure) throws Exception {
        List<String> targets = Files.readAllLines(targetFile);
        Counting sink = new Counting();
        try (ProbeEngine engine = ProbeEngine.builder().discoverProviders(false).addProvider(new IcmpProbeProvider())
                .addSink(sink).build()) {
            for (int i = 0; i < targets.size(); i++) {
                engine.schedule(TaskSpec.builder("icmp", targets.get(i)).id("t" + i).interval(java.time.Duration.ofSeconds(1))
                        .timeout(java.time.Duration.ofSeconds(1)).param("count", count).build());
            }
            Thread.sleep(warmup * 1000L);
            Snapshot a = new Snapshot(sink, engine);
            Thread.sleep(measure * 1000L);
            Snapshot b = new Snapshot(sink, engine);
            EngineStats stats = engine.stats();
            double wall = (b.nanos - a.nanos) / 1e9;
            long probes = b.results - a.results;
            long sent = b.sent - a.sent;
            long received = b.received - a.received;
            // probes whose packets no result reports: each stands for `count` requests that were due
            long unreported = (b.cutOffs - a.cutOffs) + (b.skipped - a.skipped) + (b.missed - a.missed);
            long due = sent + unreported * count;
            System.out.printf("threads (cores): %s%n", b.busy(a, wall));
            System.out.printf("gc: %d collections, %d ms; engine: missed slots %d, max lag %d ms (whole run); "
                            + "non-success results in window %d%n", b.gcCount - a.gcCount, b.gcMillis - a.gcMillis,
                    stats.missedSlots(), stats.lagMax().toMillis(), b.failed - a.failed);
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("probesPerS", String.format("%.0f", probes / wall));
            r.put("cpuUsPerProbe", String.format("%.1f", (b.cpu - a.cpu) * 1e6 / probes));
            r.put("cores", String.format("%.2f", (b.cpu - a.cpu) / wall));
            r.put("sent", sent);
            r.put("received", received);
            r.put("lossPercent", String.format("%.4f", 100.0 * (sent - received) / Math.max(1, sent)));
            r.put("lossyResults", b.lossy - a.lossy);
            r.put("userUsPerProbe", String.format("%.1f", (b.user - a.user) * 1e6 / probes));
            r.put("skippedInFlight", b.skipped - a.skipped);
            r.put("cutOffs", b.cutOffs - a.cutOffs);
            r.put("missedSlots", b.missed - a.missed);
            r.put("falseLossPercent", String.format("%.4f", 100.0 * (due - received) / Math.max(1, due)));
            System.out.println(Bench.result(r));
        }
    }

    /** Counts results and their packets. */
    static final class Counting implements ResultSink {
        final LongAdder results = new LongAdder();
        final LongAdder sent = new LongAdder();
        final LongAdder received = new LongAdder();
        final LongAdder lossy = new LongAdder();
        final LongAdder failed = new LongAdder();
        final LongAdder cutOffs = new LongAdder();

        @Override
        public void export(List<ProbeResult> batch) {
            for (ProbeResult r : batch) {
                results.increment();
                long s = r.measurements().getOrDefault("sent", 0.0).longValue();
                long x = r.measurements().getOrDefault("received", 0.0).longValue();
                sent.add(s);
                received.add(x);
                if (x < s) {
                    lossy.increment();
                }
                if (r.status() != ProbeStatus.SUCCESS) {
                    failed.increment();
                }
                // the engine's own TIMEOUT at the cut-off carries no packet counts; the probe's own one does
                if (r.error() != null && r.error().kind() == ErrorKind.TIMEOUT
                        && !r.measurements().containsKey("sent")) {
                    cutOffs.increment();
                }
            }
        }
    }

    private static final class Snapshot {
        private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
        final long nanos = System.nanoTime();
        final double cpu = Bench.processCpuSeconds();
        final long results;
        final long sent;
        final long received;
        final long lossy;
        final long failed;
        final long gcCount;
        final long gcMillis;
        final Map<String, Long> threadCpu = new TreeMap<>();

        final double user = userSeconds();
        final long skipped;
        final long missed;
        final long cutOffs;

        Snapshot(Counting sink, ProbeEngine engine) {
            EngineStats stats = engine.stats();
            skipped = stats.skippedInFlight();
            missed = stats.missedSlots();
            cutOffs = sink.cutOffs.sum();
            results = sink.results.sum();
            sent = sink.sent.sum();
            received = sink.received.sum();
            lossy = sink.lossy.sum();
            failed = sink.failed.sum();
            long c = 0;
            long t = 0;
            for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                c += gc.getCollectionCount();
                t += gc.getCollectionTime();
            }
            gcCount = c;
            gcMillis = t;
            long[] ids = THREADS.getAllThreadIds();
            ThreadInfo[] infos = THREADS.getThreadInfo(ids);
            for (int i = 0; i < ids.length; i++) {
                long n = THREADS.getThreadCpuTime(ids[i]);
                if (infos[i] != null && n > 0) {
                    threadCpu.merge(infos[i].getThreadName().replaceAll("-?\\d+$", ""), n, Long::sum);
                }
            }
        }

        /** User-mode CPU of the whole process (utime in /proc/self/stat, clock ticks of 10 ms). */
        private static double userSeconds() {
            try {
                String stat = Files.readString(Path.of("/proc/self/stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                return Long.parseLong(f[11]) / 100.0;
            } catch (java.io.IOException e) {
                return Double.NaN;
            }
        }

        String busy(Snapshot before, double wall) {
            StringBuilder s = new StringBuilder();
            threadCpu.forEach((name, n) -> {
                double cores = (n - before.threadCpu.getOrDefault(name, 0L)) / 1e9 / wall;
                if (cores >= 0.01) {
                    s.append(String.format("%s=%.2f ", name, cores));
                }
            });
            return s.toString().trim();
        }
    }
}
