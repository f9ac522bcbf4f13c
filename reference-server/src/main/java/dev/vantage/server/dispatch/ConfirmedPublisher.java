package dev.vantage.server.dispatch;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoveryListener;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;

/**
 * Publishes persistent messages to one queue with publisher confirms: a publish's future completes when the broker
 * has the message (for a quorum queue: written on a majority), and fails on a nack or when no confirm came within
 * the timeout. The JDK client does not re-publish on its own: messages unconfirmed when the connection drops are
 * published again once it has recovered (they may arrive twice; consumers are idempotent), unless they time out
 * first, in which case the caller's sender keeps them (the agent's spool).
 *
 * <p>{@code confirms = false} exists for the fault test's control run only: a publish "succeeds" as soon as the
 * client wrote it, which is how messages get lost.
 */
final class ConfirmedPublisher implements ConfirmListener {
    private final Channel channel;
    private final String queue;
    private final Duration timeout;
    private final boolean confirms;
    private final Executor completions;
    private final Object lock = new Object();
    /** Published, awaiting a confirm, by sequence number on the current channel. */
    private final NavigableMap<Long, Pending> pending = new ConcurrentSkipListMap<>();
    /** Waiting for the connection to come back (guarded by lock). */
    private final List<Pending> held = new ArrayList<>();
    private boolean broken; // guarded by lock

    private record Pending(AMQP.BasicProperties props, byte[] body, CompletableFuture<Void> done, long deadline) {
    }

    ConfirmedPublisher(Channel channel, String queue, Duration timeout, boolean confirms, Executor completions)
            throws IOException {
        this.channel = channel;
        this.queue = queue;
        this.timeout = timeout;
        this.confirms = confirms;
        this.completions = completions;
        if (confirms) {
            channel.confirmSelect();
            channel.addConfirmListener(this);
        }
        channel.addShutdownListener(this::lost);
        if (channel instanceof Recoverable r) {
            r.addRecoveryListener(new RecoveryListener() {
                @Override
                public void handleRecovery(Recoverable recoverable) {
                    recovered();
                }

                @Override
                public void handleRecoveryStarted(Recoverable recoverable) {
                }
            });
        }
    }

    /** Publishes {@code body}; the future completes on the broker's confirm. */
    CompletableFuture<Void> publish(AMQP.BasicProperties props, byte[] body) {
        if (!confirms) {
            // fire and forget: "sent" once the client took it, as a publisher without confirms would report
            try {
                synchronized (lock) {
                    channel.basicPublish("", queue, props, body);
                }
                return CompletableFuture.completedFuture(null);
            } catch (IOException | RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        Pending p = new Pending(props, body, new CompletableFuture<>(), System.nanoTime() + timeout.toNanos());
        synchronized (lock) {
            if (broken) {
                held.add(p);
            } else {
                send(p);
            }
        }
        return p.done;
    }

    /** Under lock: sequence number and publish must not interleave with another thread's. */
    private void send(Pending p) {
        long seq = channel.getNextPublishSeqNo();
        pending.put(seq, p);
        try {
            channel.basicPublish("", queue, p.props, p.body);
        } catch (IOException | RuntimeException e) {
            // the connection is going: hold it for the recovery, or the timeout
            pending.remove(seq);
            held.add(p);
        }
    }

    @Override
    public void handleAck(long seq, boolean multiple) {
        settle(seq, multiple, null);
    }

    @Override
    public void handleNack(long seq, boolean multiple) {
        settle(seq, multiple, new IOException("the broker refused the message (nack)"));
    }

    private void settle(long seq, boolean multiple, Exception failure) {
        List<Pending> done = new ArrayList<>();
        if (multiple) {
            Map<Long, Pending> head = pending.headMap(seq, true);
            done.addAll(head.values());
            head.clear();
        } else {
            Pending p = pending.remove(seq);
            if (p != null) {
                done.add(p);
            }
        }
        // completions run elsewhere: whoever waits may block (a WebSocket send), and this is the connection's thread
        for (Pending p : done) {
            completions.execute(() -> {
                if (failure == null) {
                    p.done.complete(null);
                } else {
                    p.done.completeExceptionally(failure);
                }
            });
        }
    }

    /** The channel closed: what was unconfirmed may or may not be on the broker; publish it again after recovery. */
    private void lost(ShutdownSignalException cause) {
        synchronized (lock) {
            broken = true;
            held.addAll(pending.values());
            pending.clear();
        }
    }

    private void recovered() {
        synchronized (lock) {
            broken = false;
            List<Pending> again = new ArrayList<>(held);
            held.clear();
            for (Pending p : again) {
                if (!p.done.isDone()) {
                    send(p);
                }
            }
        }
    }

    /** Fails what waited longer than the timeout; called periodically. */
    void expire() {
        long now = System.nanoTime();
        List<Pending> late = new ArrayList<>();
        synchronized (lock) {
            pending.values().removeIf(p -> now > p.deadline && late.add(p));
            held.removeIf(p -> now > p.deadline && late.add(p));
        }
        TimeoutException e = new TimeoutException("no publisher confirm within " + timeout.toMillis() + " ms");
        late.forEach(p -> p.done.completeExceptionally(e));
    }

    /** Messages published or held and not yet confirmed. */
    int unconfirmed() {
        synchronized (lock) {
            return pending.size() + held.size();
        }
    }
}
