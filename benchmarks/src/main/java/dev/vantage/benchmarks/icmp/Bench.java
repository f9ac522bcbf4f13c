package dev.vantage.benchmarks.icmp;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the ICMP harnesses share: options, bounded commands, a pair of network namespaces with many target addresses,
 * fping runs measured with {@code /usr/bin/time}, and child JVMs started inside a namespace (a socket belongs to the
 * namespace of the thread that opens it, and the engine's threads are the JVM's, so the whole JVM runs inside).
 */
final class Bench {
    private static final Pattern FPING_LINE =
            Pattern.compile("(\\S+)\\s+: xmt/rcv/%loss = (\\d+)/(\\d+)/");
    private static final Pattern TIME_LINE = Pattern.compile("TIME ([\\d.]+) ([\\d.]+) ([\\d.]+)");

    private Bench() {
    }

    static Map<String, String> options(String[] args) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String a : args) {
            String[] kv = a.replaceFirst("^--", "").split("=", 2);
            out.put(kv[0], kv.length > 1 ? kv[1] : "true");
        }
        return out;
    }

    static String loadavg() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }

    static double processCpuSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime() / 1e9;
    }

    /** Runs a command, bounded in time; returns its exit code and combined output. */
    static Exec exec(List<String> command, long timeoutSeconds, boolean echo) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        StringBuilder out = new StringBuilder();
        Thread reader = Thread.ofPlatform().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (out) {
                        out.append(line).append('\n');
                    }
                    if (echo) {
                        System.out.println("  | " + line);
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
        });
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            throw new IOException("timed out after " + timeoutSeconds + " s: " + String.join(" ", command));
        }
        reader.join(5_000);
        synchronized (out) {
            return new Exec(p.exitValue(), out.toString());
        }
    }

    record Exec(int exit, String output) {
        Exec checked(String what) throws IOException {
            if (exit != 0) {
                throw new IOException(what + " exited " + exit + ": " + output);
            }
            return this;
        }
    }

    /** fping's totals: wall, CPU and user-mode CPU seconds (from /usr/bin/time), packets sent and received over all targets. */
    record Fping(double wall, double cpu, double user, long sent, long received, int targetsWithLoss, String output) {
        /** Several fping processes at once, summed (wall: the longest). */
        static Fping runAll(String netns, List<List<String>> argLists, long timeoutSeconds) throws Exception {
            List<java.util.concurrent.Future<Fping>> runs = new ArrayList<>();
            try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
                for (List<String> a : argLists) {
                    runs.add(pool.submit(() -> run(netns, a, timeoutSeconds)));
                }
            }
            Fping sum = new Fping(0, 0, 0, 0, 0, 0, "");
            for (var r : runs) {
                Fping f = r.get();
                sum = new Fping(Math.max(sum.wall, f.wall), sum.cpu + f.cpu, sum.user + f.user, sum.sent + f.sent,
                        sum.received + f.received, sum.targetsWithLoss + f.targetsWithLoss, sum.output + f.output);
            }
            return sum;
        }

        static Fping run(String netns, List<String> fpingArgs, long timeoutSeconds) throws Exception {
            List<String> cmd = new ArrayList<>();
            if (netns != null) {
                cmd.addAll(List.of("ip", "netns", "exec", netns));
            }
            cmd.addAll(List.of("/usr/bin/time", "-f", "TIME %e %U %S", "fping"));
            cmd.addAll(fpingArgs);
            Exec e = exec(cmd, timeoutSeconds, false);
            Matcher t = TIME_LINE.matcher(e.output());
            if (!t.find()) {
                throw new IOException("no timing from fping: " + e.output());
            }
            long sent = 0;
            long received = 0;
            int lossy = 0;
            Matcher m = FPING_LINE.matcher(e.output());
            while (m.find()) {
                long x = Long.parseLong(m.group(2));
                long r = Long.parseLong(m.group(3));
                sent += x;
                received += r;
                lossy += r < x ? 1 : 0;
            }
            double user = Double.parseDouble(t.group(2));
            if (sent == 0) {
                throw new IOException("fping sent nothing: " + e.output());
            }
            return new Fping(Double.parseDouble(t.group(1)), user + Double.parseDouble(t.group(3)), user, sent, received,
                    lossy, e.output());
        }
    }

    /**
     * Runs {@code main} with {@code --child} in a new JVM inside {@code netns}, echoing its output, and returns its
     * {@code RESULT key=value ...} line as a map.
     */
    static Map<String, String> child(String netns, Class<?> main, List<String> jvmArgs, List<String> args,
                                     long timeoutSeconds) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", netns,
                ProcessHandle.current().info().command().orElse("java"), "--enable-native-access=ALL-UNNAMED"));
        cmd.addAll(jvmArgs);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName(), "--child"));
        cmd.addAll(args);
        Exec e = exec(cmd, timeoutSeconds, true).checked("child JVM");
        for (String line : e.output().split("\n")) {
            if (line.startsWith("RESULT ")) {
                Map<String, String> out = new LinkedHashMap<>();
                for (String kv : line.substring(7).trim().split(" ")) {
                    String[] p = kv.split("=", 2);
                    out.put(p[0], p[1]);
                }
                return out;
            }
        }
        throw new IOException("the child printed no RESULT line");
    }

    static String result(Map<String, ?> values) {
        StringBuilder s = new StringBuilder("RESULT");
        values.forEach((k, v) -> s.append(' ').append(k).append('=').append(v));
        return s.toString();
    }

    /**
     * Two namespaces joined by a veth pair: a client ({@code vc0 10.200.0.1/30}) where the probes and fping run, and
     * a far side ({@code vf0 10.200.0.2/30}) holding {@code targets} addresses 10.201.x.y/16 that answer pings.
     * Only addresses inside these namespaces are ever pinged. {@link #close()} deletes both.
     */
    static final class Net implements AutoCloseable {
        final String client;
        final String far;
        final List<String> targets = new ArrayList<>();
        private final Thread cleanup = new Thread(this::closeQuietly);
        private boolean closed;

        private Net(String tag) {
            client = "vb-c-" + tag;
            far = "vb-f-" + tag;
        }

        static Net create(int targets) throws Exception {
            if (targets < 1 || targets > 60_000) {
                throw new IllegalArgumentException("1 to 60,000 targets");
            }
            String tag = ProcessHandle.current().pid() + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 16));
            Net net = new Net(tag);
            Runtime.getRuntime().addShutdownHook(net.cleanup); // also on Ctrl-C
            try {
                exec(List.of("ip", "netns", "add", net.client), 20, false).checked("ip netns add");
                exec(List.of("ip", "netns", "add", net.far), 20, false).checked("ip netns add");
                exec(List.of("ip", "link", "add", "vc0", "netns", net.client, "type", "veth", "peer", "name", "vf0",
                        "netns", net.far), 20, false).checked("ip link add");
                StringBuilder c = new StringBuilder("link set lo up\naddr add 10.200.0.1/30 dev vc0\nlink set vc0 up\n"
                        + "route add 10.201.0.0/16 via 10.200.0.2\n");
                StringBuilder f = new StringBuilder("link set lo up\naddr add 10.200.0.2/30 dev vf0\nlink set vf0 up\n");
                for (int i = 0; i < targets; i++) {
                    String a = "10.201." + (i / 250) + "." + (1 + i % 250);
                    net.targets.add(a);
                    f.append("addr add ").append(a).append("/16 dev vf0\n");
                }
                batch(net.client, c.toString());
                batch(net.far, f.toString());
            } catch (Exception e) {
                net.close();
                throw e;
            }
            return net;
        }

        private static void batch(String netns, String commands) throws Exception {
            Path file = Files.createTempFile("vantage-ip-", ".batch");
            try {
                Files.writeString(file, commands);
                exec(List.of("ip", "-n", netns, "-batch", file.toString()), 120, false).checked("ip -batch");
            } finally {
                Files.deleteIfExists(file);
            }
        }

        /** The targets, one per line, for {@code fping -f}. */
        Path targetFile() throws IOException {
            return targetFile(targets);
        }

        static Path targetFile(List<String> targets) throws IOException {
            Path file = Files.createTempFile("vantage-targets-", ".txt");
            file.toFile().deleteOnExit();
            Files.write(file, targets);
            return file;
        }

        @Override
        public synchronized void close() throws Exception {
            if (closed) {
                return;
            }
            closed = true;
            for (String ns : List.of(client, far)) {
                exec(List.of("ip", "netns", "del", ns), 30, false); // best effort: it may not exist yet
            }
            if (Thread.currentThread() != cleanup) {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            }
        }

        private void closeQuietly() {
            try {
                close();
            } catch (Exception e) {
                System.err.println("could not delete namespaces " + client + ", " + far + ": " + e);
            }
        }
    }
}
