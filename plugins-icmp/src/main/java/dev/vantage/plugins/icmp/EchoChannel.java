package dev.vantage.plugins.icmp;

import dev.vantage.probe.plugin.linux.IcmpTypes;
import dev.vantage.probe.plugin.linux.LibC;
import dev.vantage.probe.spi.ErrorKind;
import dev.vantage.probe.spi.ProbeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One ICMP socket shared by every target of a family and TTL, with two threads: one sends each {@link EchoBatch}'s
 * requests when they are due (one timer for all targets, like fping, instead of a sleeping thread per attempt), the
 * other reads replies, ICMP errors and the kernel's send timestamps, matches them by identifier, sequence number and
 * address (send timestamps by the kernel's counter), and completes a batch once every request is answered. A batch
 * whose deadline passes is expired by the receiving thread, and only after it has read everything the kernel queued
 * until then, so a reply that arrived in time but waited for a busy thread still counts.
 *
 * <p>Two threads, so that reading never waits behind {@code sendto} (on veth and loopback it runs the far side's
 * reply) or the timer round. One socket for all targets, because a socket per target sees, and must discard, every
 * reply. The measurements behind both: docs/benchmarks.md, "Design history".
 */
final class EchoChannel implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(EchoChannel.class.getName());
    private static final int SEQUENCES = 1 << 16;
    // Messages read per wake-up before polling again; keeps the error queue from being starved.
    private static final int DRAIN_LIMIT = 1024;
    // Requests due this soon leave now, so one wake-up serves many targets; a request may leave this much early.
    private static final long COALESCE_NANOS = 1_000_000;
    // After a busy pass (at least RECEIVE_BATCH_MIN messages) the receiver waits this long before it looks again:
    // replies carry the kernel's receive time, so reading them in batches saves wake-ups and costs no accuracy. A
    // quiet pass does not wait, which would lengthen every attempt. Why: docs/benchmarks.md, "Design history".
    private static final long RECEIVE_BATCH_NANOS = 1_000_000;
    private static final int RECEIVE_BATCH_MIN = 16;
    // A new batch waits at most this long for the sender's next wake-up before it is woken on purpose.
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
    private final Thread sender;
    private final Thread receiver;
    private final Queue<EchoBatch> submitted = new ConcurrentLinkedQueue<>();
    // Batches the sender is done with (past their deadline, or answered before it had recorded the last send), for
    // the receiver to finish once it has read what was queued until then.
    private final Queue<EchoBatch> toFinish = new ConcurrentLinkedQueue<>();
    // When the sender's current wait ends (System.nanoTime()), or AWAKE while it runs.
    private volatile long sleepingUntil = AWAKE;
    private final AtomicBoolean wakePending = new AtomicBoolean();
    private volatile boolean stopped;

    // One lock for the bookkeeping both threads touch: the sequence and send-timestamp tables, the timers, the
    // batches' fields and the finished list. Each hold is short (a table slot, a heap sift) and sendto/recvmsg run outside it, so the
    // threads rarely meet. A queue of matched replies to the sender would avoid the lock but route every completion
    // through the sending thread, the one that is slow when CPU is short. (Package-private: a test holds it to keep
    // the receiver busy.)
    final ReentrantLock lock = new ReentrantLock();
    private final BatchTimers timers = new BatchTimers(); // the sender's; finish() on the receiver removes from it
    private final EchoBatch[] bySeq = new EchoBatch[SEQUENCES];
    private final int[] indexBySeq = new int[SEQUENCES];
    // Requests by the low bits of their send-timestamp counter (IcmpSocket.nextTxKey).
    private final EchoBatch[] byTxKey = new EchoBatch[SEQUENCES];
    private final int[] indexByTxKey = new int[SEQUENCES];
    private int nextSeq = ThreadLocalRandom.current().nextInt(SEQUENCES);
    private int inFlight;
    private List<EchoBatch> finished = new ArrayList<>();

    // Owned by the receiver.
    private final IcmpPacket.Message message = new IcmpPacket.Message();
    private final List<EchoBatch> finishDue = new ArrayList<>();
    // Answered in full during this pass; finished at its end, once the send timestamps are read too.
    private final List<EchoBatch> settled = new ArrayList<>();
    private int readInPass;

    private EchoChannel(IcmpSocket socket) {
        this.socket = socket;
        String name = "vantage-icmp-v" + (socket.v6 ? 6 : 4) + "-" + socket.mode.label() + "-ttl" + socket.ttl;
        // Platform threads: they spend their lives parked or blocked in ppoll(), which would pin a virtual
        // thread's carrier.
        this.sender = Thread.ofPlatform().name(name + "-tx").daemon().unstarted(this::sendLoop);
        this.receiver = Thread.ofPlatform().name(name + "-rx").daemon().unstarted(this::receiveLoop);
    }

    /** Opens the socket (see {@link IcmpSocket#open}) and starts its threads. */
    static EchoChannel open(boolean v6, int ttl) throws ProbeException {
        EchoChannel channel = new EchoChannel(IcmpSocket.open(v6, ttl));
        channel.receiver.start();
        channel.sender.start();
        return channel;
    }

    IcmpSocket.Mode mode() {
        return socket.mode;
    }

    int identifier() {
        return socket.identifier;
    }

    /** True until the channel has stopped; the receiver is the last thread to end. */
    boolean isRunning() {
        return receiver.isAlive();
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
            failQueued(); // the threads may have ended before they saw the batch
            return;
        }
        long until = sleepingUntil;
        if (until != AWAKE && until - System.nanoTime() > MAX_START_DELAY_NANOS && wakePending.compareAndSet(false, true)) {
            LockSupport.unpark(sender);
        }
    }

    /** The sending thread: sends what is due, hands batches past their deadline to the receiver, sleeps. */
    private void sendLoop() {
        try {
            while (!stopped) {
                sleepingUntil = AWAKE;
                wakePending.set(false);
                long now = System.nanoTime();
                long next = runDue(now);
                handOff();
                sleepingUntil = next;
                if (!submitted.isEmpty() || stopped) {
                    continue; // a batch came in after runDue() and may not have woken us
                }
                if (next == Long.MAX_VALUE) {
                    LockSupport.park(this);
                } else {
                    LockSupport.parkNanos(this, next - System.nanoTime());
                }
            }
        } catch (RuntimeException | Error e) {
            LOG.log(System.Logger.Level.ERROR, "the ICMP channel's sending thread failed; closing the channel", e);
        } finally {
            stopped = true;
            socket.shutdown(); // wakes the receiver, which cleans up
        }
    }

    /**
     * Sends what is due and passes batches whose deadline has come to the receiver; returns when the next event is
     * due.
     */
    private long runDue(long now) {
        boolean handedOver = false;
        lock.lock();
        try {
            EchoBatch b;
            while ((b = submitted.poll()) != null) {
                b.nextEvent = now;
                timers.add(b);
            }
            while ((b = timers.peek()) != null) {
                long early = b.waiting ? 0 : COALESCE_NANOS; // never expire early
                if (b.nextEvent - now > early && !b.abandoned()) {
                    return b.nextEvent;
                }
                timers.remove(b);
                if (b.abandoned()) {
                    finish(b);
                } else if (b.waiting) {
                    toFinish.add(b); // replies to it may still wait in the socket: the receiver decides
                    handedOver = true;
                } else {
                    handedOver |= send(b, now);
                }
            }
            return Long.MAX_VALUE;
        } finally {
            lock.unlock();
            if (handedOver) {
                socket.wake();
            }
        }
    }

    /**
     * Sends b's next request; called and returns with the lock held, but releases it during sendto. Returns true if
     * it handed the batch to the receiver.
     */
    private boolean send(EchoBatch b, long now) {
        int seq = freeSeq();
        if (seq < 0) {
            b.failure = new ProbeException(ErrorKind.INTERNAL, "all " + SEQUENCES
                    + " ICMP sequence numbers of this socket are in flight; lower the probe rate");
        } else {
            // registered before sendto: on veth and loopback the reply can be read before sendto returns
            int i = b.sent;
            b.seqs[i] = seq;
            bySeq[seq] = b;
            indexBySeq[seq] = i;
            inFlight++;
            // registered before sendto too: the send timestamp can also be read first (a request that leaves
            // on the second try, after a failed one restarted the counter, keeps the clock read before sendto)
            int txSlot = socket.nextTxKey & (SEQUENCES - 1);
            if (socket.txTimestamps) {
                b.txKey[i] = socket.nextTxKey;
                byTxKey[txSlot] = b;
                indexByTxKey[txSlot] = i;
            }
            int errno;
            lock.unlock();
            try {
                errno = socket.send(b, seq);
            } finally {
                lock.lock();
            }
            if (errno == 0) {
                b.txNanoTime[i] = socket.txNanoTime;
                b.txRealtimeNanos[i] = socket.txRealtimeNanos;
                b.txAfterRealtimeNanos[i] = socket.txAfterRealtimeNanos;
                b.sent++;
            } else {
                b.failure = sendFailure(errno, b);
                if (bySeq[seq] == b) {
                    release(seq);
                }
                if (byTxKey[txSlot] == b) {
                    byTxKey[txSlot] = null;
                }
            }
        }
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
            // answered while we were in sendto: the receiver finishes it once it has read the send timestamp too
            toFinish.add(b);
            return true;
        }
        timers.add(b);
        return false;
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

    private void release(int seq) {
        bySeq[seq] = null;
        inFlight--;
    }

    /**
     * The receiving thread: reads what the kernel queued, completes the batches it settles, and expires the batches
     * the sender passed on once it has caught up. It also cleans up when the channel stops.
     */
    private void receiveLoop() {
        try {
            int events = 0;
            while (true) {
                // Taken before reading: each was past its deadline (or answered) when the sender queued it, so a
                // drain that starts after this line and reads until nothing is left has read all that came in time.
                EchoBatch b;
                while ((b = toFinish.poll()) != null) {
                    finishDue.add(b);
                }
                readInPass = 0;
                boolean caughtUp = drain(false);
                // After the replies: the send timestamps of their requests (queued before the replies came to be),
                // ICMP errors of a ping socket, and before expiring any error that came in time.
                if (socket.txTimestamps || (events & LibC.POLLERR) != 0 || !finishDue.isEmpty()) {
                    caughtUp &= drain(true);
                }
                finishSettled(caughtUp);
                handOff();
                if (caughtUp && readInPass >= RECEIVE_BATCH_MIN) {
                    LockSupport.parkNanos(RECEIVE_BATCH_NANOS);
                }
                // not caught up: only look for errors and shutdown, then read on
                if ((events = socket.awaitReadable(caughtUp ? -1 : 0)) < 0) {
                    return;
                }
            }
        } catch (RuntimeException | Error e) {
            LOG.log(System.Logger.Level.ERROR, "the ICMP channel's receiving thread failed; closing the channel", e);
        } finally {
            stop();
        }
    }

    /**
     * Finishes the batches answered in this pass or handed over by the sender and, once caught up, those past their
     * deadline.
     */
    private void finishSettled(boolean caughtUp) {
        lock.lock();
        try {
            for (EchoBatch b : settled) {
                finish(b);
            }
            finishDue.removeIf(b -> {
                if (!caughtUp && !b.allSettled()) {
                    return false; // past its deadline: not before everything queued until then is read
                }
                finish(b);
                return true;
            });
        } finally {
            lock.unlock();
        }
        settled.clear();
    }

    /** Ends the sender, then releases the socket and fails what is left. On the receiver, as it ends. */
    private void stop() {
        stopped = true;
        LockSupport.unpark(sender);
        boolean interrupted = false;
        while (sender.isAlive()) {
            try {
                sender.join(); // it may be inside sendto: the descriptor must outlive that call
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        socket.release();
        handOff();
        failAll();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Completes the batches finished so far on a virtual thread: completion runs the probe's result building and
     * the engine's bookkeeping, which would otherwise hold the channel's threads back from sending and reading.
     */
    private void handOff() {
        List<EchoBatch> done;
        lock.lock();
        try {
            if (finished.isEmpty()) {
                return;
            }
            done = finished;
            finished = new ArrayList<>();
        } finally {
            lock.unlock();
        }
        Thread.ofVirtual().name("vantage-icmp-complete").start(() -> {
            for (EchoBatch b : done) {
                b.complete(b);
            }
        });
    }

    /** Frees the batch's sequence numbers and timer; it is completed at the next hand-off. With the lock held. */
    private void finish(EchoBatch b) {
        if (b.done) {
            return; // settled by a reply after the sender queued it for expiry
        }
        b.done = true;
        timers.remove(b);
        for (int i = 0; i < b.sent; i++) {
            int seq = b.seqs[i];
            if (bySeq[seq] == b) {
                release(seq);
            }
            int txSlot = b.txKey[i] & (SEQUENCES - 1);
            if (byTxKey[txSlot] == b) {
                byTxKey[txSlot] = null;
            }
        }
        b.settleRoundTrips();
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
                readInPass++;
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
        } else if (socket.rxTxKey >= 0) {
            recordSendTime(socket.rxTxKey, socket.rxTxKernelNanos);
            return;
        } else if (socket.rxErrorType >= 0) {
            IcmpPacket.decodeQueuedError(socket.packet(), length, socket.v6, socket.rxErrorType, socket.rxErrorCode,
                    m);
        } else {
            return; // a local error (e.g. EMSGSIZE), already reported by sendto
        }
        if (m.kind == IcmpPacket.NONE || m.id != socket.identifier) {
            return;
        }
        lock.lock();
        try {
            EchoBatch b = bySeq[m.seq];
            if (b == null || !socket.addressMatches(b, m.originalDestination)) {
                return; // late, foreign, or for a sequence number already reused
            }
            int i = indexBySeq[m.seq];
            release(m.seq);
            b.settled++;
            if (m.kind == IcmpPacket.REPLY) {
                b.replied(i, socket.rxKernelNanos, socket.rxNanoTime);
            } else if (b.icmpError == null) {
                b.icmpError = IcmpTypes.describeError(socket.v6, m.type, m.code) + " from " + socket.errorSender();
            }
            if (b.allSettled()) {
                settled.add(b);
            }
        } finally {
            lock.unlock();
        }
    }

    private void recordSendTime(long key, long kernelNanos) {
        lock.lock();
        try {
            int slot = (int) key & (SEQUENCES - 1);
            EchoBatch b = byTxKey[slot];
            int i = indexByTxKey[slot];
            if (b != null && !b.done && b.txKey[i] == (int) key) {
                b.txKernelNanos[i] = kernelNanos;
            }
        } finally {
            lock.unlock();
        }
    }

    private void failQueued() {
        EchoBatch b;
        while ((b = submitted.poll()) != null) {
            b.completeExceptionally(closedException());
        }
    }

    /** Fails every batch left once both threads have stopped. */
    private void failAll() {
        ProbeException closed = closedException();
        lock.lock();
        try {
            List<EchoBatch> left = new ArrayList<>(List.of(timers.clear()));
            left.addAll(finishDue);
            left.addAll(toFinish);
            left.addAll(settled);
            for (EchoBatch b : left) {
                if (!b.done) { // a done batch is being completed normally
                    b.completeExceptionally(closed);
                }
            }
        } finally {
            lock.unlock();
        }
        failQueued();
    }

    /** Closes the socket; batches not yet complete fail with a CANCELLED ProbeException. */
    @Override
    public void close() {
        stopped = true;
        socket.shutdown();
        LockSupport.unpark(sender);
        try {
            receiver.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
