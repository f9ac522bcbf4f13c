package dev.vantage.plugins.icmp;

import dev.vantage.probe.plugin.linux.IcmpTypes;
import dev.vantage.probe.plugin.linux.LibC;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.vantage.probe.spi.ErrorKind;
import dev.vantage.probe.spi.ProbeException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One native ICMP or ICMPv6 socket (a ping socket or a raw socket) with a fixed TTL, and the buffers to use it.
 * Sending belongs to the channel's sending thread, receiving and waiting to its receiving thread, which also
 * releases the socket after {@link #shutdown()} once the sender has ended; {@link #wake()} and {@link #shutdown()}
 * may be called from any thread.
 */
final class IcmpSocket {

    /** How the socket talks ICMP. */
    enum Mode {
        /** An unprivileged ping socket (SOCK_DGRAM): the kernel sets the identifier and filters replies. */
        DGRAM,
        /** A raw socket (needs CAP_NET_RAW): sees every ICMP message of the host. */
        RAW;

        /** The {@code icmpMode} attribute's value, as the agent protocol names it too. */
        String label() {
            return this == DGRAM ? "datagram" : "raw";
        }
    }

    // Holds the replies that arrive while the receiving thread is not scheduled, for about as long as a reply is of
    // use (why this size: docs/benchmarks.md, "Design history"). Memory is charged only while replies wait; root
    // (SO_RCVBUFFORCE) may exceed net.core.rmem_max.
    private static final int RECEIVE_BUFFER = 16 << 20;
    // Send times from the kernel (software TX timestamps, taken as the packet leaves for the device), each reported
    // on the error queue with a per-socket counter (OPT_ID) and no copy of the packet (TSONLY).
    private static final int TX_TIMESTAMPING = LibC.SOF_TIMESTAMPING_TX_SOFTWARE | LibC.SOF_TIMESTAMPING_SOFTWARE
            | LibC.SOF_TIMESTAMPING_OPT_ID | LibC.SOF_TIMESTAMPING_OPT_TSONLY;
    private static final int MAX_PACKET = 65_536 + 64;
    private static final int CONTROL_SIZE = 256;
    // struct msghdr and struct cmsghdr offsets on 64-bit Linux.
    private static final int MSG_NAMELEN = 8;
    private static final int MSG_CONTROLLEN = 40;
    private static final int CMSG_HEADER = 16;
    private static final ValueLayout.OfInt BE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong BE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    final boolean v6;
    final Mode mode;
    final int ttl;
    /** The echo identifier: the kernel-chosen "port" of a ping socket, a random value for a raw socket. */
    final int identifier;
    /** True if the kernel reports send times (see {@link #nextTxKey}); false on kernels that refuse the option. */
    final boolean txTimestamps;
    private final int fd;
    private final int wakeFd;
    private final Arena arena = Arena.ofShared();

    // Send side, used by the channel's sending thread only.
    private final MemorySegment txPacket = arena.allocate(MAX_PACKET, 8);
    private final MemorySegment txAddress = arena.allocate(LibC.SOCKADDR_SIZE, 8);
    private final MemorySegment txTime = arena.allocate(16, 8);
    private final MemorySegment txErrno = LibC.errnoSlot(arena);
    /** Send times of the last request sent: System.nanoTime() and CLOCK_REALTIME nanoseconds, just before it left. */
    long txNanoTime;
    long txRealtimeNanos;
    /** CLOCK_REALTIME nanoseconds right after the last request was sent. */
    long txAfterRealtimeNanos;
    /**
     * The counter the kernel will report with the next send's timestamp: it counts sends from 0 and restarts when
     * a send fails (a failed send may or may not have used a number).
     */
    int nextTxKey;
    private final MemorySegment txOption = arena.allocate(JAVA_INT);
    private final MemorySegment optionErrno = LibC.errnoSlot(arena);
    private volatile boolean closed;
    private boolean released; // guarded by this
    // For wake(), from any thread: the value 1, and an errno slot nobody reads.
    private final MemorySegment wakeOne = arena.allocate(JAVA_LONG);
    private final MemorySegment wakeErrno = LibC.errnoSlot(arena);

    // Receive side, used by the channel's receiving thread only.
    private final MemorySegment rxPacket = arena.allocate(MAX_PACKET, 8);
    private final MemorySegment rxAddress = arena.allocate(LibC.SOCKADDR_SIZE, 8);
    private final MemorySegment rxControl = arena.allocate(CONTROL_SIZE, 8);
    private final MemorySegment rxIovec = arena.allocate(16, 8);
    private final MemorySegment rxMsg = arena.allocate(56, 8);
    private final MemorySegment pollFds = arena.allocate(16, 8);
    private final MemorySegment pollTimeout = arena.allocate(16, 8);
    private final MemorySegment wakeCounter = arena.allocate(JAVA_LONG);
    private final MemorySegment rxErrno = LibC.errnoSlot(arena);
    /** Kernel receive time (CLOCK_REALTIME nanoseconds) of the last message, or 0 if it carried none. */
    long rxKernelNanos;
    /** For a send timestamp from the error queue: its counter (see {@link #nextTxKey}), else -1. */
    long rxTxKey;
    /** For a send timestamp from the error queue: the send time (CLOCK_REALTIME nanoseconds). */
    long rxTxKernelNanos;
    /** System.nanoTime() right after the last message was read: the fallback when the kernel gave no time. */
    long rxNanoTime;
    /** For a message from the error queue: the ICMP type and code, or -1 if it was not an ICMP error. */
    int rxErrorType;
    int rxErrorCode;
    /** For a message from the error queue: offset in the control buffer of the sender of the ICMP error, or -1. */
    private int rxOffender;

    private IcmpSocket(boolean v6, Mode mode, int ttl, int fd, int wakeFd, int identifier, boolean txTimestamps) {
        this.v6 = v6;
        this.txTimestamps = txTimestamps;
        this.mode = mode;
        this.ttl = ttl;
        this.fd = fd;
        this.wakeFd = wakeFd;
        this.identifier = identifier;
        rxIovec.set(ADDRESS, 0, rxPacket);
        rxIovec.set(JAVA_LONG, 8, rxPacket.byteSize());
        rxMsg.set(ADDRESS, 0, rxAddress);
        rxMsg.set(ADDRESS, 16, rxIovec);
        rxMsg.set(JAVA_LONG, 24, 1L);
        rxMsg.set(ADDRESS, 32, rxControl);
        pollFds.set(JAVA_INT, 0, fd);
        pollFds.set(JAVA_SHORT, 4, LibC.POLLIN);
        pollFds.set(JAVA_INT, 8, wakeFd);
        pollFds.set(JAVA_SHORT, 12, LibC.POLLIN);
        wakeOne.set(JAVA_LONG, 0, 1L);
    }

    /**
     * Opens a socket: a ping socket if the kernel allows this process one, else a raw socket.
     *
     * @throws ProbeException of kind CONFIG, saying what to grant, if neither kind is permitted
     */
    static IcmpSocket open(boolean v6, int ttl) throws ProbeException {
        try (Arena temp = Arena.ofConfined()) {
            MemorySegment errno = LibC.errnoSlot(temp);
            int domain = v6 ? LibC.AF_INET6 : LibC.AF_INET;
            int protocol = v6 ? LibC.IPPROTO_ICMPV6 : LibC.IPPROTO_ICMP;
            int fd = LibC.socket(errno, domain, LibC.SOCK_DGRAM | LibC.SOCK_CLOEXEC, protocol);
            if (fd >= 0) {
                return configure(v6, Mode.DGRAM, ttl, fd, temp);
            }
            int dgramErrno = LibC.errno(errno);
            fd = LibC.socket(errno, domain, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, protocol);
            if (fd >= 0) {
                return configure(v6, Mode.RAW, ttl, fd, temp);
            }
            int rawErrno = LibC.errno(errno);
            if (dgramErrno == LibC.EAFNOSUPPORT || rawErrno == LibC.EAFNOSUPPORT) {
                throw new ProbeException(ErrorKind.CONFIG, "this kernel does not support IPv" + (v6 ? 6 : 4));
            }
            throw new ProbeException(ErrorKind.CONFIG, permissionHelp(dgramErrno, rawErrno));
        }
    }

    /** What to grant when neither socket kind may be opened, with the errors seen. */
    private static String permissionHelp(int dgramErrno, int rawErrno) {
        return "cannot open an ICMP socket (ping socket: " + LibC.describe(dgramErrno) + "; raw socket: "
                + LibC.describe(rawErrno) + "). Grant one of: unprivileged ping sockets with "
                + "sysctl -w net.ipv4.ping_group_range=\"0 2147483647\" (per network namespace, covers IPv6 too); "
                + "or CAP_NET_RAW for the JVM (setcap cap_net_raw+ep $JAVA_HOME/bin/java). "
                + "Docker: --cap-add=NET_RAW or --sysctl net.ipv4.ping_group_range=\"0 2147483647\". "
                + "Kubernetes: securityContext.capabilities.add: [NET_RAW], or the sysctl "
                + "net.ipv4.ping_group_range in the pod's securityContext.sysctls.";
    }

    private static IcmpSocket configure(boolean v6, Mode mode, int ttl, int fd, Arena temp) throws ProbeException {
        MemorySegment errno = LibC.errnoSlot(temp);
        int wakeFd = -1;
        try {
            int ipLevel = v6 ? LibC.IPPROTO_IPV6 : LibC.IPPROTO_IP;
            option(errno, fd, ipLevel, v6 ? LibC.IPV6_UNICAST_HOPS : LibC.IP_TTL, ttl, temp, "TTL");
            option(errno, fd, LibC.SOL_SOCKET, LibC.SO_TIMESTAMPNS, 1, temp, "SO_TIMESTAMPNS");
            if (LibC.setsockopt(errno, fd, LibC.SOL_SOCKET, LibC.SO_RCVBUFFORCE, intValue(temp, RECEIVE_BUFFER)) < 0) {
                option(errno, fd, LibC.SOL_SOCKET, LibC.SO_RCVBUF, RECEIVE_BUFFER, temp, "SO_RCVBUF");
            }
            int identifier;
            if (mode == Mode.DGRAM) {
                // Ping sockets report ICMP errors only through the error queue.
                option(errno, fd, ipLevel, v6 ? LibC.IPV6_RECVERR : LibC.IP_RECVERR, 1, temp, "RECVERR");
                identifier = bindIdentifier(errno, fd, v6, temp);
            } else {
                identifier = ThreadLocalRandom.current().nextInt(1 << 16);
                filterRawTypes(errno, fd, v6, temp);
            }
            boolean txTimestamps = LibC.setsockopt(errno, fd, LibC.SOL_SOCKET, LibC.SO_TIMESTAMPING,
                    intValue(temp, TX_TIMESTAMPING)) == 0; // else the send time is read just before sendto
            wakeFd = LibC.eventfd(errno, 0, LibC.EFD_CLOEXEC);
            if (wakeFd < 0) {
                throw failure("eventfd", LibC.errno(errno));
            }
            return new IcmpSocket(v6, mode, ttl, fd, wakeFd, identifier, txTimestamps);
        } catch (ProbeException | RuntimeException e) {
            LibC.close(fd);
            if (wakeFd >= 0) {
                LibC.close(wakeFd);
            }
            throw e;
        }
    }

    /** Binds a ping socket to "port" 0 and reads back the identifier the kernel chose for its echo requests. */
    private static int bindIdentifier(MemorySegment errno, int fd, boolean v6, Arena temp) throws ProbeException {
        MemorySegment address = temp.allocate(LibC.SOCKADDR_SIZE, 8);
        address.set(JAVA_SHORT, 0, (short) (v6 ? LibC.AF_INET6 : LibC.AF_INET));
        int length = v6 ? 28 : 16;
        if (LibC.bind(errno, fd, address, length) < 0) {
            throw failure("bind", LibC.errno(errno));
        }
        MemorySegment lengthPtr = intValue(temp, LibC.SOCKADDR_SIZE);
        if (LibC.getsockname(errno, fd, address, lengthPtr) < 0) {
            throw failure("getsockname", LibC.errno(errno));
        }
        return Short.toUnsignedInt(Short.reverseBytes(address.get(JAVA_SHORT, 2)));
    }

    /** Lets the kernel drop ICMP types we never use (our own requests on loopback, other hosts' traffic). */
    private static void filterRawTypes(MemorySegment errno, int fd, boolean v6, Arena temp) throws ProbeException {
        if (v6) {
            // struct icmp6_filter: 256 bits, a set bit blocks that type.
            MemorySegment filter = temp.allocate(32, 4);
            filter.fill((byte) 0xff);
            for (int type : new int[] {IcmpTypes.ECHO_REPLY_V6, IcmpTypes.UNREACHABLE_V6,
                    IcmpTypes.TIME_EXCEEDED_V6}) {
                long word = (type >> 5) * 4L;
                filter.set(JAVA_INT, word, filter.get(JAVA_INT, word) & ~(1 << (type & 31)));
            }
            if (LibC.setsockopt(errno, fd, LibC.IPPROTO_ICMPV6, LibC.ICMP6_FILTER, filter) < 0) {
                throw failure("setsockopt(ICMP6_FILTER)", LibC.errno(errno));
            }
        } else {
            int pass = (1 << IcmpTypes.ECHO_REPLY_V4) | (1 << IcmpTypes.UNREACHABLE_V4)
                    | (1 << IcmpTypes.TIME_EXCEEDED_V4);
            option(errno, fd, LibC.SOL_RAW, LibC.ICMP_FILTER, ~pass, temp, "ICMP_FILTER");
        }
    }

    private static void option(MemorySegment errno, int fd, int level, int name, int value, Arena temp, String what)
            throws ProbeException {
        if (LibC.setsockopt(errno, fd, level, name, intValue(temp, value)) < 0) {
            throw failure("setsockopt(" + what + ")", LibC.errno(errno));
        }
    }

    private static MemorySegment intValue(Arena arena, int value) {
        MemorySegment s = arena.allocate(JAVA_INT);
        s.set(JAVA_INT, 0, value);
        return s;
    }

    private static ProbeException failure(String call, int errno) {
        return new ProbeException(ErrorKind.INTERNAL, call + " failed on an ICMP socket: " + LibC.describe(errno));
    }

    /**
     * Sends one echo request to {@code to} and records its send times in {@link #txNanoTime} and
     * {@link #txRealtimeNanos}. Called by the channel's sending thread only.
     *
     * @return 0, or the errno of the failed send
     */
    int send(EchoBatch to, int seq) {
        if (closed) {
            return LibC.EBADF;
        }
        int length = IcmpPacket.writeEchoRequest(txPacket, v6, identifier, seq, to.payloadSize,
                !v6 && mode == Mode.RAW);
        int addressLength = to.writeSockaddr(txAddress);
        int errno = 0;
        // Two tries: a ping socket reports an earlier ICMP error of any target once, on the next call.
        for (int attempt = 0; attempt < 2; attempt++) {
            // Monotonic first, so the kernel-clock interval always lies inside the JVM-clock one.
            txNanoTime = System.nanoTime();
            txRealtimeNanos = LibC.realtimeNanos(txTime);
            if (LibC.sendto(txErrno, fd, txPacket, length, 0, txAddress, addressLength) >= 0) {
                txAfterRealtimeNanos = LibC.realtimeNanos(txTime);
                nextTxKey++;
                return 0;
            }
            errno = LibC.errno(txErrno);
            restartTxKeys();
        }
        return errno;
    }

    /** Restarts the kernel's send-timestamp counter at 0 (it restarts when OPT_ID is switched back on). */
    private void restartTxKeys() {
        if (!txTimestamps) {
            return;
        }
        txOption.set(JAVA_INT, 0, TX_TIMESTAMPING & ~LibC.SOF_TIMESTAMPING_OPT_ID);
        LibC.setsockopt(optionErrno, fd, LibC.SOL_SOCKET, LibC.SO_TIMESTAMPING, txOption);
        txOption.set(JAVA_INT, 0, TX_TIMESTAMPING);
        LibC.setsockopt(optionErrno, fd, LibC.SOL_SOCKET, LibC.SO_TIMESTAMPING, txOption);
        nextTxKey = 0;
    }

    /**
     * Blocks until the socket has something to read, {@link #wake()} or {@link #shutdown()} was called, or
     * {@code timeoutNanos} passed (negative: no limit).
     *
     * @return the poll events of the socket (0 after the timeout or a wake-up), or -1 once shut down
     */
    int awaitReadable(long timeoutNanos) {
        pollFds.set(JAVA_SHORT, 6, (short) 0);
        pollFds.set(JAVA_SHORT, 14, (short) 0);
        MemorySegment timeout = MemorySegment.NULL;
        if (timeoutNanos >= 0) {
            pollTimeout.set(JAVA_LONG, 0, timeoutNanos / 1_000_000_000L);
            pollTimeout.set(JAVA_LONG, 8, timeoutNanos % 1_000_000_000L);
            timeout = pollTimeout;
        }
        int n = LibC.ppoll(rxErrno, pollFds, 2, timeout);
        if (n < 0 && LibC.errno(rxErrno) != LibC.EINTR) {
            return -1;
        }
        if (pollFds.get(JAVA_SHORT, 14) != 0) {
            LibC.read(rxErrno, wakeFd, wakeCounter, 8); // reset the eventfd
        }
        if (closed) {
            return -1;
        }
        return n > 0 ? pollFds.get(JAVA_SHORT, 6) : 0;
    }

    /** Makes a thread blocked in {@link #awaitReadable} return. Any thread; does not block. */
    void wake() {
        synchronized (this) { // not after release(): the descriptor number may be reused by then
            if (!released) {
                LibC.write(wakeErrno, wakeFd, wakeOne, 8);
            }
        }
    }

    /**
     * Reads one message without blocking, from the socket or, with {@code errorQueue}, from its error queue.
     *
     * @return the message length, or {@code -errno} ({@code -EAGAIN} when there is nothing to read)
     */
    int receive(boolean errorQueue) {
        rxMsg.set(JAVA_INT, MSG_NAMELEN, LibC.SOCKADDR_SIZE);
        rxMsg.set(JAVA_LONG, MSG_CONTROLLEN, CONTROL_SIZE);
        int flags = LibC.MSG_DONTWAIT | (errorQueue ? LibC.MSG_ERRQUEUE : 0);
        long n = LibC.recvmsg(rxErrno, fd, rxMsg, flags);
        rxNanoTime = System.nanoTime();
        if (n < 0) {
            return -LibC.errno(rxErrno);
        }
        readControl();
        return (int) Math.min(n, rxPacket.byteSize());
    }

    private void readControl() {
        rxKernelNanos = 0;
        rxTxKey = -1;
        rxTxKernelNanos = 0;
        rxErrorType = -1;
        rxErrorCode = -1;
        rxOffender = -1;
        long length = rxMsg.get(JAVA_LONG, MSG_CONTROLLEN);
        long offset = 0;
        while (offset + CMSG_HEADER <= length) {
            long cmsgLength = rxControl.get(JAVA_LONG, offset);
            int level = rxControl.get(JAVA_INT, offset + 8);
            int type = rxControl.get(JAVA_INT, offset + 12);
            long data = offset + CMSG_HEADER;
            if (cmsgLength < CMSG_HEADER || offset + cmsgLength > length) {
                return;
            }
            if (level == LibC.SOL_SOCKET && type == LibC.SCM_TIMESTAMPNS) {
                rxKernelNanos = rxControl.get(JAVA_LONG, data) * 1_000_000_000L + rxControl.get(JAVA_LONG, data + 8);
            } else if (level == LibC.SOL_SOCKET && type == LibC.SCM_TIMESTAMPING) {
                // struct scm_timestamping: three timespecs, the first the software one
                rxTxKernelNanos = rxControl.get(JAVA_LONG, data) * 1_000_000_000L
                        + rxControl.get(JAVA_LONG, data + 8);
            } else if (isRecvErr(level, type)) {
                // struct sock_extended_err: errno(4) origin(1) type(1) code(1) pad(1) info(4) data(4), then the
                // address of the node that sent the ICMP error.
                int origin = rxControl.get(JAVA_BYTE, data + 4);
                if (origin == LibC.SO_EE_ORIGIN_TIMESTAMPING) {
                    rxTxKey = rxControl.get(JAVA_INT, data + 12) & 0xffffffffL;
                } else if (origin == LibC.SO_EE_ORIGIN_ICMP || origin == LibC.SO_EE_ORIGIN_ICMP6) {
                    rxErrorType = rxControl.get(JAVA_BYTE, data + 5) & 0xff;
                    rxErrorCode = rxControl.get(JAVA_BYTE, data + 6) & 0xff;
                    rxOffender = cmsgLength >= CMSG_HEADER + 16 + (v6 ? 24 : 8) ? (int) data + 16 : -1;
                }
            }
            offset += (cmsgLength + 7) & ~7L;
        }
    }

    private boolean isRecvErr(int level, int type) {
        return v6 ? level == LibC.IPPROTO_IPV6 && type == LibC.IPV6_RECVERR
                : level == LibC.IPPROTO_IP && type == LibC.IP_RECVERR;
    }

    /** The bytes of the last message read. */
    MemorySegment packet() {
        return rxPacket;
    }

    /**
     * True if {@code to}'s address equals the one at {@code offset} in the last message read, or (offset -1) the
     * message's source address (for an error-queue message: the original destination).
     */
    boolean addressMatches(EchoBatch to, int offset) {
        if (offset >= 0) {
            return v6 ? to.matches(rxPacket.get(BE_LONG, offset), rxPacket.get(BE_LONG, offset + 8))
                    : to.matches(0, rxPacket.get(BE_INT, offset) & 0xffffffffL);
        }
        return v6 ? to.matches(rxAddress.get(BE_LONG, 8), rxAddress.get(BE_LONG, 16))
                : to.matches(0, rxAddress.get(BE_INT, 4) & 0xffffffffL);
    }

    /** Who sent the ICMP error last read: the offender reported by the error queue, else the message's source. */
    String errorSender() {
        MemorySegment address = rxOffender >= 0 ? rxControl.asSlice(rxOffender) : rxAddress;
        byte[] bytes = v6 ? address.asSlice(8, 16).toArray(JAVA_BYTE) : address.asSlice(4, 4).toArray(JAVA_BYTE);
        try {
            return InetAddress.getByAddress(bytes).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // cannot happen: the length is 4 or 16
        }
    }

    /** Stops sending and wakes the channel's receiving thread, which then calls {@link #release()}. */
    void shutdown() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        wake();
    }

    /** Closes the file descriptors and frees the buffers. Called by the receiving thread once both have stopped. */
    void release() {
        synchronized (this) {
            closed = true;
            released = true;
        }
        LibC.close(fd);
        LibC.close(wakeFd);
        arena.close();
    }
}
