package dev.vantage.plugins.icmp;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.CompletableFuture;

/**
 * One echo request in flight: where it went, when, and the future the receiving thread completes with its
 * {@link EchoReply}.
 */
final class PendingEcho extends CompletableFuture<EchoReply> {
    private static final ValueLayout.OfLong BE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt BE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    // The destination as two big-endian halves (IPv4: high 0, low the address) so matching allocates nothing.
    private final boolean v6;
    private final long addressHigh;
    private final long addressLow;
    private final int scopeId;
    /** Sequence number; set before the request is published to the receiving thread. */
    int seq = -1;
    /** Send times, written and read by the sending thread only. */
    long txRealtimeNanos;
    long txNanoTime;

    PendingEcho(InetAddress destination) {
        ByteBuffer bytes = ByteBuffer.wrap(destination.getAddress());
        this.v6 = destination instanceof Inet6Address;
        this.addressHigh = v6 ? bytes.getLong() : 0;
        this.addressLow = v6 ? bytes.getLong() : bytes.getInt() & 0xffffffffL;
        this.scopeId = destination instanceof Inet6Address a ? a.getScopeId() : 0;
    }

    boolean matches(long high, long low) {
        return high == addressHigh && low == addressLow;
    }

    /** Writes the destination as a struct sockaddr_in or sockaddr_in6; returns its length. */
    int writeSockaddr(MemorySegment s) {
        s.fill((byte) 0);
        if (v6) {
            s.set(JAVA_SHORT, 0, (short) LibC.AF_INET6);
            s.set(BE_LONG, 8, addressHigh);
            s.set(BE_LONG, 16, addressLow);
            s.set(JAVA_INT, 24, scopeId);
            return 28;
        }
        s.set(JAVA_SHORT, 0, (short) LibC.AF_INET);
        s.set(BE_INT, 4, (int) addressLow);
        return 16;
    }

    /**
     * The round-trip time from the kernel's receive timestamp: both ends CLOCK_REALTIME, so it excludes the time
     * the reply waited for the receiving thread. -1 when the kernel gave no timestamp, or when the result is
     * implausible because the wall clock stepped in between (it can never exceed the JVM-measured time).
     */
    long kernelRttNanos(EchoReply reply) {
        long rtt = reply.rxRealtimeNanos() - txRealtimeNanos;
        return reply.kernelTimestamp() && rtt >= 0 && rtt <= jvmRttNanos(reply) ? rtt : -1;
    }

    /** The round-trip time by the JVM's monotonic clock, including the receiving thread's delay. */
    long jvmRttNanos(EchoReply reply) {
        return reply.rxNanoTime() - txNanoTime;
    }
}
