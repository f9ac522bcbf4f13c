package dev.vantage.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * Another process's CPU time and memory from {@code /proc}, for the harnesses that compare whole processes (ours
 * against blackbox_exporter, dig, ...). CPU is in clock ticks of 10 ms ({@code getconf CLK_TCK} = 100), so a figure
 * per probe is exact only over many probes.
 */
public final class ProcStat {
    private static final long TICK_NANOS = 10_000_000L;

    private ProcStat() {
    }

    /** utime + stime of a process (all its threads), in nanoseconds. */
    public static long cpuNanos(long pid) throws IOException {
        return cpuNanos(Files.readString(Path.of("/proc/" + pid + "/stat")));
    }

    /**
     * CPU of a process's threads by name (the kernel's 15-character {@code comm}), digits replaced by {@code #} so
     * that pool workers add up (a thread that ended in between is missing from the later reading).
     */
    public static Map<String, Long> threadCpuNanos(long pid) throws IOException {
        Map<String, Long> out = new TreeMap<>();
        try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path t : tasks.toList()) {
                try {
                    String stat = Files.readString(t.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("[0-9]+", "#");
                    out.merge(name, cpuNanos(stat), Long::sum);
                } catch (IOException gone) {
                    // the thread ended meanwhile
                }
            }
        }
        return out;
    }

    /** Resident set size ({@code VmRSS} of {@code /proc/PID/status}), in bytes. */
    public static long rssBytes(long pid) throws IOException {
        return kilobytes(Path.of("/proc/" + pid + "/status"), "VmRSS:") * 1024;
    }

    /**
     * The resident set in {@code /proc/PID/status}'s terms, in bytes: {@code anon} (heap, metaspace, malloc: the
     * process's own) and {@code file} (mapped files: libjvm, the class-data archive, jars, which two JVMs of one JDK
     * share).
     */
    public record Resident(long anon, long file) {
        public long total() {
            return anon + file;
        }
    }

    public static Resident resident(long pid) throws IOException {
        Path status = Path.of("/proc/" + pid + "/status");
        return new Resident(kilobytes(status, "RssAnon:") * 1024, kilobytes(status, "RssFile:") * 1024);
    }

    private static long kilobytes(Path file, String field) throws IOException {
        for (String line : Files.readAllLines(file)) {
            if (line.startsWith(field)) {
                return Long.parseLong(line.substring(field.length()).strip().split("\\s+")[0]);
            }
        }
        throw new IOException("no " + field + " in " + file);
    }

    private static long cpuNanos(String stat) {
        // after the command (which may hold spaces and parentheses): state is field 3, utime 14 and stime 15
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * TICK_NANOS;
    }
}
