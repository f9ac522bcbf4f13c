package dev.vantage.plugins.icmp;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A network namespace a test creates and deletes, with commands run inside it (bounded in time) and code run
 * on a thread that has entered it. Sockets opened on such a thread belong to the namespace for good, so a
 * provider whose first attempt runs there keeps pinging from inside it.
 */
final class Netns implements AutoCloseable {
    private static final int CLONE_NEWNET = 0x40000000;
    private static final int CAP_NET_RAW = 13;
    private static final int CAPABILITY_VERSION_3 = 0x20080522;
    private static final long COMMAND_TIMEOUT_SECONDS = 20;

    final String name;

    private Netns(String name) {
        this.name = name;
    }

    /** Why namespaces cannot be used here, or null if they can. */
    static String unavailableReason() {
        if (!isRoot()) {
            return "network namespace tests need root (ip netns add, veth)";
        }
        if (!Files.isExecutable(Path.of("/usr/sbin/ip")) && !Files.isExecutable(Path.of("/sbin/ip"))) {
            return "the ip command (iproute2) is not installed";
        }
        return null;
    }

    static boolean isRoot() {
        try {
            MethodHandle geteuid = LibC.downcall("geteuid", FunctionDescriptor.of(JAVA_INT));
            return (int) geteuid.invokeExact() == 0;
        } catch (Throwable t) {
            return false;
        }
    }

    static boolean hasCommand(String command) {
        return Files.isExecutable(Path.of("/usr/sbin", command)) || Files.isExecutable(Path.of("/usr/bin", command));
    }

    /** Creates a namespace with a unique name (prefix, pid, random) and its loopback up. */
    static Netns create(String prefix) throws IOException {
        String name = prefix + "-" + ProcessHandle.current().pid() + "-"
                + HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt());
        run("ip", "netns", "add", name);
        Netns ns = new Netns(name);
        ns.exec("ip", "link", "set", "lo", "up");
        return ns;
    }

    /** Runs a command inside the namespace; fails with its output if it exits non-zero. */
    String exec(String... command) throws IOException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(List.of(command));
        return run(full.toArray(String[]::new));
    }

    void sysctl(String key, String value) throws IOException {
        exec("sysctl", "-q", "-w", key + "=" + value);
    }

    /** Runs a command in the test's own namespace; fails with its output if it exits non-zero. */
    static String run(String... command) throws IOException {
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

    /** Calls {@code body} on a new platform thread that has entered this namespace. */
    <T> T call(Callable<T> body) throws Exception {
        return call(false, body);
    }

    /** Like {@link #call(Callable)}, with CAP_NET_RAW dropped from the thread first if {@code withoutNetRaw}. */
    <T> T call(boolean withoutNetRaw, Callable<T> body) throws Exception {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Exception> failure = new AtomicReference<>();
        // The thread ends afterwards, so its namespace and capabilities need no restoring.
        Thread t = Thread.ofPlatform().name("netns-" + name).start(() -> {
            try {
                enter();
                if (withoutNetRaw) {
                    dropNetRaw();
                }
                result.set(body.call());
            } catch (Exception e) {
                failure.set(e);
            } catch (Throwable e) {
                failure.set(new IllegalStateException(e));
            }
        });
        if (!t.join(java.time.Duration.ofMinutes(2))) {
            throw new IllegalStateException("code inside " + name + " did not finish in 2 minutes");
        }
        if (failure.get() != null) {
            throw failure.get();
        }
        return result.get();
    }

    private void enter() throws Throwable {
        MethodHandle open = LibC.errnoCall("open", JAVA_INT, ADDRESS, JAVA_INT);
        MethodHandle setns = LibC.errnoCall("setns", JAVA_INT, JAVA_INT, JAVA_INT);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = LibC.errnoSlot(arena);
            int fd = (int) open.invokeExact(errno, arena.allocateFrom("/run/netns/" + name), 0x80000 /* O_CLOEXEC */);
            if (fd < 0) {
                throw new IOException("open /run/netns/" + name + ": " + LibC.describe(LibC.errno(errno)));
            }
            int rc = (int) setns.invokeExact(errno, fd, CLONE_NEWNET);
            int error = LibC.errno(errno);
            LibC.close(fd);
            if (rc != 0) {
                throw new IOException("setns " + name + ": " + LibC.describe(error));
            }
        }
    }

    /** Removes CAP_NET_RAW from this thread's effective and permitted sets (Linux capabilities are per thread). */
    private static void dropNetRaw() throws Throwable {
        MethodHandle capget = LibC.errnoCall("capget", JAVA_INT, ADDRESS, ADDRESS);
        MethodHandle capset = LibC.errnoCall("capset", JAVA_INT, ADDRESS, ADDRESS);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = LibC.errnoSlot(arena);
            MemorySegment header = arena.allocate(8, 4);
            header.set(JAVA_INT, 0, CAPABILITY_VERSION_3);
            MemorySegment data = arena.allocate(24, 4); // two {effective, permitted, inheritable}
            if ((int) capget.invokeExact(errno, header, data) != 0) {
                throw new IOException("capget: " + LibC.describe(LibC.errno(errno)));
            }
            int mask = ~(1 << CAP_NET_RAW);
            data.set(JAVA_INT, 0, data.get(JAVA_INT, 0) & mask);
            data.set(JAVA_INT, 4, data.get(JAVA_INT, 4) & mask);
            if ((int) capset.invokeExact(errno, header, data) != 0) {
                throw new IOException("capset: " + LibC.describe(LibC.errno(errno)));
            }
        }
    }

    /** Deletes the namespace and with it its interfaces (a veth pair goes when either end goes). */
    @Override
    public void close() throws IOException {
        run("ip", "netns", "del", name);
    }
}
