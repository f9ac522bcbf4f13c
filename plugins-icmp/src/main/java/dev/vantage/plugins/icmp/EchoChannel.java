package dev.vantage.plugins.icmp;

import dev.vantage.probe.spi.ErrorKind;
import dev.vantage.probe.spi.ProbeException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * One ICMP socket shared by every target of a family and TTL, with the single thread that receives for it.
 * Requests in flight sit in a table indexed by sequence number; a sequence number is only handed out while its
 * slot is free, so concurrent targets never collide. The receiving thread matches each reply (or ICMP error) by
 * identifier, sequence number and address, and completes the request's future.
 *
 * <p>A socket per target would be simpler, but then every socket sees (and must discard) every reply, which is
 * what makes per-target pingers report false loss at a thousand targets.
 */
final class EchoChannel implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(EchoChannel.class.getName());
    private static final int SEQUENCES = 1 << 16;
    // Messages read per wake-up before polling again; keeps the error queue from being starved.
    private static final int DRAIN_LIMIT = 1024;
    // Even when idle, look at the socket this often so that awaitCaughtUp() returns soon after its instant.
    private static final int HEARTBEAT_MILLIS = 5;
    private static final int EHOSTUNREACH = 113;
    private static final int ENETUNREACH = 101;
    private static final int ENETDOWN = 100;
    private static final int EHOSTDOWN = 112;
    private static final int EADDRNOTAVAIL = 99;
    private static final int EPERM = 1;
    private static final int EMSGSIZE = 90;

    private final IcmpSocket socket;
    private final AtomicReferenceArray<PendingEcho> inFlight = new AtomicReferenceArray<>(SEQUENCES);
    private final AtomicInteger nextSeq = new AtomicInteger(ThreadLocalRandom.current().nextInt(SEQUENCES));
    private final IcmpPacket.Message message = new IcmpPacket.Message(); // receiving thread only
    private final Thread receiver;
    // When the receiving thread last found the socket empty: every message queued before then has been handled.
    private volatile long caughtUpAt = System.nanoTime();
    private final AtomicInteger catchUpWaiters = new AtomicInteger();
    private final Object catchUp = new Object();

    private EchoChannel(IcmpSocket socket) {
        this.socket = socket;
        String name = "vantage-icmp-v" + (socket.v6 ? 6 : 4) + "-" + socket.mode.label() + "-ttl" + socket.ttl;
        // A platform thread: it spends its life blocked in poll(), which would pin a virtual thread's carrier.
        this.receiver = Thread.ofPlatform().name(name).daemon().unstarted(this::receiveLoop);
    }

    /** Opens the socket (see {@link IcmpSocket#open}) and starts its receiving thread. */
    static EchoChannel open(boolean v6, int ttl) throws ProbeException {
        EchoChannel channel = new EchoChannel(IcmpSocket.open(v6, ttl));
        channel.receiver.start();
        return channel;
    }

    IcmpSocket.Mode mode() {
        return socket.mode;
    }

    boolean isReceiving() {
        return receiver.isAlive();
    }

    /**
     * Sends one echo request with {@code payloadSize} payload bytes.
     *
     * @return the request; the receiving thread completes it with the reply or ICMP error. Call
     *         {@link #forget(PendingEcho)} if you stop waiting for it.
     * @throws ProbeException if the kernel refused to send it (no route, not permitted, closed)
     */
    PendingEcho send(InetAddress destination, int payloadSize) throws ProbeException {
        PendingEcho request = new PendingEcho(destination);
        int seq = register(request);
        int errno = socket.send(request, seq, payloadSize);
        if (errno != 0) {
            forget(request);
            throw sendFailure(errno, destination);
        }
        return request;
    }

    /** Frees the request's sequence number and cancels its future; harmless if it has completed already. */
    void forget(PendingEcho request) {
        if (request.seq >= 0) {
            inFlight.compareAndSet(request.seq, request, null);
        }
        request.cancel(false);
    }

    /**
     * Waits until the receiving thread has handled every message that reached the socket before {@code instant}
     * (a {@link System#nanoTime()} value), or until {@code limit}. A reply the kernel received in time may still
     * sit in the socket's queue when the receiving thread is short of CPU; this tells "late" from "not yet read".
     */
    void awaitCaughtUp(long instant, long limit) throws InterruptedException {
        if (caughtUpAt - instant >= 0) {
            return;
        }
        catchUpWaiters.incrementAndGet();
        try {
            synchronized (catchUp) {
                long wait;
                while (caughtUpAt - instant < 0 && (wait = limit - System.nanoTime()) > 0) {
                    TimeUnit.NANOSECONDS.timedWait(catchUp, wait);
                }
            }
        } finally {
            catchUpWaiters.decrementAndGet();
        }
    }

    private void caughtUp(long instant) {
        caughtUpAt = instant;
        if (catchUpWaiters.get() > 0) {
            synchronized (catchUp) {
                catchUp.notifyAll();
            }
        }
    }

    private int register(PendingEcho request) throws ProbeException {
        for (int i = 0; i < SEQUENCES; i++) {
            int seq = nextSeq.getAndIncrement() & (SEQUENCES - 1);
            request.seq = seq;
            if (inFlight.compareAndSet(seq, null, request)) {
                return seq;
            }
        }
        request.seq = -1;
        throw new ProbeException(ErrorKind.INTERNAL,
                "all " + SEQUENCES + " ICMP sequence numbers of this socket are in flight; lower the probe rate");
    }

    private static ProbeException sendFailure(int errno, InetAddress destination) {
        String message = "cannot send to " + destination.getHostAddress() + ": " + LibC.describe(errno);
        ErrorKind kind = switch (errno) {
            case EHOSTUNREACH, ENETUNREACH, ENETDOWN, EHOSTDOWN, EADDRNOTAVAIL -> ErrorKind.UNREACHABLE;
            case LibC.EACCES, EPERM, EMSGSIZE -> ErrorKind.CONFIG; // broadcast address, firewall, oversized packet
            case LibC.EBADF -> ErrorKind.CANCELLED;
            default -> ErrorKind.INTERNAL;
        };
        return new ProbeException(kind, kind == ErrorKind.CANCELLED ? "the ICMP socket was closed" : message);
    }

    private void receiveLoop() {
        try {
            int events;
            while ((events = socket.awaitReadable(HEARTBEAT_MILLIS)) >= 0) {
                if ((events & LibC.POLLERR) != 0) {
                    drain(true);
                }
                drain(false);
            }
        } finally {
            socket.release();
            failAll();
        }
    }

    private void drain(boolean errorQueue) {
        for (int i = 0; i < DRAIN_LIMIT; i++) {
            long before = System.nanoTime();
            int length = socket.receive(errorQueue);
            if (length == -LibC.EAGAIN) {
                if (!errorQueue) {
                    caughtUp(before);
                }
                return;
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
        PendingEcho request = inFlight.get(m.seq);
        if (request == null || !socket.addressMatches(request, m.originalDestination)) {
            return; // late, foreign, or for a sequence number already reused
        }
        EchoReply reply = m.kind == IcmpPacket.REPLY
                ? new EchoReply(socket.rxKernelNanos, socket.rxNanoTime, null)
                : new EchoReply(0, socket.rxNanoTime,
                        IcmpPacket.describeError(socket.v6, m.type, m.code) + " from " + socket.errorSender());
        if (inFlight.compareAndSet(m.seq, request, null)) {
            request.complete(reply);
        }
    }

    private void failAll() {
        ProbeException closed = new ProbeException(ErrorKind.CANCELLED, "the ICMP socket was closed");
        for (int i = 0; i < SEQUENCES; i++) {
            PendingEcho request = inFlight.getAndSet(i, null);
            if (request != null) {
                request.completeExceptionally(closed);
            }
        }
    }

    /** Closes the socket; requests still in flight complete exceptionally with a CANCELLED ProbeException. */
    @Override
    public void close() {
        socket.shutdown();
        try {
            receiver.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
