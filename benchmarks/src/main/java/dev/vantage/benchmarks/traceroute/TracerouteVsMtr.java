package dev.vantage.benchmarks.traceroute;

import dev.vantage.benchmarks.http.Stats;
import dev.vantage.plugins.traceroute.TracerouteProbeProvider;
import dev.vantage.probe.engine.ProbeEngine;
import dev.vantage.probe.engine.TaskSpec;
import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.probe.spi.ProbeStatus;
import dev.vantage.probe.testkit.Netns;
import dev.vantage.probe.testkit.NetnsChain;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The traceroute probe across a chain of three router namespaces ({@link NetnsChain}, the one TracerouteNetnsIT
 * uses), beside the tools it is compared with in the same run:
 * <ul>
 *   <li>wall time of one full trace (one probe per hop, ICMP): ours ({@code runOnce} in this JVM) against
 *       {@code mtr --report -c 1 -n}, {@code traceroute -I -q 1 -n} and {@code traceroute -q 1 -n} (UDP), each a
 *       process started per trace; alternating in blocks of 10 (mtr once per block, as each run waits out its
 *       grace time) so all see the same load;</li>
 *   <li>1,000 traces at once (three probes per hop) through the one shared socket: every hop of every trace must
 *       have all its answers — a lost one here is false loss, since the routers drop nothing and rate-limit
 *       nothing.</li>
 * </ul>
 * Needs root (namespaces). The process makes the chain, then runs itself again inside the client namespace
 * ({@code ip netns exec}) to measure, so that its sockets and the tools' live there; nothing leaves the chain.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.vantage.benchmarks.traceroute.TracerouteVsMtr [traces] [concurrent]</pre>
 */
public final class TracerouteVsMtr {
    private static final Pattern HOP = Pattern.compile("\"sent\":(\\d+),\"received\":(\\d+)");

    private TracerouteVsMtr() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--inside")) {
            measure(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]));
            return;
        }
        String traces = args.length > 0 ? args[0] : "200";
        String concurrent = args.length > 1 ? args[1] : "1000";
        String reason = Netns.unavailableReason("mtr", "traceroute");
        if (reason != null) {
            System.err.println("cannot run: " + reason);
            System.exit(2);
        }
        NetnsChain chain = NetnsChain.create("vtb", 3, 215);
        // deleted however this process ends (System.exit, Ctrl-C): namespaces outlive their creator
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                chain.close();
            } catch (IOException e) {
                System.err.println("could not delete the namespaces: " + e.getMessage());
            }
        }));
        String java = ProcessHandle.current().info().command().orElse("java");
        Process inside = new ProcessBuilder("ip", "netns", "exec", chain.client().name(), java,
                "-cp", System.getProperty("java.class.path"), TracerouteVsMtr.class.getName(),
                "--inside", chain.destination(false), traces, concurrent).inheritIO().start();
        if (!inside.waitFor(30, TimeUnit.MINUTES)) {
            inside.destroyForcibly().waitFor();
            System.err.println("the measurement did not end within 30 minutes");
            System.exit(1);
        }
        System.exit(inside.exitValue());
    }

    private static void measure(String destination, int traces, int concurrent) throws Exception {
        if (!destination.startsWith("10.215.")) {
            throw new IllegalArgumentException("the destination must be inside the benchmark's chain: " + destination);
        }
        try (ProbeEngine engine = ProbeEngine.builder().discoverProviders(false)
                .addProvider(new TracerouteProbeProvider()).build()) {
            TaskSpec one = TaskSpec.builder("traceroute", destination).timeout(Duration.ofSeconds(10))
                    .param("mode", "icmp").param("probesPerHop", 1).build();
            List<String> mtr = List.of("mtr", "--report", "-c", "1", "-n", destination);
            List<String> tracerouteIcmp = List.of("traceroute", "-I", "-q", "1", "-n", destination);
            List<String> tracerouteUdp = List.of("traceroute", "-q", "1", "-n", destination);
            for (int i = 0; i < 200; i++) {
                trace(engine, one, 4);
            }
            for (List<String> tool : List.of(mtr, tracerouteIcmp, tracerouteUdp)) {
                run(tool);
            }

            // wall time, same run: blocks of 10 of each, alternating
            List<Double> ours = new ArrayList<>();
            List<Double> mtrMs = new ArrayList<>();
            List<Double> icmpMs = new ArrayList<>();
            List<Double> udpMs = new ArrayList<>();
            for (int block = 0; block < Math.max(1, traces / 10); block++) {
                for (int i = 0; i < 10; i++) {
                    ours.add(trace(engine, one, 4));
                }
                mtrMs.add(run(mtr)); // one per block: each run waits out mtr's grace time (seconds)
                for (int i = 0; i < 10; i++) {
                    icmpMs.add(run(tracerouteIcmp));
                    udpMs.add(run(tracerouteUdp));
                }
            }
            System.out.printf("one full trace to %s (4 hops, 1 probe each), %d each (mtr %d), ms median (p10-p90),"
                    + " loadavg %s%n", destination, ours.size(), mtrMs.size(), Stats.loadAverage());
            print("vantage traceroute icmp (in JVM)", ours, ours);
            print("mtr --report -c 1 -n", mtrMs, ours);
            print("traceroute -I -q 1 -n", icmpMs, ours);
            print("traceroute -q 1 -n (udp)", udpMs, ours);

            concurrent(engine, destination, concurrent);
        }
    }

    /** {@code n} traces started at once, 3 probes per hop; counts hops that lost an answer. */
    private static void concurrent(ProbeEngine engine, String destination, int n) throws Exception {
        TaskSpec spec = TaskSpec.builder("traceroute", destination).timeout(Duration.ofSeconds(20))
                .param("mode", "icmp").param("probesPerHop", 3).param("probeTimeout", "5s").build();
        long start = System.nanoTime();
        List<CompletableFuture<ProbeResult>> all = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            all.add(engine.runOnce(spec).toCompletableFuture());
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        double seconds = (System.nanoTime() - start) / 1e9;
        int failed = 0;
        int wrongLength = 0;
        int lossyHops = 0;
        long sent = 0;
        long received = 0;
        for (CompletableFuture<ProbeResult> f : all) {
            ProbeResult r = f.join();
            if (r.status() != ProbeStatus.SUCCESS) {
                failed++;
            }
            String hops = r.attributes().getOrDefault("hops", "[]");
            Matcher m = HOP.matcher(hops);
            int count = 0;
            while (m.find()) {
                count++;
                int s = Integer.parseInt(m.group(1));
                int got = Integer.parseInt(m.group(2));
                sent += s;
                received += got;
                if (got < s) {
                    lossyHops++;
                }
            }
            if (count != 4) {
                wrongLength++;
            }
        }
        System.out.printf("%d concurrent traces (3 probes per hop) in %.2f s, loadavg %s: not SUCCESS %d, hop count "
                        + "not 4: %d, hops with a lost answer %d, probes sent %d, answered %d%n",
                n, seconds, Stats.loadAverage(), failed, wrongLength, lossyHops, sent, received);
    }

    private static double trace(ProbeEngine engine, TaskSpec spec, int hops) {
        long start = System.nanoTime();
        ProbeResult r;
        try {
            r = engine.runOnce(spec).toCompletableFuture().get(15, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("no result", e);
        }
        double ms = (System.nanoTime() - start) / 1e6;
        if (r.status() != ProbeStatus.SUCCESS || r.measurements().getOrDefault("hops", 0.0) != hops) {
            throw new IllegalStateException("trace failed: " + r);
        }
        return ms;
    }

    /** Wall time of one run of a tool, ms, process start included; it must succeed. */
    private static double run(List<String> command) throws IOException, InterruptedException {
        long start = System.nanoTime();
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("timed out: " + command);
        }
        double ms = (System.nanoTime() - start) / 1e6;
        if (p.exitValue() != 0) {
            throw new IllegalStateException(command + " exited " + p.exitValue());
        }
        return ms;
    }

    private static void print(String name, List<Double> ms, List<Double> ours) {
        System.out.printf("  %-34s %8.2f (%.2f-%.2f)  vantage/this %.2f%n", name, Stats.median(ms),
                Stats.percentile(ms, 10), Stats.percentile(ms, 90), Stats.median(ours) / Stats.median(ms));
    }
}
