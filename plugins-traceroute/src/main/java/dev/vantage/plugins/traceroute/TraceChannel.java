package dev.vantage.plugins.traceroute;

import dev.vantage.probe.plugin.linux.ErrnoException;
import dev.vantage.probe.plugin.linux.IcmpTypes;
import dev.vantage.probe.plugin.linux.LibC;
import dev.vantage.probe.plugin.linux.PacketSocket;
import dev.vantage.probe.plugin.linux.Sockaddr;
import dev.vantage.probe.spi.ErrorKind;
import dev.vantage.probe.spi.ProbeException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The sockets of one mode and address family, shared by every trace of the provider, with one receiving thread per
 * socket that hands each answer to the trace whose probe it answers. Probes are told apart by a 16-bit token
 * (ICMP sequence number, first UDP payload word, low half of the TCP sequence number).
 *
 * <ul>
 *   <li>ICMP: a ping socket where {@code net.ipv4.ping_group_range} allows one (errors through IP_RECVERR), else a
 *       raw ICMP socket (CAP_NET_RAW).</li>
 *   <li>UDP: an ordinary UDP socket with IP_RECVERR, as Linux traceroute does: no privilege needed.</li>
 *   <li>TCP: a raw TCP socket for the SYNs and the SYN-ACK/RST answers, and a raw ICMP socket for the errors
 *       (CAP_NET_RAW).</li>
 * </ul>
 * Sending is serialised (the TTL is a socket option set just before each send); any thread may send.
 */
final class TraceChannel implements AutoCloseable {
    /** One probe in flight: which trace, which hop, which of its probes. */
    static final class Probe {
        final Trace trace;
        final int ttl;
        final int index;
        int token;
        long sentRealtimeNanos;

        Probe(Trace trace, int ttl, int index) {
            this.trace = trace;
            this.ttl = ttl;
            this.index = index;
        }
    }

    final Mode mode;
    final boolean v6;
    /** True for an unprivileged ping socket (ICMP mode). */
    final boolean datagram;
    private final PacketSocket sender;
    private final PacketSocket errors; // the raw ICMP socket of TCP mode, else null
    private final PacketSocket routes; // TCP mode: a UDP socket that finds the source address, else null
    private final int identifier; // ICMP echo identifier
    private final int localPort; // UDP source port
    private final Map<Integer, Probe> pending = new ConcurrentHashMap<>();
    private final Object sendLock = new Object();
    private int nextToken = ThreadLocalRandom.current().nextInt(1 << 16); // guarded by sendLock
    private final List<Thread> receivers;

    private TraceChannel(Mode mode, boolean v6, boolean datagram, PacketSocket sender, PacketSocket errors,
                         PacketSocket routes, int identifier, int localPort) {
        this.routes = routes;
        this.mode = mode;
        this.v6 = v6;
        this.datagram = datagram;
        this.sender = sender;
        this.errors = errors;
        this.identifier = identifier;
        this.localPort = localPort;
        String name = "vantage-traceroute-" + mode.label() + "-v" + (v6 ? 6 : 4);
        Thread main = Thread.ofPlatform().daemon().name(name).unstarted(() -> receive(sender));
        receivers = errors == null ? List.of(main)
                : List.of(main, Thread.ofPlatform().daemon().name(name + "-icmp").unstarted(() -> receive(errors)));
        receivers.forEach(Thread::start);
    }

    /** Opens the sockets for {@code mode}; CONFIG errors say what permission is missing. */
    static TraceChannel open(Mode mode, boolean v6) throws ProbeException {
        int icmpProtocol = v6 ? LibC.IPPROTO_ICMPV6 : LibC.IPPROTO_ICMP;
        PacketSocket sender = null;
        PacketSocket errors = null;
        PacketSocket routes = null;
        try {
            switch (mode) {
                case ICMP -> {
                    try {
                        sender = PacketSocket.open(v6, LibC.SOCK_DGRAM, icmpProtocol);
                        sender.receiveErrors();
                        int id = sender.bindAnyPort();
                        return new TraceChannel(mode, v6, true, sender, null, null, id, 0);
                    } catch (ErrnoException e) {
                        if (sender != null) {
                            sender.release();
                            sender = null;
                        }
                        if (e.errno() != LibC.EACCES && e.errno() != LibC.EPERM) {
                            throw e;
                        }
                    }
                    sender = openRaw(v6, icmpProtocol, "ICMP mode");
                    filterIcmp(sender, v6);
                    return new TraceChannel(mode, v6, false, sender, null, null,
                            ThreadLocalRandom.current().nextInt(1 << 16), 0);
                }
                case UDP -> {
                    sender = PacketSocket.open(v6, LibC.SOCK_DGRAM, LibC.IPPROTO_UDP);
                    sender.receiveErrors();
                    int port = sender.bindAnyPort();
                    return new TraceChannel(mode, v6, true, sender, null, null, 0, port);
                }
                case TCP -> {
                    sender = openRaw(v6, LibC.IPPROTO_TCP, "TCP mode");
                    if (v6) {
                        sender.setOption(LibC.IPPROTO_IPV6, LibC.IPV6_CHECKSUM, 16); // the kernel sums TCP over IPv6
                    }
                    errors = openRaw(v6, icmpProtocol, "TCP mode");
                    filterIcmp(errors, v6);
                    routes = PacketSocket.open(v6, LibC.SOCK_DGRAM, LibC.IPPROTO_UDP);
                    return new TraceChannel(mode, v6, false, sender, errors, routes, 0, 0);
                }
                default -> throw new IllegalArgumentException(mode.name());
            }
        } catch (ErrnoException e) {
            if (sender != null) {
                sender.release();
            }
            if (errors != null) {
                errors.release();
            }
            if (routes != null) {
                routes.release();
            }
            ErrorKind kind = e.errno() == LibC.EAFNOSUPPORT ? ErrorKind.CONFIG : ErrorKind.INTERNAL;
            throw new ProbeException(kind, "cannot open the " + mode.label() + " traceroute socket: " + e.getMessage());
        }
    }

    private static PacketSocket openRaw(boolean v6, int protocol, String what) throws ProbeException, ErrnoException {
        try {
            return PacketSocket.open(v6, LibC.SOCK_RAW, protocol);
        } catch (ErrnoException e) {
            if (e.errno() == LibC.EACCES || e.errno() == LibC.EPERM) {
                throw new ProbeException(ErrorKind.CONFIG, what + " needs a raw socket: grant CAP_NET_RAW (setcap "
                        + "cap_net_raw+ep $JAVA_HOME/bin/java; Docker --cap-add=NET_RAW)"
                        + (what.startsWith("ICMP") ? ", or allow ping sockets with sysctl -w "
                        + "net.ipv4.ping_group_range=\"0 2147483647\"" : "") + ", or use mode=udp (" + e.getMessage() + ")");
            }
            throw e;
        }
    }

    /** Lets the kernel drop ICMP types a trace never uses (other hosts' traffic, our own requests on loopback). */
    private static void filterIcmp(PacketSocket s, boolean v6) throws ErrnoException {
        int[] wanted = v6 ? new int[] {IcmpTypes.ECHO_REPLY_V6, IcmpTypes.UNREACHABLE_V6, IcmpTypes.TIME_EXCEEDED_V6}
                : new int[] {IcmpTypes.ECHO_REPLY_V4, IcmpTypes.UNREACHABLE_V4, IcmpTypes.TIME_EXCEEDED_V4};
        if (v6) {
            try (Arena temp = Arena.ofConfined()) {
                MemorySegment filter = temp.allocate(32, 4); // struct icmp6_filter: a set bit blocks that type
                filter.fill((byte) 0xff);
                for (int type : wanted) {
                    long word = (type >> 5) * 4L;
                    filter.set(ValueLayout.JAVA_INT, word, filter.get(ValueLayout.JAVA_INT, word) & ~(1 << (type & 31)));
                }
                s.setOption(LibC.IPPROTO_ICMPV6, LibC.ICMP6_FILTER, filter);
            }
        } else {
            int pass = 0;
            for (int type : wanted) {
                pass |= 1 << type;
            }
            s.setOption(LibC.SOL_RAW, LibC.ICMP_FILTER, ~pass);
        }
    }

    /** The {@code traceMode} attribute: the mode and, for ICMP, the socket kind. */
    String label() {
        return mode == Mode.ICMP ? "icmp-" + (datagram ? "datagram" : "raw") : mode.label();
    }

    /**
     * Sends one probe of {@code trace}; on success it is pending until {@link #forget} or an answer.
     *
     * @return 0, or the errno of the failed send
     */
    int send(Probe p) {
        Trace t = p.trace;
        synchronized (sendLock) {
            int token = nextToken;
            while (pending.containsKey(token & 0xffff)) {
                token++;
            }
            p.token = token & 0xffff;
            nextToken = p.token + 1;
            MemorySegment buf = sender.sendBuffer();
            int length;
            int port = 0;
            switch (mode) {
                case ICMP -> length = Packets.echoRequest(buf, v6, identifier, p.token, t.flow, !v6 && !datagram);
                case UDP -> {
                    length = Packets.udpPayload(buf, p.token);
                    port = t.port;
                }
                default -> length = Packets.tcpSyn(buf, t.source, t.destination, t.flow, t.port,
                        t.sequenceBase | p.token);
            }
            int errno = sender.setTtl(p.ttl);
            if (errno != 0) {
                return errno;
            }
            pending.put(p.token, p);
            errno = sender.sendTo(length, t.destination, port);
            p.sentRealtimeNanos = sender.sentRealtimeNanos();
            if (errno != 0) {
                pending.remove(p.token, p);
            }
            return errno;
        }
    }

    /** The address TCP probes to {@code destination} leave from (their checksum covers it), as routed here. */
    InetAddress sourceAddressFor(InetAddress destination) throws ErrnoException {
        synchronized (sendLock) {
            return routes.sourceAddressFor(destination);
        }
    }

    /** Stops waiting for a probe's answer. */
    void forget(Probe p) {
        pending.remove(p.token, p);
    }

    private void receive(PacketSocket s) {
        try {
            while (true) {
                int events = s.awaitReadable(-1);
                if (events < 0) {
                    return;
                }
                drain(s, false);
                if (datagram) {
                    drain(s, true);
                }
            }
        } finally {
            s.release();
        }
    }

    private void drain(PacketSocket s, boolean errorQueue) {
        int length;
        while ((length = s.receive(errorQueue)) >= 0 || length == -LibC.EINTR) {
            if (length >= 0) {
                try {
                    dispatch(s, length, errorQueue);
                } catch (RuntimeException e) {
                    // a malformed packet must not end the receiving thread
                }
            }
        }
    }

    /** Finds the probe a message answers and hands it over. */
    private void dispatch(PacketSocket s, int length, boolean errorQueue) {
        MemorySegment b = s.packet();
        if (errorQueue) {
            if (s.errorType() < 0) {
                return;
            }
            // the kernel hands back what we sent: an echo request or our UDP payload
            if (length < 8 && mode == Mode.ICMP || length < 2) {
                return;
            }
            int token = mode == Mode.ICMP ? Packets.u16(b, 6) : Packets.u16(b, 0);
            answer(token, s.source(), s.errorSender(), s.errorType(), s.errorCode(), List.of(), s);
            return;
        }
        if (mode == Mode.UDP) {
            return; // a UDP answer from a listening port carries nothing to match; a closed port is the target
        }
        InetAddress from = s.source();
        int offset = 0;
        if (!v6 && !datagram) { // raw IPv4 sockets deliver the IP header
            offset = Packets.ipv4HeaderLength(b, length, 0);
            if (offset < 0) {
                return;
            }
        }
        if (s == sender && mode == Mode.TCP) {
            tcpAnswer(b, length, offset, from, s);
            return;
        }
        if (length - offset < 8) {
            return;
        }
        int type = Packets.u8(b, offset);
        int code = Packets.u8(b, offset + 1);
        if (type == (v6 ? IcmpTypes.ECHO_REPLY_V6 : IcmpTypes.ECHO_REPLY_V4)) {
            if (mode == Mode.ICMP && (datagram || Packets.u16(b, offset + 4) == identifier)) {
                answer(Packets.u16(b, offset + 6), from, from, type, code, List.of(), s);
            }
            return;
        }
        int protocol = switch (mode) {
            case ICMP -> v6 ? LibC.IPPROTO_ICMPV6 : LibC.IPPROTO_ICMP;
            case UDP -> LibC.IPPROTO_UDP;
            case TCP -> LibC.IPPROTO_TCP;
        };
        int quoted = Packets.quotedTransport(b, length, offset, v6, protocol);
        if (quoted < 0) {
            return;
        }
        int token;
        if (mode == Mode.ICMP) {
            if (Packets.u16(b, quoted + 4) != identifier) {
                return;
            }
            token = Packets.u16(b, quoted + 6);
        } else {
            token = Packets.u16(b, quoted + 6); // low half of the TCP sequence number
            Probe p = pending.get(token);
            if (p == null || Packets.u16(b, quoted) != p.trace.flow || Packets.u16(b, quoted + 2) != p.trace.port) {
                return;
            }
        }
        InetAddress destination = v6 ? at(b, offset + 8 + 24, 16) : at(b, offset + 8 + 16, 4);
        answer(token, destination, from, type, code, Packets.mplsLabels(b, length, offset, v6), s);
    }

    /** A SYN-ACK or RST from the destination: it was reached. */
    private void tcpAnswer(MemorySegment b, int length, int offset, InetAddress from, PacketSocket s) {
        if (length - offset < Packets.TCP_HEADER) {
            return;
        }
        int flags = Packets.u8(b, offset + 13);
        boolean synAck = (flags & 0x12) == 0x12;
        boolean rst = (flags & 0x04) != 0;
        if (!synAck && !rst) {
            return;
        }
        int token = (b.get(Packets.U32, offset + 8) - 1) & 0xffff; // acknowledges our sequence number + 1
        Probe p = pending.get(token);
        if (p == null || Packets.u16(b, offset) != p.trace.port || Packets.u16(b, offset + 2) != p.trace.flow) {
            return;
        }
        answer(token, from, from, -1, rst ? 1 : 0, List.of(), s);
    }

    private static InetAddress at(MemorySegment b, long offset, int length) {
        return Sockaddr.address(b.asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE));
    }

    /**
     * Hands an answer to its probe's trace, if the probe is still pending and was sent to {@code destination}.
     * {@code type} -1 means "the destination itself answered" (echo reply, SYN-ACK, RST).
     */
    private void answer(int token, InetAddress destination, InetAddress from, int type, int code, List<int[]> mpls,
                        PacketSocket s) {
        Probe p = pending.get(token);
        if (p == null || from == null || (destination != null && !destination.equals(p.trace.destination))) {
            return;
        }
        if (!pending.remove(token, p)) {
            return;
        }
        boolean echoReply = type == (v6 ? IcmpTypes.ECHO_REPLY_V6 : IcmpTypes.ECHO_REPLY_V4) && mode == Mode.ICMP;
        long sent;
        synchronized (sendLock) { // an answer can come before send() has noted the send time
            sent = p.sentRealtimeNanos;
        }
        p.trace.answered(p, from, echoReply ? -1 : type, code, mpls, s.receivedRealtimeNanos() - sent);
    }

    @Override
    public void close() {
        sender.shutdown();
        if (errors != null) {
            errors.shutdown();
        }
        if (routes != null) {
            synchronized (sendLock) {
                routes.release();
            }
        }
        for (Probe p : pending.values()) {
            p.trace.cancel("the traceroute provider is closed");
        }
        pending.clear();
    }
}
