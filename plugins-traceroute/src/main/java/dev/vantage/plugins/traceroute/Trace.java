package dev.vantage.plugins.traceroute;

import dev.vantage.probe.plugin.linux.IcmpTypes;
import dev.vantage.probe.plugin.linux.LibC;
import dev.vantage.probe.spi.ErrorKind;
import dev.vantage.probe.spi.ProbeError;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One trace in flight: which probes to send when, and what came back. Each TTL is a lane that sends its probes one
 * after another (the next once the previous is answered or timed out); lanes run in parallel, at most
 * {@value #WINDOW} still waiting for their first answer, so the path is learnt about as fast as mtr learns it
 * without flooding the destination with probes that overshoot it. Once the destination answers at some TTL, no lane
 * beyond it sends again. Completes {@link #done} when every lane up to the last hop has finished, or at the
 * deadline. Events come from the channel's receiving threads and the provider's timer; all state is guarded by this.
 */
final class Trace {
    /** Lanes waiting for their first answer at once: few enough to stay within routers' ICMP rate-limit burst (6). */
    static final int WINDOW = 6;
    private static final long NOT_SENT = -2;
    private static final long LOST = -1;

    /** What one TTL saw. */
    static final class Hop {
        final int ttl;
        final long[] rttNanos;
        int sent;
        int finished;
        InetAddress address;
        final Set<InetAddress> others = new LinkedHashSet<>();
        boolean destination;
        String error;
        List<int[]> mpls = List.of();

        Hop(int ttl, int probes) {
            this.ttl = ttl;
            rttNanos = new long[probes];
            Arrays.fill(rttNanos, NOT_SENT);
        }

        int received() {
            int n = 0;
            for (long r : rttNanos) {
                n += r >= 0 ? 1 : 0;
            }
            return n;
        }
    }

    final TraceChannel channel;
    final InetAddress destination;
    /** Source address (TCP mode: for the checksum), else null. */
    final InetAddress source;
    /** The flow: ICMP checksum word, or the TCP source port. Constant for the trace. */
    final int flow;
    /** Destination port (UDP, TCP). */
    final int port;
    /** High half of the TCP sequence numbers. */
    final int sequenceBase;
    final CompletableFuture<Trace> done = new CompletableFuture<>();
    private final int probesPerHop;
    private final int maxHops;
    private final long probeTimeoutNanos;
    private final ScheduledExecutorService timer;
    private final Hop[] hops;
    private final List<ScheduledFuture<?>> timeouts = new ArrayList<>();
    private final List<TraceChannel.Probe> probes = new ArrayList<>();
    private int started; // lanes started: TTL 1..started
    private int awaitingFirst; // started lanes without a first answer
    private int destinationTtl = Integer.MAX_VALUE;
    private int stopTtl = Integer.MAX_VALUE; // an unreachable error here ends the path
    private boolean finished;
    /** Why the trace ended early (a send failed, cancelled), or null. */
    ProbeError failure;
    /** True if the deadline ended the trace before every lane finished. */
    boolean cutShort;

    Trace(TraceChannel channel, InetAddress destination, InetAddress source, int flow, int port, int sequenceBase,
          int probesPerHop, int maxHops, long probeTimeoutNanos, ScheduledExecutorService timer) {
        this.channel = channel;
        this.destination = destination;
        this.source = source;
        this.flow = flow;
        this.port = port;
        this.sequenceBase = sequenceBase;
        this.probesPerHop = probesPerHop;
        this.maxHops = maxHops;
        this.probeTimeoutNanos = probeTimeoutNanos;
        this.timer = timer;
        this.hops = new Hop[maxHops + 1];
    }

    /** Starts the first lanes and arms the deadline, {@code remainingNanos} from now. */
    synchronized void start(long remainingNanos) {
        timeouts.add(timer.schedule(this::deadline, remainingNanos, TimeUnit.NANOSECONDS));
        startLanes();
    }

    private int limit() {
        return Math.min(maxHops, Math.min(destinationTtl, stopTtl));
    }

    private void startLanes() {
        while (!finished && awaitingFirst < WINDOW && started < limit()) {
            started++;
            hops[started] = new Hop(started, probesPerHop);
            awaitingFirst++;
            send(hops[started]);
        }
        finishIfComplete();
    }

    private void send(Hop hop) {
        if (finished) {
            return;
        }
        TraceChannel.Probe p = new TraceChannel.Probe(this, hop.ttl, hop.sent);
        hop.sent++;
        probes.add(p);
        int errno = channel.send(p);
        if (errno != 0) {
            fail(sendError(errno));
            return;
        }
        hop.rttNanos[p.index] = LOST; // until answered
        timeouts.add(timer.schedule(() -> timedOut(p), probeTimeoutNanos, TimeUnit.NANOSECONDS));
    }

    private ProbeError sendError(int errno) {
        ErrorKind kind = switch (errno) {
            case 101, 113 -> ErrorKind.UNREACHABLE; // ENETUNREACH, EHOSTUNREACH
            case LibC.EACCES, LibC.EPERM -> ErrorKind.CONFIG;
            case LibC.EBADF -> ErrorKind.CANCELLED;
            default -> ErrorKind.INTERNAL;
        };
        return ProbeError.of(kind, "cannot send to " + Packets.text(destination) + ": " + LibC.describe(errno));
    }

    /**
     * An answer to {@code p} from {@code from}: an ICMP error of {@code type}/{@code code}, or ({@code type} -1) the
     * destination itself (echo reply, SYN-ACK, RST).
     */
    synchronized void answered(TraceChannel.Probe p, InetAddress from, int type, int code, List<int[]> mpls,
                               long rttNanos) {
        Hop hop = hops[p.ttl];
        if (finished || hop == null || hop.rttNanos[p.index] != LOST) {
            return;
        }
        hop.rttNanos[p.index] = Math.max(0, rttNanos);
        if (hop.address == null) {
            hop.address = from;
        } else if (!hop.address.equals(from)) {
            hop.others.add(from);
        }
        if (!mpls.isEmpty()) {
            hop.mpls = mpls;
        }
        boolean v6 = channel.v6;
        if (type < 0 || from.equals(destination)) {
            hop.destination = true;
            destinationTtl = Math.min(destinationTtl, p.ttl);
        } else if (IcmpTypes.isUnreachable(v6, type)) {
            hop.error = IcmpTypes.describeError(v6, type, code) + " from " + Packets.text(from);
            stopTtl = Math.min(stopTtl, p.ttl);
        }
        next(hop, p);
    }

    private synchronized void timedOut(TraceChannel.Probe p) {
        channel.forget(p);
        Hop hop = hops[p.ttl];
        if (!finished && hop != null && hop.rttNanos[p.index] == LOST && hop.finished <= p.index) {
            next(hop, p);
        }
    }

    private void next(Hop hop, TraceChannel.Probe p) {
        hop.finished++;
        if (p.index == 0) {
            awaitingFirst--;
        }
        if (hop.ttl <= limit() && hop.sent < probesPerHop) {
            send(hop);
        }
        startLanes();
    }

    private void finishIfComplete() {
        if (finished || started < limit()) {
            return;
        }
        for (int ttl = 1; ttl <= limit(); ttl++) {
            if (hops[ttl].finished < probesPerHop) {
                return;
            }
        }
        finish();
    }

    private synchronized void deadline() {
        if (!finished) {
            cutShort = true;
            finish();
        }
    }

    synchronized void cancel(String why) {
        fail(ProbeError.of(ErrorKind.CANCELLED, why));
    }

    private void fail(ProbeError error) {
        if (!finished) {
            failure = error;
            finish();
        }
    }

    private void finish() {
        finished = true;
        timeouts.forEach(t -> t.cancel(false));
        probes.forEach(channel::forget);
        done.complete(this);
    }

    /** The hops to report, TTL 1 first: up to the destination, the unreachable error, or the last hop tried. */
    synchronized List<Hop> hops() {
        int last = Math.min(started, limit());
        List<Hop> list = new ArrayList<>();
        for (int ttl = 1; ttl <= last; ttl++) {
            if (hops[ttl].sent > 0) {
                list.add(hops[ttl]);
            }
        }
        if (destinationTtl > maxHops && stopTtl > maxHops) {
            // not reached: keep the hops up to the last that answered and one silent hop after it
            int lastAnswered = 0;
            for (Hop h : list) {
                lastAnswered = h.address != null ? h.ttl : lastAnswered;
            }
            while (list.size() > lastAnswered + 1) {
                list.removeLast();
            }
        }
        return list;
    }

    synchronized boolean reached() {
        return destinationTtl <= maxHops;
    }

    /** The unreachable error that ended the path, or null. */
    synchronized Hop unreachableHop() {
        return stopTtl <= maxHops && stopTtl < destinationTtl ? hops[stopTtl] : null;
    }

    synchronized Hop destinationHop() {
        return reached() ? hops[destinationTtl] : null;
    }
}
