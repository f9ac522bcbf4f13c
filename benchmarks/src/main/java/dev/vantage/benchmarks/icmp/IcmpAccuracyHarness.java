package dev.vantage.benchmarks.icmp;

import dev.vantage.plugins.icmp.IcmpProbeProvider;
import dev.vantage.probe.engine.ProbeEngine;
import dev.vantage.probe.engine.TaskSpec;
import dev.vantage.probe.spi.ProbeResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Accuracy on loopback: {@code --packets} (100) echo requests {@code --spacing-ms} (10) apart to 127.0.0.1, from
 * {@code fping -C} and from the engine, alternating for {@code --rounds} (5); compares the median round-trip times
 * (fping prints microseconds). Needs fping (root or ping sockets for both).
 *
 * <pre>java --enable-native-access=ALL-UNNAMED -cp benchmarks.jar dev.vantage.benchmarks.icmp.IcmpAccuracyHarness</pre>
 */
public final class IcmpAccuracyHarness {
    private IcmpAccuracyHarness() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = Bench.options(args);
        int packets = Integer.parseInt(o.getOrDefault("packets", "100"));
        int spacing = Integer.parseInt(o.getOrDefault("spacing-ms", "10"));
        int rounds = Integer.parseInt(o.getOrDefault("rounds", "5"));
        System.out.printf("IcmpAccuracyHarness: %d packets %d ms apart to 127.0.0.1, %d rounds; %s, loadavg %s%n",
                packets, spacing, rounds, Runtime.version(), Bench.loadavg());
        List<Double> fping = new ArrayList<>();
        List<Double> vantage = new ArrayList<>();
        try (ProbeEngine engine = ProbeEngine.builder().discoverProviders(false).addProvider(new IcmpProbeProvider())
                .build()) {
            TaskSpec spec = TaskSpec.builder("icmp", "127.0.0.1").param("count", packets)
                    .param("interval", Duration.ofMillis(spacing))
                    .timeout(Duration.ofMillis((long) spacing * packets + 2_000)).build();
            engine.runOnce(spec).toCompletableFuture().join(); // warm-up
            for (int round = 1; round <= rounds; round++) {
                String out = Bench.exec(List.of("fping", "-C", String.valueOf(packets), "-p", String.valueOf(spacing),
                        "-q", "127.0.0.1"), 60, false).output();
                double[] f = Arrays.stream(out.substring(out.indexOf(':') + 1).trim().split("\\s+"))
                        .filter(s -> !s.equals("-")).mapToDouble(Double::parseDouble).toArray();
                ProbeResult r = engine.runOnce(spec).toCompletableFuture().join();
                double[] v = r.samples().get("rttMs").stream().filter(Objects::nonNull).mapToDouble(Double::doubleValue)
                        .toArray();
                double fm = median(f) * 1000;
                double vm = median(v) * 1000;
                fping.add(fm);
                vantage.add(vm);
                System.out.printf("round %d: median rtt fping %.1f us (%d replies), vantage %.1f us (%d replies, %s "
                                + "timestamps), difference %+.1f us, loadavg %s%n", round, fm, f.length, vm, v.length,
                        r.attributes().get("timestampSource"), vm - fm, Bench.loadavg());
            }
        }
        double fm = median(fping.stream().mapToDouble(Double::doubleValue).toArray());
        double vm = median(vantage.stream().mapToDouble(Double::doubleValue).toArray());
        System.out.printf("median of round medians: fping %.1f us, vantage %.1f us, difference %+.1f us, ratio %.2f%n",
                fm, vm, vm - fm, vm / fm);
    }

    private static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        int n = s.length;
        return n == 0 ? Double.NaN : n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}
