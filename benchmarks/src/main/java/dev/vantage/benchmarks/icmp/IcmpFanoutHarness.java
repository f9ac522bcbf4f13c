package dev.vantage.benchmarks.icmp;

import dev.vantage.plugins.icmp.IcmpProbeProvider;
import dev.vantage.probe.engine.ProbeEngine;
import dev.vantage.probe.engine.TaskSpec;
import dev.vantage.probe.spi.ProbeResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Scale A: {@code --targets} (1,000) addresses on the far side of a veth pair, 3 echo requests each, 1 s apart per
 * target, all targets at once; against {@code fping -q -c 3 -i 1} (one packet per millisecond overall, 1 s per
 * target by default) to the same addresses from the same namespace, in the same run. Reports wall time, CPU and
 * loss (every address answers, so any loss is false loss). Needs root (namespaces) and fping.
 *
 * <pre>java --enable-native-access=ALL-UNNAMED -cp benchmarks.jar dev.vantage.benchmarks.icmp.IcmpFanoutHarness
 *     [--targets=1000] [--rounds=3]</pre>
 */
public final class IcmpFanoutHarness {
    private IcmpFanoutHarness() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = Bench.options(args);
        if (o.containsKey("child")) {
            child(Path.of(o.get("targets-file")), Integer.parseInt(o.getOrDefault("warmups", "2")));
            return;
        }
        int targets = Integer.parseInt(o.getOrDefault("targets", "1000"));
        int rounds = Integer.parseInt(o.getOrDefault("rounds", "3"));
        System.out.printf("IcmpFanoutHarness: %,d targets x 3 packets in a netns, %d rounds; %s, %d CPUs, loadavg %s%n",
                targets, rounds, Runtime.version(), Runtime.getRuntime().availableProcessors(), Bench.loadavg());
        try (Bench.Net net = Bench.Net.create(targets)) {
            Path file = net.targetFile();
            List<Double> fpingWall = new ArrayList<>();
            List<Double> vantageWall = new ArrayList<>();
            for (int round = 1; round <= rounds; round++) {
                Bench.Fping f = Bench.Fping.run(net.client, List.of("-q", "-c", "3", "-i", "1", "-f", file.toString()), 120);
                System.out.printf("round %d fping -c 3 -i 1: %.2f s wall, %.2f s cpu, %d/%d replies, %d targets with loss, loadavg %s%n",
                        round, f.wall(), f.cpu(), f.received(), f.sent(), f.targetsWithLoss(), Bench.loadavg());
                Map<String, String> v = Bench.child(net.client, IcmpFanoutHarness.class, List.of("-Xmx512m"),
                        List.of("--targets-file=" + file), 300);
                System.out.printf("round %d vantage: %s s wall, %s s cpu (measured burst), %s/%s replies, %s targets with loss, loadavg %s%n",
                        round, v.get("wall"), v.get("cpu"), v.get("received"), v.get("sent"), v.get("lossy"), Bench.loadavg());
                fpingWall.add(f.wall());
                vantageWall.add(Double.parseDouble(v.get("wall")));
            }
            fpingWall.sort(null);
            vantageWall.sort(null);
            double fm = fpingWall.get(rounds / 2);
            double vm = vantageWall.get(rounds / 2);
            System.out.printf("median wall: fping %.2f s, vantage %.2f s, ratio vantage/fping %.2f%n", fm, vm, vm / fm);
            Files.deleteIfExists(file);
        }
    }

    /** Inside the namespace: warm-up bursts (10 ms spacing), then the measured burst (1 s spacing). */
    private static void child(Path targetFile, int warmups) throws Exception {
        List<String> targets = Files.readAllLines(targetFile);
        try (ProbeEngine engine = ProbeEngine.builder().discoverProviders(false).addProvider(new IcmpProbeProvider())
                .build()) {
            for (int i = 0; i < warmups; i++) {
                burst(engine, targets, Duration.ofMillis(10));
            }
            double cpu0 = Bench.processCpuSeconds();
            long t0 = System.nanoTime();
            Map<String, Object> r = burst(engine, targets, Duration.ofSeconds(1));
            r.put("wall", String.format("%.3f", (System.nanoTime() - t0) / 1e9));
            r.put("cpu", String.format("%.3f", Bench.processCpuSeconds() - cpu0));
            System.out.println(Bench.result(r));
        }
    }

    private static Map<String, Object> burst(ProbeEngine engine, List<String> targets, Duration interval) {
        List<CompletableFuture<ProbeResult>> pending = new ArrayList<>();
        for (String t : targets) {
            pending.add(engine.runOnce(TaskSpec.builder("icmp", t).timeout(interval.multipliedBy(3))
                    .param("count", 3).param("interval", interval).build()).toCompletableFuture());
        }
        long sent = 0;
        long received = 0;
        int lossy = 0;
        for (CompletableFuture<ProbeResult> f : pending) {
            ProbeResult r = f.orTimeout(60, TimeUnit.SECONDS).join();
            long s = r.measurements().getOrDefault("sent", 0.0).longValue();
            long x = r.measurements().getOrDefault("received", 0.0).longValue();
            sent += s;
            received += x;
            lossy += x < 3 ? 1 : 0;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("sent", sent);
        out.put("received", received);
        out.put("lossy", lossy);
        return out;
    }
}
