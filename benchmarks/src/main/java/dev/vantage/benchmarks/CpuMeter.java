package dev.vantage.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.Map;
import java.util.TreeMap;

/**
 * Process CPU time per counted result over a stretch of a run, and how busy each kind of platform thread was.
 * Throughput on a shared 2-core machine moves with the neighbours' load; CPU time per result moves much less, and
 * a thread near 1.00 cores is a serial bottleneck whatever the load.
 */
final class CpuMeter {
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private long cpu0;
    private long wall0;
    private long count0;
    private Map<String, Long> threads0 = Map.of();

    void mark(long count) {
        cpu0 = OS.getProcessCpuTime();
        wall0 = System.nanoTime();
        count0 = count;
        threads0 = threadCpu();
    }

    /** e.g. {@code 123,456 results/s over 3.01 s, cpu 1.23 us/result, 1.85 cores, loadavg 3.1, threads {...}}. */
    String report(long count) {
        long cpu = OS.getProcessCpuTime() - cpu0;
        long wall = System.nanoTime() - wall0;
        long n = Math.max(1, count - count0);
        StringBuilder busy = new StringBuilder();
        threadCpu().forEach((name, t) -> {
            double cores = (t - threads0.getOrDefault(name, 0L)) / (double) wall;
            if (cores >= 0.02) {
                busy.append(String.format(" %s=%.2f", name, cores));
            }
        });
        return String.format("%,.0f results/s over %.2f s, cpu %.2f us/result, %.2f cores, loadavg %.1f, threads{%s }",
                n * 1e9 / wall, wall / 1e9, cpu / 1e3 / n, (double) cpu / wall, OS.getSystemLoadAverage(), busy);
    }

    /** CPU nanoseconds of live platform threads, summed by name with trailing digits dropped (pool workers). */
    private static Map<String, Long> threadCpu() {
        Map<String, Long> out = new TreeMap<>();
        long[] ids = THREADS.getAllThreadIds();
        ThreadInfo[] infos = THREADS.getThreadInfo(ids);
        for (int i = 0; i < ids.length; i++) {
            long t = THREADS.getThreadCpuTime(ids[i]);
            if (infos[i] != null && t > 0) {
                out.merge(infos[i].getThreadName().replaceAll("-?\\d+$", ""), t, Long::sum);
            }
        }
        return out;
    }
}
