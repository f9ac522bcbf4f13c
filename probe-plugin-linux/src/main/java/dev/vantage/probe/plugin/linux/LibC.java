package dev.vantage.probe.plugin.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The libc calls that packet plugins need, bound with the foreign function API, and the Linux constants for them.
 * Plugins that use it must be granted native access ({@code --enable-native-access}); not a stable API for others
 * (it grows with what the Vantage plugins need).
 * Constants and struct offsets are those of 64-bit Linux (x86_64 and aarch64 share them).
 *
 * <p>Calls that can fail take an "errno slot" (from {@link #errnoSlot(Arena)}) as their first argument: the linker
 * stores errno there right after the call, before the JVM can clobber it.
 */
@SuppressWarnings("restricted") // calling native code is this class's purpose; the module asks for native access
public final class LibC {
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_RAW = 3;
    public static final int SOCK_CLOEXEC = 0x80000;
    public static final int IPPROTO_IP = 0;
    public static final int IPPROTO_ICMP = 1;
    public static final int IPPROTO_TCP = 6;
    public static final int IPPROTO_UDP = 17;
    public static final int IPPROTO_IPV6 = 41;
    public static final int IPPROTO_ICMPV6 = 58;
    public static final int SOL_SOCKET = 1;
    public static final int SOL_RAW = 255;
    public static final int SO_RCVBUF = 8;
    public static final int SO_RCVBUFFORCE = 33;
    public static final int SO_TIMESTAMPNS = 35;
    public static final int SCM_TIMESTAMPNS = SO_TIMESTAMPNS;
    public static final int SO_TIMESTAMPING = 37;
    public static final int SCM_TIMESTAMPING = SO_TIMESTAMPING;
    public static final int SOF_TIMESTAMPING_TX_SOFTWARE = 1 << 1;
    public static final int SOF_TIMESTAMPING_SOFTWARE = 1 << 4;
    public static final int SOF_TIMESTAMPING_OPT_ID = 1 << 7;
    public static final int SOF_TIMESTAMPING_OPT_TSONLY = 1 << 11;
    public static final int IP_TTL = 2;
    public static final int IP_RECVERR = 11;
    public static final int IPV6_UNICAST_HOPS = 16;
    public static final int IPV6_RECVERR = 25;
    public static final int IPV6_CHECKSUM = 7;
    public static final int ICMP_FILTER = 1;
    public static final int ICMP6_FILTER = 1;
    public static final int SO_EE_ORIGIN_ICMP = 2;
    public static final int SO_EE_ORIGIN_ICMP6 = 3;
    public static final int SO_EE_ORIGIN_TIMESTAMPING = 4;
    public static final int MSG_DONTWAIT = 0x40;
    public static final int MSG_ERRQUEUE = 0x2000;
    public static final short POLLIN = 0x1;
    public static final short POLLERR = 0x8;
    public static final int EFD_CLOEXEC = 0x80000;
    public static final int CLOCK_REALTIME = 0;
    public static final int EINTR = 4;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int EACCES = 13;
    public static final int EPERM = 1;
    public static final int EAFNOSUPPORT = 97;

    /** struct sockaddr_in6 is the larger of the two address structs. */
    public static final int SOCKADDR_SIZE = 28;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(PathElement.groupElement("errno"));

    private static final MethodHandle SOCKET = errnoCall("socket", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle SETSOCKOPT =
            errnoCall("setsockopt", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle BIND = errnoCall("bind", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle CONNECT = errnoCall("connect", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle GETSOCKNAME = errnoCall("getsockname", JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
    private static final MethodHandle SENDTO =
            errnoCall("sendto", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle RECVMSG = errnoCall("recvmsg", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle PPOLL = errnoCall("ppoll", JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS);
    private static final MethodHandle EVENTFD = errnoCall("eventfd", JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle WRITE = errnoCall("write", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG);
    private static final MethodHandle READ = errnoCall("read", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG);
    private static final MethodHandle CLOSE = downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle STRERROR = downcall("strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT));
    // "critical": a short call that never blocks, so the linker may skip the thread-state transition.
    private static final MethodHandle CLOCK_GETTIME = downcall("clock_gettime",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS), Linker.Option.critical(false));

    private LibC() {
    }

    /** A libc function by name; also used by tests for the calls only they need. */
    public static MethodHandle downcall(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return LINKER.downcallHandle(symbol, descriptor, options);
    }

    /** A libc function that reports errors through errno; its handle takes an errno slot first. */
    public static MethodHandle errnoCall(String name, java.lang.foreign.MemoryLayout result,
                                  java.lang.foreign.MemoryLayout... args) {
        return downcall(name, FunctionDescriptor.of(result, args), Linker.Option.captureCallState("errno"));
    }

    public static MemorySegment errnoSlot(Arena arena) {
        return arena.allocate(CALL_STATE);
    }

    public static int errno(MemorySegment slot) {
        return (int) ERRNO.get(slot, 0L);
    }

    public static int socket(MemorySegment errno, int domain, int type, int protocol) {
        try {
            return (int) SOCKET.invokeExact(errno, domain, type, protocol);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int setsockopt(MemorySegment errno, int fd, int level, int name, MemorySegment value) {
        try {
            return (int) SETSOCKOPT.invokeExact(errno, fd, level, name, value, (int) value.byteSize());
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int bind(MemorySegment errno, int fd, MemorySegment sockaddr, int length) {
        try {
            return (int) BIND.invokeExact(errno, fd, sockaddr, length);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int connect(MemorySegment errno, int fd, MemorySegment sockaddr, int length) {
        try {
            return (int) CONNECT.invokeExact(errno, fd, sockaddr, length);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int getsockname(MemorySegment errno, int fd, MemorySegment sockaddr, MemorySegment lengthPtr) {
        try {
            return (int) GETSOCKNAME.invokeExact(errno, fd, sockaddr, lengthPtr);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static long sendto(MemorySegment errno, int fd, MemorySegment buf, long length, int flags,
                       MemorySegment sockaddr, int addrLength) {
        try {
            return (long) SENDTO.invokeExact(errno, fd, buf, length, flags, sockaddr, addrLength);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static long recvmsg(MemorySegment errno, int fd, MemorySegment msghdr, int flags) {
        try {
            return (long) RECVMSG.invokeExact(errno, fd, msghdr, flags);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * ppoll(2): like poll, with a nanosecond timeout.
     *
     * @param timespec a struct timespec holding the timeout, or {@link MemorySegment#NULL} to wait without limit
     */
    public static int ppoll(MemorySegment errno, MemorySegment fds, long count, MemorySegment timespec) {
        try {
            return (int) PPOLL.invokeExact(errno, fds, count, timespec, MemorySegment.NULL);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int eventfd(MemorySegment errno, int initial, int flags) {
        try {
            return (int) EVENTFD.invokeExact(errno, initial, flags);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static long write(MemorySegment errno, int fd, MemorySegment buf, long length) {
        try {
            return (long) WRITE.invokeExact(errno, fd, buf, length);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static long read(MemorySegment errno, int fd, MemorySegment buf, long length) {
        try {
            return (long) READ.invokeExact(errno, fd, buf, length);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static void close(int fd) {
        try {
            int ignored = (int) CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** CLOCK_REALTIME in nanoseconds: the clock of SO_TIMESTAMPNS receive timestamps. */
    public static long realtimeNanos(MemorySegment timespec) {
        try {
            int ignored = (int) CLOCK_GETTIME.invokeExact(CLOCK_REALTIME, timespec);
        } catch (Throwable t) {
            throw unexpected(t);
        }
        return timespec.get(JAVA_LONG, 0) * 1_000_000_000L + timespec.get(JAVA_LONG, 8);
    }

    /** The C library's text for an errno value, with the number, e.g. {@code No route to host (errno 113)}. */
    public static String describe(int errno) {
        try {
            MemorySegment text = (MemorySegment) STRERROR.invokeExact(errno);
            return text.reinterpret(256).getString(0) + " (errno " + errno + ")";
        } catch (Throwable t) {
            return "errno " + errno;
        }
    }

    private static RuntimeException unexpected(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }
}
