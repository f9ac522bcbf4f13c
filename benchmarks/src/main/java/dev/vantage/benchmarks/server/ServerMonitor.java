package dev.vantage.benchmarks.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAccumulator;

/**
 * Watches the server process from outside: heap used (the sum of {@code jvm_memory_used_bytes{area="heap"}} over
 * the heap pools, from {@code /metrics} every few seconds; the maximum is kept) and its CPU time from
 * {@code /proc/<pid>/stat}, which counts every thread of the JVM (GC and JIT included).
 */
final class ServerMonitor implements AutoCloseable {
    private static final long CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux/x86; /proc reports in these

    private final ServerApi api;
    private final Path stat;
    private final LongAccumulator maxHeap = new LongAccumulator(Math::max, 0);
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "server-monitor");
        t.setDaemon(true);
        return t;
    });
    private volatile long lastHeap;
    private volatile String lastError = "";

    ServerMonitor(ServerApi api, long pid) {
        this.api = api;
        this.stat = Path.of("/proc", Long.toString(pid), "stat");
    }

    void start(long periodSeconds) {
        timer.scheduleWithFixedDelay(this::sample, 0, periodSeconds, TimeUnit.SECONDS);
    }

    private void sample() {
        try {
            long heap = heapUsed(api.metrics());
            lastHeap = heap;
            maxHeap.accumulate(heap);
        } catch (IOException | RuntimeException e) {
            lastError = e.toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Sums the heap pools of a Prometheus text exposition. */
    static long heapUsed(String metrics) {
        long sum = 0;
        for (String line : metrics.lines().toList()) {
            if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
                sum += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    /** The value of a counter or gauge without labels in a Prometheus text exposition; 0 if absent. */
    static double value(String metrics, String name) {
        for (String line : metrics.lines().toList()) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return 0;
    }

    /** The value of the first series of {@code name} whose labels contain {@code label} (e.g. {@code outcome="delivered"}); 0 if absent. */
    static double value(String metrics, String name, String label) {
        for (String line : metrics.lines().toList()) {
            if (line.startsWith(name + "{") && line.contains(label)) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return 0;
    }

    /** A histogram's cumulative bucket counts ({@code <name>_bucket{le="..."}}) by upper edge; {@code +Inf} last. */
    static java.util.NavigableMap<Double, Double> buckets(String metrics, String name) {
        java.util.NavigableMap<Double, Double> out = new java.util.TreeMap<>();
        for (String line : metrics.lines().toList()) {
            int le = line.indexOf("le=\"");
            if (line.startsWith(name + "_bucket{") && le > 0) {
                String edge = line.substring(le + 4, line.indexOf('"', le + 4));
                out.put(edge.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(edge),
                        Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
            }
        }
        return out;
    }

    long maxHeapBytes() {
        return maxHeap.get();
    }

    long lastHeapBytes() {
        return lastHeap;
    }

    String lastError() {
        return lastError;
    }

    /** The server's user plus system CPU time so far, in nanoseconds. */
    long cpuNanos() {
        try {
            String s = Files.readString(stat);
            // fields after "pid (comm) ": state is the 3rd field, utime the 14th, stime the 15th
            String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            return ticks * (1_000_000_000L / CLOCK_TICKS_PER_SECOND);
        } catch (IOException e) {
            return -1;
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
