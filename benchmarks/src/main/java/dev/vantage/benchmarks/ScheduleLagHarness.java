package dev.vantage.benchmarks;

import dev.vantage.probe.engine.Assertion;
import dev.vantage.probe.engine.EngineStats;
import dev.vantage.probe.engine.ProbeEngine;
import dev.vantage.probe.engine.TaskSpec;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Whole-process check of target (b): {@code tasks} no-op tasks every {@code interval} (default 100,000 every 10 s),
 * start lag percentiles, heap after a full GC, and CPU, for the engine and, in the same process before it, for a
 * baseline: one {@link ScheduledThreadPoolExecutor} thread firing the same number of no-op tasks at the same slots
 * with {@code scheduleAtFixedRate}. Run it with {@code -Xmx256m} so that fitting the heap budget is shown, not
 * estimated.
 *
 * <p>What "lag" means here, all against the slot a run was due at:
 * <ul>
 *   <li><b>engine timer</b>: the engine's own {@code vantage.scheduler.lag} Micrometer timer (when its timer thread
 *       handled the slot), over the whole run including the seconds spent adding the tasks;</li>
 *   <li><b>stamp</b>: the attempt's {@code startedAt()} (taken by the engine right after that) minus the slot,
 *       only in the measurement window;</li>
 *   <li><b>run</b>: when the probe's code actually ran on its virtual thread minus the slot, only in the window;
 *       this is the lag a user's probe sees. For the baseline it is when the task ran on the executor thread.</li>
 * </ul>
 * The slot is recomputed the way the engine's Scheduler places tasks (the FNV-1a hash of the id, modulo the
 * interval, on the wall clock), so it is independent of the engine's own bookkeeping.
 *
 * <p>Arguments (all optional): {@code --tasks=100000 --interval-ms=10000 --warmup-s=20 --measure-s=50
 * --only=engine|baseline}.
 */
public final class ScheduleLagHarness {
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private static final long MS = 1_000_000L;
    private static final double[] SLO_MS = {1, 2, 5, 10, 50, 100, 1000};

    private final int tasks;
    private final long intervalNanos;
    private final int warmupSeconds;
    private final int measureSeconds;

    private ScheduleLagHarness(int tasks, long intervalNanos, int warmupSeconds, int measureSeconds) {
        this.tasks = tasks;
        this.intervalNanos = intervalNanos;
        this.warmupSeconds = warmupSeconds;
        this.measureSeconds = measureSeconds;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new LinkedHashMap<>();
        for (String a : args) {
            String[] kv = a.replaceFirst("^--", "").split("=", 2);
            opts.put(kv[0], kv.length > 1 ? kv[1] : "true");
        }
        ScheduleLagHarness h = new ScheduleLagHarness(Integer.parseInt(opts.getOrDefault("tasks", "100000")),
                Long.parseLong(opts.getOrDefault("interval-ms", "10000")) * MS,
                Integer.parseInt(opts.getOrDefault("warmup-s", "20")),
                Integer.parseInt(opts.getOrDefault("measure-s", "50")));
        String only = opts.getOrDefault("only", "both");
        System.out.printf("ScheduleLagHarness: %,d tasks every %d ms, warm-up %d s, window %d s; %s %s, %d CPUs, "
                        + "max heap %d MB, GC %s%n", h.tasks, h.intervalNanos / MS, h.warmupSeconds, h.measureSeconds,
                System.getProperty("java.vm.name"), Runtime.version(), Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() >> 20,
                ManagementFactory.getGarbageCollectorMXBeans().stream().map(GarbageCollectorMXBean::getName).toList());
        Figures base = only.equals("engine") ? null : h.runBaseline();
        fullGc();
        Figures engine = only.equals("baseline") ? null : h.runEngine();
        h.summary(base, engine);
    }

    /** What one phase measured, over its window unless noted. */
    private static final class Figures {
        String name;
        long setupNanos;
        long windowNanos;
        long runs;
        long cpuNanos;
        long gcCount;
        long gcMillis;
        long heapAfterGc;
        final Histogram stamp = Histogram.linear(10_000, 200_000); // 10 µs buckets up to 2 s
        final Histogram run = Histogram.linear(10_000, 200_000);
        final LongAdder early = new LongAdder();
        volatile boolean recording;
        String extra = "";
    }

    // ---------------------------------------------------------------- baseline

    private Figures runBaseline() throws Exception {
        Figures f = new Figures();
        f.name = "baseline: ScheduledThreadPoolExecutor(1).scheduleAtFixedRate";
        LongAdder runs = new LongAdder();
        ScheduledThreadPoolExecutor stpe = new ScheduledThreadPoolExecutor(1,
                r -> Thread.ofPlatform().daemon().name("baseline-timer").unstarted(r));
        long t0 = System.nanoTime();
        for (int i = 0; i < tasks; i++) {
            long phase = phase(id(i));
            long wall = epochNanos(Instant.now()); // per task, as the engine does: adding them all takes a while
            long delay = Math.floorMod(phase - Math.floorMod(wall, intervalNanos), intervalNanos);
            stpe.scheduleAtFixedRate(() -> {
                long lag = lagNanos(phase, Instant.now());
                runs.increment();
                if (f.recording) {
                    record(f, f.run, lag);
                }
            }, delay, intervalNanos, TimeUnit.NANOSECONDS);
        }
        f.setupNanos = System.nanoTime() - t0;
        window(f, runs::sum, () -> "");
        f.heapAfterGc = fullGc();
        stpe.shutdownNow();
        return f;
    }

    // ---------------------------------------------------------------- engine

    private Figures runEngine() throws Exception {
        Figures f = new Figures();
        f.name = "engine: ProbeEngine, no-op probe, status eq SUCCESS, counting sink";
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        // keep the lag histogram for the whole run (Micrometer's default window is 2 minutes in 3 steps) and
        // count runs under fixed bounds, so that the window's share within 5 ms can be read from the engine's timer
        registry.config().meterFilter(new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                if (!id.getName().equals("vantage.scheduler.lag")) {
                    return config;
                }
                double[] slo = new double[SLO_MS.length];
                for (int i = 0; i < slo.length; i++) {
                    slo[i] = SLO_MS[i] * MS;
                }
                return DistributionStatisticConfig.builder().serviceLevelObjectives(slo)
                        .expiry(Duration.ofHours(1)).bufferLength(1).build().merge(config);
            }
        });
        CountingSink sink = new CountingSink();
        Assertion success = Assertion.of("status", Assertion.Op.EQ, "SUCCESS");
        NoopProvider provider = new NoopProvider(ctx -> {
            if (f.recording) {
                Instant now = Instant.now();
                long phase = phase(ctx.taskId());
                record(f, f.run, lagNanos(phase, now));
                record(f, f.stamp, lagNanos(phase, ctx.startedAt()));
            }
        });
        long t0 = System.nanoTime();
        try (ProbeEngine engine = ProbeEngine.builder().discoverProviders(false).addProvider(provider).addSink(sink)
                .meterRegistry(registry).build()) {
            Duration interval = Duration.ofNanos(intervalNanos);
            Duration timeout = interval.compareTo(TaskSpec.DEFAULT_TIMEOUT) < 0 ? interval : TaskSpec.DEFAULT_TIMEOUT;
            for (int i = 0; i < tasks; i++) {
                engine.schedule(TaskSpec.builder(NoopProvider.TYPE, "local").id(id(i)).interval(interval)
                        .timeout(timeout).assertion(success).build());
            }
            f.setupNanos = System.nanoTime() - t0;
            Timer lag = registry.get("vantage.scheduler.lag").timer();
            EngineStats[] before = new EngineStats[1];
            HistogramSnapshot[] lag0 = new HistogramSnapshot[1];
            window(f, () -> engine.stats().sinks().getFirst().delivered(), () -> {
                // called at the window's start and end: the first call marks, the second reports
                if (before[0] == null) {
                    before[0] = engine.stats();
                    lag0[0] = lag.takeSnapshot();
                    return "";
                }
                EngineStats s = engine.stats();
                EngineStats.SinkStats k = s.sinks().getFirst(), k0 = before[0].sinks().getFirst();
                HistogramSnapshot whole = lag.takeSnapshot();
                return String.format("engine timer vantage.scheduler.lag, whole run incl. setup (%,d runs): p50 %s  "
                                + "p99 %s  p99.9 %s  max %s%n"
                                + "engine timer, window only: %s%n"
                                + "EngineStats: lagP99 %s lagMax %s (whole run); in window: missedSlots %,d, "
                                + "skippedInFlight %,d, dropped %,d; results not SUCCESS (whole run) %,d",
                        whole.count(), ms(pct(whole, 0.5)), ms(pct(whole, 0.99)), ms(pct(whole, 0.999)),
                        ms((long) whole.max(TimeUnit.NANOSECONDS)), sloShares(lag0[0], whole),
                        ms(s.lagP99().toNanos()), ms(s.lagMax().toNanos()), s.missedSlots() - before[0].missedSlots(),
                        s.skippedInFlight() - before[0].skippedInFlight(), k.dropped() - k0.dropped(), sink.notSuccess());
            });
            f.heapAfterGc = fullGc();
        }
        return f;
    }

    // ---------------------------------------------------------------- measurement

    /** Warm-up, then the measurement window; {@code extra} is called at the window's start and end. */
    private void window(Figures f, java.util.function.LongSupplier runs, java.util.function.Supplier<String> extra)
            throws InterruptedException {
        System.out.printf("%n== %s%n   %,d tasks added in %.2f s; warm-up %d s%n", f.name, tasks,
                f.setupNanos / 1e9, warmupSeconds);
        progress(runs, warmupSeconds);
        extra.get();
        long cpu0 = OS.getProcessCpuTime(), gc0 = gcCount(), gcMs0 = gcMillis(), runs0 = runs.getAsLong();
        long w0 = System.nanoTime();
        f.recording = true;
        progress(runs, measureSeconds);
        f.recording = false;
        f.windowNanos = System.nanoTime() - w0;
        f.cpuNanos = OS.getProcessCpuTime() - cpu0;
        f.gcCount = gcCount() - gc0;
        f.gcMillis = gcMillis() - gcMs0;
        f.runs = runs.getAsLong() - runs0;
        f.extra = extra.get();
    }

    private static void progress(java.util.function.LongSupplier runs, int seconds) throws InterruptedException {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        long last = runs.getAsLong();
        while (System.nanoTime() < end) {
            Thread.sleep(Math.min(10_000, Math.max(1, (end - System.nanoTime()) / MS)));
            long now = runs.getAsLong();
            var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
            System.out.printf("   %,9d runs since last line, heap used %d MB (committed %d MB), loadavg %.1f%n",
                    now - last, heap.getUsed() >> 20, heap.getCommitted() >> 20, OS.getSystemLoadAverage());
            last = now;
        }
    }

    private void record(Figures f, Histogram h, long lag) {
        if (lag > intervalNanos / 2) {
            f.early.increment(); // a wall-clock hair before the slot: count it, record zero
            lag = 0;
        }
        h.record(lag);
    }

    /** How late {@code at} is after the latest slot {@code ≡ phase (mod interval)} on the wall clock. */
    private long lagNanos(long phase, Instant at) {
        return Math.floorMod(epochNanos(at) - phase, intervalNanos);
    }

    private long phase(String id) {
        return Math.floorMod(hash(id), intervalNanos);
    }

    private static String id(int i) {
        return "task-" + i;
    }

    private static long epochNanos(Instant t) {
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    /** The engine Scheduler's task phase hash (64-bit FNV-1a and a final mix), repeated here on purpose. */
    static long hash(String id) {
        long h = 0xcbf29ce484222325L;
        for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        return h;
    }

    private static long pct(HistogramSnapshot s, double p) {
        for (ValueAtPercentile v : s.percentileValues()) {
            if (v.percentile() == p) {
                return (long) v.value(TimeUnit.NANOSECONDS);
            }
        }
        return -1;
    }

    /** Share of the window's runs at or under each bound, from the difference of two cumulative snapshots. */
    private static String sloShares(HistogramSnapshot a, HistogramSnapshot b) {
        long n = b.count() - a.count();
        StringBuilder out = new StringBuilder(String.format("%,d runs", n));
        CountAtBucket[] ca = a.histogramCounts(), cb = b.histogramCounts();
        for (int i = 0; i < cb.length; i++) {
            double share = n == 0 ? 1 : (cb[i].count() - ca[i].count()) / (double) n;
            out.append(String.format(", <=%s %.4f%%", ms((long) cb[i].bucket(TimeUnit.NANOSECONDS)), 100 * share));
        }
        return out.toString();
    }

    private static long fullGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static long gcCount() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(GarbageCollectorMXBean::getCollectionCount).sum();
    }

    private static long gcMillis() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(GarbageCollectorMXBean::getCollectionTime).sum();
    }

    private static String ms(long nanos) {
        return String.format("%.3f ms", nanos / 1e6);
    }

    // ---------------------------------------------------------------- report

    private void summary(Figures b, Figures e) {
        System.out.printf("%n== Summary (window %d s after %d s warm-up; lag percentiles from 10 us buckets)%n",
                measureSeconds, warmupSeconds);
        for (Figures f : new Figures[] {b, e}) {
            if (f == null) {
                continue;
            }
            double secs = f.windowNanos / 1e9;
            System.out.printf("%n%s%n", f.name);
            System.out.printf("  runs in window      %,d (expected %,d), %,.0f/s%n", f.runs,
                    (long) (tasks * (f.windowNanos / (double) intervalNanos)), f.runs / secs);
            System.out.printf("  run lag             %s%n", lagLine(f.run));
            if (f.stamp.count() > 0) {
                System.out.printf("  stamp lag           %s%n", lagLine(f.stamp));
            }
            System.out.printf("  heap after full GC  %.1f MB (max heap %d MB)%n", f.heapAfterGc / 1048576.0,
                    Runtime.getRuntime().maxMemory() >> 20);
            System.out.printf("  CPU                 %.3f cores, %.2f us per run; GC %d collections, %d ms (%.2f%% of window)%n",
                    f.cpuNanos / (double) f.windowNanos, f.cpuNanos / 1e3 / Math.max(1, f.runs), f.gcCount,
                    f.gcMillis, 100.0 * f.gcMillis * MS / f.windowNanos);
            if (f.early.sum() > 0) {
                System.out.printf("  runs a hair before their slot (recorded as 0): %,d%n", f.early.sum());
            }
            if (!f.extra.isEmpty()) {
                System.out.println("  " + f.extra.replace("\n", "\n  "));
            }
        }
        if (b != null && e != null) {
            System.out.printf("%nRatios engine / baseline: run lag p50 %s, p99 %s, p99.9 %s, max %s; heap %s; CPU per run %s%n",
                    ratio(e.run.percentileNanos(0.5), b.run.percentileNanos(0.5)),
                    ratio(e.run.percentileNanos(0.99), b.run.percentileNanos(0.99)),
                    ratio(e.run.percentileNanos(0.999), b.run.percentileNanos(0.999)),
                    ratio(e.run.maxNanos(), b.run.maxNanos()), ratio(e.heapAfterGc, b.heapAfterGc),
                    ratio(e.cpuNanos * Math.max(1, b.runs), b.cpuNanos * Math.max(1, e.runs)));
        }
        if (e != null) {
            long p99 = e.run.percentileNanos(0.99);
            System.out.printf("Target (b): p99 run lag %s <= 5 ms: %s; heap after GC %.1f MB <= 256 MB: %s%n", ms(p99),
                    p99 <= 5 * MS ? "MET" : "MISSED", e.heapAfterGc / 1048576.0,
                    e.heapAfterGc <= 256L << 20 ? "MET" : "MISSED");
        }
    }

    private static String lagLine(Histogram h) {
        return String.format("p50 %s  p99 %s  p99.9 %s  max %s  (%,d runs, %.3f%% <= 5 ms)",
                ms(h.percentileNanos(0.5)), ms(h.percentileNanos(0.99)), ms(h.percentileNanos(0.999)),
                ms(h.maxNanos()), h.count(), 100 * h.fractionAtOrBelow(5 * MS));
    }

    private static String ratio(double a, double b) {
        return b <= 0 ? "n/a" : String.format("%.2fx", a / b);
    }
}
