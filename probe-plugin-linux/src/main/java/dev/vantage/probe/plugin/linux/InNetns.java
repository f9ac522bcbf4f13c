package dev.vantage.probe.plugin.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/**
 * For tests: code run on a thread that has entered a named network namespace (the test kit's {@code Netns}, by
 * {@code ns.name()}). Sockets opened on such a thread belong to the namespace for good, so a provider whose first
 * socket is opened there keeps probing from inside it. This half of the namespace helper lives here because it
 * calls setns(2) and capset(2) through {@link LibC} (the foreign function API, Java 22), while the test kit holds to
 * Java 21 and runs commands only.
 */
public final class InNetns {
    private static final int CLONE_NEWNET = 0x40000000;
    private static final int O_CLOEXEC = 0x80000;
    private static final int CAP_NET_RAW = 13;
    private static final int CAPABILITY_VERSION_3 = 0x20080522;

    private InNetns() {
    }

    /** Calls {@code body} on a new platform thread that has entered {@code ns}. */
    public static <T> T call(String ns, Callable<T> body) throws Exception {
        return call(ns, false, body);
    }

    /** Like {@link #call(String, Callable)}, with CAP_NET_RAW dropped from the thread first if {@code withoutNetRaw}. */
    public static <T> T call(String ns, boolean withoutNetRaw, Callable<T> body) throws Exception {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Exception> failure = new AtomicReference<>();
        // The thread ends afterwards, so its namespace and capabilities need no restoring.
        Thread t = Thread.ofPlatform().name("netns-" + ns).start(() -> {
            try {
                enter(ns);
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
        if (!t.join(Duration.ofMinutes(2))) {
            throw new IllegalStateException("code inside " + ns + " did not finish in 2 minutes");
        }
        if (failure.get() != null) {
            throw failure.get();
        }
        return result.get();
    }

    private static void enter(String ns) throws Throwable {
        MethodHandle open = LibC.errnoCall("open", JAVA_INT, ADDRESS, JAVA_INT);
        MethodHandle setns = LibC.errnoCall("setns", JAVA_INT, JAVA_INT, JAVA_INT);
        String path = "/run/netns/" + ns;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = LibC.errnoSlot(arena);
            int fd = (int) open.invokeExact(errno, arena.allocateFrom(path), O_CLOEXEC);
            if (fd < 0) {
                throw new IOException("open " + path + ": " + LibC.describe(LibC.errno(errno)));
            }
            int rc = (int) setns.invokeExact(errno, fd, CLONE_NEWNET);
            int error = LibC.errno(errno);
            LibC.close(fd);
            if (rc != 0) {
                throw new IOException("setns " + ns + ": " + LibC.describe(error));
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
}
