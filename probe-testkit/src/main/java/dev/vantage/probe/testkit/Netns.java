package dev.vantage.probe.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A Linux network namespace a test creates and deletes, with commands run inside it (each bounded in time), for
 * tests on real networks that send nothing outside the machine: veth pairs, addresses and routes that only the test
 * sees, and nftables rules for loss. Needs root and iproute2; a test checks {@link #assumeAvailable} first, so it is
 * skipped with the reason rather than passing silently where namespaces cannot be made.
 * <pre>{@code
 * @BeforeAll static void network() throws IOException {
 *     Netns.assumeAvailable("nft");
 *     ns = Netns.create("my-test");
 *     Netns.run("ip", "link", "add", "vh0", "type", "veth", "peer", "name", "vn0", "netns", ns.name());
 *     ns.exec("ip", "addr", "add", "10.210.0.2/30", "dev", "vn0");
 * }
 * @AfterAll static void cleanUp() throws IOException { if (ns != null) ns.close(); }
 * }</pre>
 * Deleting the namespace deletes its interfaces, and a veth pair goes when either end goes.
 */
public final class Netns implements AutoCloseable {
    private static final long COMMAND_TIMEOUT_SECONDS = 20;
    private static final List<String> SYSTEM_DIRS = List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin");

    private final String name;

    private Netns(String name) {
        this.name = name;
    }

    /**
     * Why namespaces (with {@code commands}, e.g. {@code nft}, besides {@code ip}) cannot be used here, or null if
     * they can.
     */
    public static String unavailableReason(String... commands) {
        if (!isRoot()) {
            return "network namespace tests need root (ip netns add, veth pairs)";
        }
        List<String> needed = new ArrayList<>(List.of("ip"));
        needed.addAll(List.of(commands));
        for (String command : needed) {
            if (!hasCommand(command)) {
                return "the " + command + " command is not installed";
            }
        }
        return null;
    }

    /** Skips the calling test (a JUnit assumption, with the reason) unless namespaces and {@code commands} work. */
    public static void assumeAvailable(String... commands) {
        String reason = unavailableReason(commands);
        Assumptions.assumeTrue(reason == null, reason);
    }

    /** Whether this process runs with effective user id 0 (read from {@code /proc}, so false off Linux). */
    public static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[2].equals("0"); // Uid: real effective saved filesystem
                }
            }
            return false;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Whether {@code command} is an executable on the PATH or in the usual system directories. */
    public static boolean hasCommand(String command) {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
        dirs.addAll(SYSTEM_DIRS);
        return dirs.stream().filter(d -> !d.isEmpty()).anyMatch(d -> Files.isExecutable(Path.of(d, command)));
    }

    /** Creates a namespace with a unique name ({@code prefix}, pid, random) and its loopback up. */
    public static Netns create(String prefix) throws IOException {
        String name = prefix + "-" + ProcessHandle.current().pid() + "-"
                + HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt());
        run("ip", "netns", "add", name);
        Netns ns = new Netns(name);
        try {
            ns.exec("ip", "link", "set", "lo", "up");
        } catch (IOException e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    /** The namespace's name, as {@code ip netns} knows it (its handle is {@code /run/netns/<name>}). */
    public String name() {
        return name;
    }

    /** Runs a command inside the namespace; fails with its output if it exits non-zero. */
    public String exec(String... command) throws IOException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(List.of(command));
        return run(full.toArray(String[]::new));
    }

    /** Sets a sysctl of the namespace (the {@code net.*} ones are per namespace). */
    public void sysctl(String key, String value) throws IOException {
        exec("sysctl", "-q", "-w", key + "=" + value);
    }

    /** Runs a command in the test's own namespace; fails with its output if it exits non-zero. */
    public static String run(String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("timed out: " + String.join(" ", command));
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", command), e);
        }
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " exited " + p.exitValue() + ": " + output);
        }
        return output;
    }

    /** Deletes the namespace and with it its interfaces. */
    @Override
    public void close() throws IOException {
        run("ip", "netns", "del", name);
    }

    @Override
    public String toString() {
        return name;
    }
}
