package dev.vantage.plugins.icmp;

import dev.vantage.probe.spi.ErrorKind;
import dev.vantage.probe.spi.ProbeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One ICMP socket shared by every target of a family and TTL, with the single thread that sends and receives on
 * it. Probes hand it {@link EchoBatch}es; the thread sends each batch's requests when they are due (one timer for
 * all targets, like fping, instead of a sleeping thread per attempt), matches replies and ICMP errors by
 * identifier, sequence number and address, and completes a batch once it is settled or its deadline has passed.
 * Before it declares a request lost at the deadline it reads everything the kernel has queued, so a reply that
 * arrived in time but waited for a busy thread still counts.
 *
 * <p>A socket per target would be simpler, but then every socket sees (and must discard) every reply, which is
 * what makes per-target pingers report false loss at a thousand targets.
 */
final class EchoChannel implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(EchoChannel.class.getName());
    private static final int SEQUENCES = 1 << 16;
    // Messages read per wake-up before polling again; keeps the error queue from being starved.
    private static final int DRAIN_LIMIT = 1024;
    // Requests due this soon leave now, so one wake-up serves many targets; a request may leave this much early.
    private static final long COALESCE_NANOS = 1_000_000;
    // A new batch waits at most this long for the thread's next wake-up before it is woken on purpose.
    private static final long MAX_START_DELAY_NANOS = COALESCE_NANOS;
    private static final long AWAKE = Long.MIN_VALUE;
    private static final int EHOSTUNREACH = 113;
    private static final int ENETUNREACH = 101;
    private static final int ENETDOWN = 100;
    private static final int EHOSTDOWN = 112;
    private static final int EADDRNOTAVAIL = 99;
    private static final int EPERM = 1;
    private static final int EMSGSIZE = 90;

    private final IcmpSocket socket;
    private final Thread thread;
    private final Queue<EchoBatch> submitted = new ConcurrentLinkedQueue<>();
    // When the thread's current wait ends (System.nanoTime()), or AWAKE while it runs.
    private volatile long sleepingUntil = AWAKE;
    private final AtomicBoolean wakePending = new AtomicBoolean();
    private volatile boolean stopped;

    // Owned by the thread.
    private final BatchTimers timers = new BatchTimers();
    private final EchoBatch[] bySeq = new EchoBatch[SEQUENCES];
    private final int[] indexBySeq = new int[SEQUENCES];
    private int nextSeq = ThreadLocalRandom.current().nextInt(SEQUENCES);
    private int inFlight;
    private final IcmpPacket.Message message = new IcmpPacket.Message();
    private List<EchoBatch> finished = new ArrayList<>();

    private EchoChannel(IcmpSocket socket) {
        this.socket = socket;
        String name = "vantage-icmp-v" + (socket.v6 ? 6 : 4) + "-" + socket.mode.label() + "-ttl" + socket.ttl;
        // A platform thread: it spends its life blocked in ppoll(), which would pin a virtual thread's carrier.
        this.thread = Thread.ofPlatform().name(name).daemon().unstarted(this::loop);
    }

    /** Opens the socket (see {@link IcmpSocket#open}) and starts its thread. */
    static EchoChannel open(boolean v6, int ttl) throws ProbeException {
        EchoChannel channel = new EchoChannel(IcmpSocket.open(v6, ttl));
        channel.thread.start();
        return channel;
    }

    IcmpSocket.Mode mode() {
        return socket.mode;
    }

    boolean isRunning() {
        return thread.isAlive();
    }

    /**
     * Starts a batch: its first request leaves within about a millisecond. Does not block.
     *
     * @throws ProbeException of kind CANCELLED if the channel is closed
     */
    void submit(EchoBatch batch) throws ProbeException {
        if (stopped) {
            throw closedException();
        }
        submitted.add(batch);
        if (stopped) {
            failQueued(); // the thread may have ended before it saw the batch
            return;
        }
        long until = sleepingUntil;
        if (until != AWAKE && until - System.nanoTime() > MAX_START_DELAY_NANOS && wakePending.compareAndSet(false, true)) {
            socket.wake();
        }
    }

    private void loop() {
        try {
            int events = 0;
            while (true) {
                sleepingUntil = AWAKE;
                wakePending.set(false);
                long now = System.nanoTime();
                if ((events & LibC.POLLERR) != 0) {
                    drain(true);
                }
                // read before expiring anything: what the kernel queued by now is in time
                boolean caughtUp = drain(false);
                accept(now);
                long next = runDue(now, caughtUp);
                if (!caughtUp) {
                    next = now; // more to read: come straight back
                }
                long wait = next == Long.MAX_VALUE ? -1 : Math.max(0, next - System.nanoTime());
                sleepingUntil = wait < 0 ? Long.MAX_VALUE : now + wait;
                if (!submitted.isEmpty()) {
                    wait = 0; // a batch came in after accept() and may not have woken us
                }
                handOff();
                if ((events = socket.awaitReadable(wait)) < 0) {
                    return;
                }
            }
        } catch (RuntimeException | Error e) {
            LOG.log(System.Logger.Level.ERROR, "the ICMP channel's thread failed; closing the channel", e);
        } finally {
            stopped = true;
            socket.release();
            handOff();
            failAll();
        }
    }

    private void accept(long now) {
        EchoBatch b;
        while ((b = submitted.poll()) != null) {
            b.nextEvent = now;
            timers.add(b);
        }
    }

    /**
     * Sends what is due and, if every queued message has been read ({@code caughtUp}), expires what has passed its
     * deadline; returns when the next event is due.
     */
    private long runDue(long now, boolean caughtUp) {
        EchoBatch b;
        while ((b = timers.peek()) != null) {
            long early = b.waiting ? 0 : COALESCE_NANOS; // never expire early
            if ((b.nextEvent - now > early || (b.waiting && !caughtUp)) && !b.abandoned()) {
                return b.nextEvent; // not due, or replies to it may still wait in the socket
            }
            timers.remove(b);
            if (b.abandoned() || b.waiting) {
                finish(b);
                continue;
            }
            send(b);
            // spacing counts from when this request really left: after a late wake-up the rest of the batch
            // keeps its interval instead of leaving in a burst
            long due = Math.max(b.nextEvent, now) + b.intervalNanos;
            // another request only if its reply could still make the deadline
            if (b.sent < b.count && b.failure == null && due < b.deadline) {
                b.nextEvent = due;
            } else {
                b.waiting = true;
                b.nextEvent = b.deadline;
            }
            if (b.allSettled()) {
                finish(b);
            } else {
                timers.add(b);
            }
        }
        return Long.MAX_VALUE;
    }

    private void send(EchoBatch b) {
        int seq = freeSeq();
        if (seq < 0) {
            b.failure = new ProbeException(ErrorKind.INTERNAL, "all " + SEQUENCES
                    + " ICMP sequence numbers of this socket are in flight; lower the probe rate");
            return;
        }
        int errno = socket.send(b, seq);
        if (errno != 0) {
            b.failure = sendFailure(errno, b);
            return;
        }
        int i = b.sent++;
        b.seqs[i] = seq;
        b.txNanoTime[i] = socket.txNanoTime;
        b.txRealtimeNanos[i] = socket.txRealtimeNanos;
        bySeq[seq] = b;
        indexBySeq[seq] = i;
        inFlight++;
    }

    private int freeSeq() {
        if (inFlight >= SEQUENCES) {
            return -1;
        }
        while (bySeq[nextSeq] != null) {
            nextSeq = (nextSeq + 1) & (SEQUENCES - 1);
        }
        int seq = nextSeq;
        nextSeq = (nextSeq + 1) & (SEQUENCES - 1);
        return seq;
    }

    /**
     * Completes the batches finished in this round on a virtual thread: completion runs the probe's result building
     * and the engine's bookkeeping, which would otherwise hold this thread back from sending and reading.
     */
    private void handOff() {
        if (finished.isEmpty()) {
            return;
        }
        List<EchoBatch> done = finished;
        finished = new ArrayList<>();
        Thread.ofVirtual().name("vantage-icmp-complete").start(() -> {
            for (EchoBatch b : done) {
                b.complete(b);
            }
        });
    }

    /** Frees the batch's sequence numbers and timer; it is completed at the end of this round. */
    private void finish(EchoBatch b) {
        timers.remove(b);
        for (int i = 0; i < b.sent; i++) {
            int seq = b.seqs[i];
            if (bySeq[seq] == b) {
                bySeq[seq] = null;
                inFlight--;
            }
        }
        finished.add(b);
    }

    private static ProbeException sendFailure(int errno, EchoBatch b) {
        ErrorKind kind = switch (errno) {
            case EHOSTUNREACH, ENETUNREACH, ENETDOWN, EHOSTDOWN, EADDRNOTAVAIL -> ErrorKind.UNREACHABLE;
            case LibC.EACCES, EPERM, EMSGSIZE -> ErrorKind.CONFIG; // broadcast address, firewall, oversized packet
            case LibC.EBADF -> ErrorKind.CANCELLED;
            default -> ErrorKind.INTERNAL;
        };
        return kind == ErrorKind.CANCELLED ? closedException()
                : new ProbeException(kind, "cannot send to " + b.destination.getHostAddress() + ": " + LibC.describe(errno));
    }

    private static ProbeException closedException() {
        return new ProbeException(ErrorKind.CANCELLED, "the ICMP socket was closed");
    }

    /** Reads up to DRAIN_LIMIT messages; returns true if it read all there were. */
    private boolean drain(boolean errorQueue) {
        for (int i = 0; i < DRAIN_LIMIT; i++) {
            int length = socket.receive(errorQueue);
            if (length == -LibC.EAGAIN) {
                return true;
            }
            // Other errors are a ping socket reporting an ICMP error once more (it is in the error queue too).
            if (length >= 0) {
                try {
                    dispatch(errorQueue, length);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.ERROR, "dropping an ICMP message that could not be handled", e);
                }
            }
        }
        return false;
    }

    private void dispatch(boolean errorQueue, int length) {
        IcmpPacket.Message m = message;
        if (!errorQueue) {
            IcmpPacket.decode(socket.packet(), length, socket.v6, !socket.v6 && socket.mode == IcmpSocket.Mode.RAW, m);
        } else if (socket.rxErrorType >= 0) {
            IcmpPacket.decodeQueuedError(socket.packet(), length, socket.v6, socket.rxErrorType, socket.rxErrorCode,
                    m);
        } else {
            return; // a local error (e.g. EMSGSIZE), already reported by sendto
        }
        if (m.kind == IcmpPacket.NONE || m.id != socket.identifier) {
            return;
        }
        EchoBatch b = bySeq[m.seq];
        if (b == null || !socket.addressMatches(b, m.originalDestination)) {
            return; // late, foreign, or for a sequence number already reused
        }
        int i = indexBySeq[m.seq];
        bySeq[m.seq] = null;
        inFlight--;
        b.settled++;
        if (m.kind == IcmpPacket.REPLY) {
            long jvmRtt = socket.rxNanoTime - b.txNanoTime[i];
            long kernelRtt = socket.rxKernelNanos - b.txRealtimeNanos[i];
            // both ends CLOCK_REALTIME: excludes the time the reply waited for this thread; implausible (no kernel
            // time, or the wall clock stepped) when outside the JVM-measured interval
            if (socket.rxKernelNanos != 0 && kernelRtt >= 0 && kernelRtt <= jvmRtt) {
                b.rttNanos[i] = kernelRtt;
            } else {
                b.rttNanos[i] = Math.max(0, jvmRtt);
                b.jvmTimestamps = true;
            }
        } else if (b.icmpError == null) {
            b.icmpError = IcmpPacket.describeError(socket.v6, m.type, m.code) + " from " + socket.errorSender();
        }
        if (b.allSettled()) {
            finish(b);
        }
    }

    private void failQueued() {
        EchoBatch b;
        while ((b = submitted.poll()) != null) {
            b.completeExceptionally(closedException());
        }
    }

    private void failAll() {
        ProbeException closed = closedException();
        for (EchoBatch b : timers.clear()) {
            b.completeExceptionally(closed);
        }
        failQueued();
    }

    /** Closes the socket; batches not yet complete fail with a CANCELLED ProbeException. */
    @Override
    public void close() {
        stopped = true;
        socket.shutdown();
        try {
            thread.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
