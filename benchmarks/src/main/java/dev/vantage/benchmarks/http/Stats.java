package dev.vantage.benchmarks.http;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** Small helpers the comparison harnesses (HTTP/TCP, DNS) share: percentiles, the load average. */
public final class Stats {
    private Stats() {
    }

    /** The p-th percentile (0..100, nearest rank) of {@code values}, in their unit. */
    public static double percentile(List<Double> values, double p) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(sorted);
        return sorted.length == 0 ? Double.NaN : sorted[(int) Math.min(sorted.length - 1, p / 100 * sorted.length)];
    }

    public static double median(List<Double> values) {
        return percentile(values, 50);
    }

    /** e.g. {@code 1.23 1.50 2.10}: the 1, 5 and 15 minute load averages, to note next to every figure. */
    public static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (Exception e) {
            return "?";
        }
    }
}
