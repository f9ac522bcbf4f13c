package dev.vantage.probe.plugin.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;

/**
 * One native socket (raw, ping or UDP) for packet plugins, with its buffers, an eventfd to wake its reader, and the
 * decoding of what the kernel attaches to a received message: the receive time (SO_TIMESTAMPNS) and, for a message
 * from the error queue (IP_RECVERR), the ICMP error and the node that sent it.
 *
 * <p>Threads: one thread at a time sends (callers lock around {@link #sendBuffer()}, {@link #setTtl} and
 * {@link #sendTo}); one receiving thread calls {@link #awaitReadable}, {@link #receive} and the accessors of the
 * last message, and finally {@link #release()} once {@link #shutdown()} made it stop. {@link #wake()} and
 * {@link #shutdown()} may be called from any thread.
 */
public final class PacketSocket {
    /** Receive buffer of every socket: see receiveBuffer(). As plugins-icmp's, sized in docs/benchmarks.md ("Design history"). */
    private static final int RECEIVE_BUFFER = 16 << 20;
    private static final int MAX_PACKET = 65_536 + 64;
    private static final int CONTROL_SIZE = 256;
    // struct msghdr and struct cmsghdr offsets on 64-bit Linux.
    private static final int MSG_NAMELEN = 8;
    private static final int MSG_CONTROLLEN = 40;
    private static final int CMSG_HEADER = 16;

    private final boolean v6;
    private final int fd;
    private boolean recvErr; // set before the socket is shared
    private final int wakeFd;
    private final Arena arena = Arena.ofShared();
    private volatile boolean closed;
    private boolean released; // guarded by this

    // Send side: used under the caller's lock.
    private final MemorySegment txPacket = arena.allocate(MAX_PACKET, 8);
    private final MemorySegment txAddress = arena.allocate(Sockaddr.SIZE, 8);
    private final MemorySegment txTime = arena.allocate(16, 8);
    private final MemorySegment txOption = arena.allocate(JAVA_INT);
    private final MemorySegment txErrno = LibC.errnoSlot(arena);
    private long txRealtimeNanos;
    // For wake(), from any thread: the value 1, and an errno slot nobody reads.
    private final MemorySegment wakeOne = arena.allocate(JAVA_LONG);
    private final MemorySegment wakeErrno = LibC.errnoSlot(arena);

    // Receive side: the receiving thread only.
    private final MemorySegment rxPacket = arena.allocate(MAX_PACKET, 8);
    private final MemorySegment rxAddress = arena.allocate(Sockaddr.SIZE, 8);
    private final MemorySegment rxControl = arena.allocate(CONTROL_SIZE, 8);
    private final MemorySegment rxIovec = arena.allocate(16, 8);
    private final MemorySegment rxMsg = arena.allocate(56, 8);
    private final MemorySegment rxTime = arena.allocate(16, 8);
    private final MemorySegment pollFds = arena.allocate(16, 8);
    private final MemorySegment pollTimeout = arena.allocate(16, 8);
    private final MemorySegment wakeCounter = arena.allocate(JAVA_LONG);
    private final MemorySegment rxErrno = LibC.errnoSlot(arena);
    private long rxRealtimeNanos;
    private int rxErrorOrigin;
    private int rxErrorType;
    private int rxErrorCode;
    private int rxOffender;

    private PacketSocket(boolean v6, int fd, int wakeFd) {
        this.v6 = v6;
        this.fd = fd;
        this.wakeFd = wakeFd;
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
     * Opens {@code socket(domain, type | SOCK_CLOEXEC, protocol)} with kernel receive timestamps on.
     *
     * @throws ErrnoException if the kernel refuses (EACCES/EPERM: no permission; EAFNOSUPPORT: no such family)
     */
    public static PacketSocket open(boolean v6, int type, int protocol) throws ErrnoException {
        int wakeFd = -1;
        int fd = -1;
        try (Arena temp = Arena.ofConfined()) {
            MemorySegment errno = LibC.errnoSlot(temp);
            fd = LibC.socket(errno, v6 ? LibC.AF_INET6 : LibC.AF_INET, type | LibC.SOCK_CLOEXEC, protocol);
            if (fd < 0) {
                throw new ErrnoException("socket", LibC.errno(errno));
            }
            wakeFd = LibC.eventfd(errno, 0, LibC.EFD_CLOEXEC);
            if (wakeFd < 0) {
                throw new ErrnoException("eventfd", LibC.errno(errno));
            }
            PacketSocket s = new PacketSocket(v6, fd, wakeFd);
            s.setOption(LibC.SOL_SOCKET, LibC.SO_TIMESTAMPNS, 1);
            s.receiveBuffer();
            return s;
        } catch (ErrnoException | RuntimeException e) {
            if (fd >= 0) {
                LibC.close(fd);
            }
            if (wakeFd >= 0) {
                LibC.close(wakeFd);
            }
            throw e;
        }
    }

    /**
     * The local address the kernel would send from towards {@code destination}: connects this socket (a UDP one
     * kept for the purpose) there and reads its address back; nothing is sent. Under the sender's lock.
     */
    public InetAddress sourceAddressFor(InetAddress destination) throws ErrnoException {
        int length = Sockaddr.write(txAddress, destination, 9);
        if (LibC.connect(txErrno, fd, txAddress, length) < 0) {
            throw new ErrnoException("connect", LibC.errno(txErrno));
        }
        txOption.set(JAVA_INT, 0, Sockaddr.SIZE);
        if (LibC.getsockname(txErrno, fd, txAddress, txOption) < 0) {
            throw new ErrnoException("getsockname", LibC.errno(txErrno));
        }
        return Sockaddr.read(txAddress);
    }

    public boolean v6() {
        return v6;
    }

    /** setsockopt with an int value. */
    public void setOption(int level, int name, int value) throws ErrnoException {
        try (Arena temp = Arena.ofConfined()) {
            MemorySegment v = temp.allocate(JAVA_INT);
            v.set(JAVA_INT, 0, value);
            setOption(level, name, v);
        }
    }

    /** setsockopt with a struct value. */
    public void setOption(int level, int name, MemorySegment value) throws ErrnoException {
        try (Arena temp = Arena.ofConfined()) {
            MemorySegment errno = LibC.errnoSlot(temp);
            if (LibC.setsockopt(errno, fd, level, name, value) < 0) {
                throw new ErrnoException("setsockopt(" + level + ", " + name + ")", LibC.errno(errno));
            }
        }
    }

    /**
     * A shared socket takes the answers of every probe of its plugin: a burst (1,000 traces at once) outruns the
     * default buffer (net.core.rmem_default, ~200 KiB, some hundred packets) while the receiving thread is not
     * scheduled, and each answer dropped there would read as loss on a hop. Memory is charged only while packets
     * wait; root (SO_RCVBUFFORCE) may exceed net.core.rmem_max, others get at most that.
     */
    private void receiveBuffer() throws ErrnoException {
        try {
            setOption(LibC.SOL_SOCKET, LibC.SO_RCVBUFFORCE, RECEIVE_BUFFER);
        } catch (ErrnoException e) {
            setOption(LibC.SOL_SOCKET, LibC.SO_RCVBUF, RECEIVE_BUFFER);
        }
    }

    /** Turns on IP_RECVERR / IPV6_RECVERR: ICMP errors about what this socket sent arrive on its error queue. */
    public void receiveErrors() throws ErrnoException {
        setOption(v6 ? LibC.IPPROTO_IPV6 : LibC.IPPROTO_IP, v6 ? LibC.IPV6_RECVERR : LibC.IP_RECVERR, 1);
        recvErr = true;
    }

    /** Binds to the wildcard address and port 0; returns the port (a ping socket's echo identifier) the kernel chose. */
    public int bindAnyPort() throws ErrnoException {
        try (Arena temp = Arena.ofConfined()) {
            MemorySegment errno = LibC.errnoSlot(temp);
            MemorySegment address = temp.allocate(Sockaddr.SIZE, 8);
            address.set(JAVA_SHORT, 0, (short) (v6 ? LibC.AF_INET6 : LibC.AF_INET));
            if (LibC.bind(errno, fd, address, v6 ? 28 : 16) < 0) {
                throw new ErrnoException("bind", LibC.errno(errno));
            }
            MemorySegment lengthPtr = temp.allocate(JAVA_INT);
            lengthPtr.set(JAVA_INT, 0, Sockaddr.SIZE);
            if (LibC.getsockname(errno, fd, address, lengthPtr) < 0) {
                throw new ErrnoException("getsockname", LibC.errno(errno));
            }
            return Sockaddr.port(address);
        }
    }

    /** The buffer to write the next packet into; under the sender's lock. */
    public MemorySegment sendBuffer() {
        return txPacket;
    }

    /** Sets the TTL (IPv6: hop limit) of what is sent next; under the sender's lock. Returns 0 or the errno. */
    public int setTtl(int ttl) {
        if (closed) {
            return LibC.EBADF;
        }
        txOption.set(JAVA_INT, 0, ttl);
        int level = v6 ? LibC.IPPROTO_IPV6 : LibC.IPPROTO_IP;
        int name = v6 ? LibC.IPV6_UNICAST_HOPS : LibC.IP_TTL;
        return LibC.setsockopt(txErrno, fd, level, name, txOption) < 0 ? LibC.errno(txErrno) : 0;
    }

    /**
     * Sends the first {@code length} bytes of {@link #sendBuffer()} to {@code to} (port {@code port}, 0 for ICMP),
     * reading the clock of {@link #receivedRealtimeNanos()} just before. Under the sender's lock.
     *
     * @return 0, or the errno of the failed send
     */
    public int sendTo(int length, InetAddress to, int port) {
        if (closed) {
            return LibC.EBADF;
        }
        int addressLength = Sockaddr.write(txAddress, to, port);
        int errno = 0;
        // With IP_RECVERR the kernel reports an earlier ICMP error (about any destination) once, on the next call,
        // without sending: so a second try.
        for (int attempt = 0; attempt < (recvErr ? 2 : 1); attempt++) {
            txRealtimeNanos = LibC.realtimeNanos(txTime);
            if (LibC.sendto(txErrno, fd, txPacket, length, 0, txAddress, addressLength) >= 0) {
                return 0;
            }
            errno = LibC.errno(txErrno);
        }
        return errno;
    }

    /** CLOCK_REALTIME nanoseconds read just before the last {@link #sendTo}: the clock of kernel receive times. */
    public long sentRealtimeNanos() {
        return txRealtimeNanos;
    }

    /**
     * Blocks until the socket has something to read, {@link #wake()} or {@link #shutdown()} was called, or
     * {@code timeoutNanos} passed (negative: no limit).
     *
     * @return the poll events of the socket (0 after the timeout or a wake-up), or -1 once shut down
     */
    public int awaitReadable(long timeoutNanos) {
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
    public void wake() {
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
    public int receive(boolean errorQueue) {
        rxMsg.set(JAVA_INT, MSG_NAMELEN, Sockaddr.SIZE);
        rxMsg.set(JAVA_LONG, MSG_CONTROLLEN, CONTROL_SIZE);
        int flags = LibC.MSG_DONTWAIT | (errorQueue ? LibC.MSG_ERRQUEUE : 0);
        long n = LibC.recvmsg(rxErrno, fd, rxMsg, flags);
        if (n < 0) {
            return -LibC.errno(rxErrno);
        }
        readControl();
        if (rxRealtimeNanos == 0) {
            rxRealtimeNanos = LibC.realtimeNanos(rxTime);
        }
        return (int) Math.min(n, rxPacket.byteSize());
    }

    private void readControl() {
        rxRealtimeNanos = 0;
        rxErrorOrigin = 0;
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
                rxRealtimeNanos = rxControl.get(JAVA_LONG, data) * 1_000_000_000L + rxControl.get(JAVA_LONG, data + 8);
            } else if (v6 ? level == LibC.IPPROTO_IPV6 && type == LibC.IPV6_RECVERR
                    : level == LibC.IPPROTO_IP && type == LibC.IP_RECVERR) {
                // struct sock_extended_err: errno(4) origin(1) type(1) code(1) pad(1) info(4) data(4), then the
                // address of the node that sent the ICMP error.
                rxErrorOrigin = rxControl.get(JAVA_BYTE, data + 4);
                if (rxErrorOrigin == LibC.SO_EE_ORIGIN_ICMP || rxErrorOrigin == LibC.SO_EE_ORIGIN_ICMP6) {
                    rxErrorType = rxControl.get(JAVA_BYTE, data + 5) & 0xff;
                    rxErrorCode = rxControl.get(JAVA_BYTE, data + 6) & 0xff;
                    rxOffender = cmsgLength >= CMSG_HEADER + 16 + (v6 ? 24 : 8) ? (int) data + 16 : -1;
                }
            }
            offset += (cmsgLength + 7) & ~7L;
        }
    }

    /** The bytes of the last message read. */
    public MemorySegment packet() {
        return rxPacket;
    }

    /** The last message's source address (for an error-queue message: the original destination). */
    public InetAddress source() {
        return Sockaddr.read(rxAddress);
    }

    /** When the last message arrived: the kernel's receive time, CLOCK_REALTIME nanoseconds. */
    public long receivedRealtimeNanos() {
        return rxRealtimeNanos;
    }

    /** For a message from the error queue that carries an ICMP error: its ICMP type; else -1. */
    public int errorType() {
        return rxErrorType;
    }

    /** For a message from the error queue that carries an ICMP error: its ICMP code; else -1. */
    public int errorCode() {
        return rxErrorCode;
    }

    /** For a message from the error queue that carries an ICMP error: the node that sent it, or null if unknown. */
    public InetAddress errorSender() {
        return rxOffender < 0 ? null : Sockaddr.read(rxControl.asSlice(rxOffender));
    }

    /** Stops sending and wakes the receiving thread, which then calls {@link #release()}. */
    public void shutdown() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        wake();
    }

    /** Closes the file descriptors and frees the buffers. Called by the receiving thread once both sides stopped. */
    public void release() {
        synchronized (this) {
            if (released) {
                return;
            }
            closed = true;
            released = true;
        }
        LibC.close(fd);
        LibC.close(wakeFd);
        arena.close();
    }
}
