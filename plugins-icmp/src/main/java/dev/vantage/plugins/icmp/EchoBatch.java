package dev.vantage.plugins.icmp;

import dev.vantage.probe.plugin.linux.LibC;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.vantage.probe.spi.ProbeException;
import dev.vantage.probe.plugin.support.RoundTrips;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;

/**
 * The echo requests of one attempt to one address. The channel's sending thread sends them on schedule, its
 * receiving thread records what comes back, and the channel completes this future with itself once every request is
 * answered or the deadline has passed; the fields below are then safe to read from any thread.
 */
final class EchoBatch extends CompletableFuture<EchoBatch> {
    private static final ValueLayout.OfLong BE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt BE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final long NO_REPLY = -1;

    final InetAddress destination;
    // The destination as two big-endian halves (IPv4: high 0, low the address) so matching allocates nothing.
    private final boolean v6;
    private final long addressHigh;
    private final long addressLow;
    private final int scopeId;
    final int count;
    final long intervalNanos;
    final int payloadSize;
    /** Replies read later than this ({@link System#nanoTime()}) count as lost. */
    final long deadline;
    private volatile boolean abandoned;

    // Written under the channel's lock; read by others only after completion.
    /** When the next request is due, or the deadline once all are sent: the key of the channel's timer heap. */
    long nextEvent;
    /** Where the batch sits in the channel's {@link BatchTimers}, or -1. */
    int timerSlot = -1;
    /** True once no further request will be sent: the batch waits for replies until its deadline. */
    boolean waiting;
    int sent;
    int settled;
    /** True once the channel has let go of the batch (its completion is under way). */
    boolean done;
    final int[] seqs;
    final long[] txNanoTime;
    final long[] txRealtimeNanos;
    // CLOCK_REALTIME right after sendto returned, and the kernel's send time (0 until read) with its counter.
    final long[] txAfterRealtimeNanos;
    final long[] txKernelNanos;
    final int[] txKey;
    /** How many round trips start at the kernel's send time (the others at the clock read before sendto). */
    int kernelSendTimes;
    // Receive times: CLOCK_REALTIME from the kernel (0 if none) and System.nanoTime() when read.
    private final long[] rxKernelNanos;
    private final long[] rxNanoTime;
    /** Filled by {@link #settleRoundTrips()}. */
    final long[] rttNanos;
    boolean jvmTimestamps;
    String icmpError;
    ProbeException failure;

    EchoBatch(InetAddress destination, int count, long intervalNanos, int payloadSize, long deadline) {
        this.destination = destination;
        ByteBuffer bytes = ByteBuffer.wrap(destination.getAddress());
        this.v6 = destination instanceof Inet6Address;
        this.addressHigh = v6 ? bytes.getLong() : 0;
        this.addressLow = v6 ? bytes.getLong() : bytes.getInt() & 0xffffffffL;
        this.scopeId = destination instanceof Inet6Address a ? a.getScopeId() : 0;
        this.count = count;
        this.intervalNanos = intervalNanos;
        this.payloadSize = payloadSize;
        this.deadline = deadline;
        this.seqs = new int[count];
        this.txNanoTime = new long[count];
        this.txRealtimeNanos = new long[count];
        this.txAfterRealtimeNanos = new long[count];
        this.txKernelNanos = new long[count];
        this.txKey = new int[count];
        this.rxKernelNanos = new long[count];
        this.rxNanoTime = new long[count];
        this.rttNanos = new long[count];
        Arrays.fill(rttNanos, NO_REPLY);
    }

    /** Records the reply to request {@code i}; its round trip is worked out once the batch is done. */
    void replied(int i, long kernelNanos, long nanoTime) {
        rxKernelNanos[i] = kernelNanos;
        rxNanoTime[i] = nanoTime;
        rttNanos[i] = 0; // answered; the time follows in settleRoundTrips()
    }

    /**
     * Turns send and receive times into round trips. Only once the batch is done: the reply to a request can be
     * read (on veth it is even produced) while the sending thread is still inside {@code sendto} and has not yet
     * recorded the send time.
     */
    void settleRoundTrips() {
        for (int i = 0; i < sent; i++) {
            if (rttNanos[i] == NO_REPLY) {
                continue;
            }
            long jvmRtt = rxNanoTime[i] - txNanoTime[i];
            // the kernel's send time, if it lies within the sendto call it belongs to (a counter that went astray
            // after a failed send would point at another call's); it leaves out the JVM's path into sendto
            long sentAt = txRealtimeNanos[i];
            if (txKernelNanos[i] >= sentAt && txKernelNanos[i] <= txAfterRealtimeNanos[i]) {
                sentAt = txKernelNanos[i];
                kernelSendTimes++;
            }
            long kernelRtt = rxKernelNanos[i] - sentAt;
            // both ends CLOCK_REALTIME: excludes the time the reply waited to be read; implausible (no kernel
            // time, or the wall clock stepped) when outside the JVM-measured interval
            if (rxKernelNanos[i] != 0 && kernelRtt >= 0 && kernelRtt <= jvmRtt) {
                rttNanos[i] = kernelRtt;
            } else {
                rttNanos[i] = Math.max(0, jvmRtt);
                jvmTimestamps = true;
            }
        }
    }

    /** Nobody waits for the outcome any more: the channel drops the batch at its next event. Any thread. */
    void abandon() {
        abandoned = true;
    }

    boolean abandoned() {
        return abandoned;
    }

    boolean matches(long high, long low) {
        return high == addressHigh && low == addressLow;
    }

    /** True once every request that will be sent has been sent and answered (with a reply or an ICMP error). */
    boolean allSettled() {
        return settled == sent && (waiting || sent == count);
    }

    /** The outcome of each request sent, in send order. */
    RoundTrips roundTrips() {
        RoundTrips trips = RoundTrips.create(sent);
        for (int i = 0; i < sent; i++) {
            if (rttNanos[i] == NO_REPLY) {
                trips.lost();
            } else {
                trips.received(rttNanos[i]);
            }
        }
        return trips;
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
}
