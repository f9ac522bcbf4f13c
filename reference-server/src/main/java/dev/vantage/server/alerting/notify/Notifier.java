package dev.vantage.server.alerting.notify;

import dev.vantage.probe.engine.AddressPolicy;
import dev.vantage.server.alerting.channels.Channel;
import dev.vantage.server.alerting.channels.ChannelContext;
import dev.vantage.server.alerting.channels.Templates;
import dev.vantage.server.alerting.channels.ChannelTypes;
import dev.vantage.server.alerting.channels.DeliveryException;
import dev.vantage.server.alerting.channels.Notification;
import dev.vantage.server.alerting.incidents.NotificationQueue;
import dev.vantage.server.errors.Message;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the queued notifications: claims what is due (every replica does, each row is sent by the one that claims
 * it), sends each on a virtual thread of its own, and records the outcome; a failure that may pass is tried again
 * with growing pauses, up to {@link #BACKOFF}'s length. Outcomes are recorded on a thread of their own, those that
 * finished meanwhile together (a replica dying before they are recorded leaves them to be sent again once the claim
 * lapses: sent twice, never lost).
 */
public final class Notifier implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Notifier.class);
    /** The pause before each retry; after the last one a notification is given up as failed. */
    static final List<Duration> BACKOFF = List.of(Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(1),
            Duration.ofMinutes(5), Duration.ofMinutes(15), Duration.ofMinutes(30));
    /** Longer than any channel's timeouts: a claim that lapses means its replica died. */
    private static final Duration LEASE = Duration.ofMinutes(2);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final int MAX_CAUSED = 10_000;

    private record Made(long revision, Channel channel) {
    }

    /** What a message needs besides the incident: names, and the link to the UI. */
    public interface Names {
        String rule(String ruleId);

        String task(String taskId);

        String target(String taskId);

        String agent(String agentId);
    }

    private final NotificationQueue queue;
    private final ChannelStore channels;
    private final Names names;
    private final String publicUrl;
    private final AddressPolicy outbound;
    private final String replica;
    private final Clock clock;
    private final Semaphore sending = new Semaphore(32);
    /** Released by {@link #queued}; drained before each claim, so a wake-up during a claim is not lost. */
    private final Semaphore woken = new Semaphore(0);
    /** Timeline entries caused by a stored result, not yet handed to a channel: entry id → the result's nanoTime. */
    private final Map<String, Long> caused = new ConcurrentHashMap<>();
    /** Channels made from their stored settings, by id, while that revision is current: a channel keeps its connections. */
    private final Map<String, Made> made = new ConcurrentHashMap<>();
    /** Outcomes not yet recorded, and the one thread recording them. */
    private final Queue<NotificationQueue.Outcome> outcomes = new ConcurrentLinkedQueue<>();
    private final ExecutorService recorder = Executors.newSingleThreadExecutor(
            Thread.ofVirtual().name("notify-recorder").factory());
    private final Counter delivered;
    private final Counter failed;
    private final Timer sendTimer;
    private final Timer latency;
    private final Thread thread;
    private volatile boolean closed;

    public Notifier(NotificationQueue queue, ChannelStore channels, Names names, String publicUrl, AddressPolicy outbound,
                    String replica, Clock clock, MeterRegistry registry) {
        this.queue = queue;
        this.channels = channels;
        this.names = names;
        this.publicUrl = publicUrl;
        this.outbound = outbound;
        this.replica = replica;
        this.clock = clock;
        this.delivered = Counter.builder("vantage.notifications").tag("outcome", "delivered").register(registry);
        this.failed = Counter.builder("vantage.notifications").tag("outcome", "failed").register(registry);
        this.sendTimer = Timer.builder("vantage.notifications.send").description("Sending one notification").register(registry);
        this.latency = Timer.builder("vantage.notifications.latency")
                .description("From a result reaching alerting once stored to the notification it caused being handed to"
                        + " its first channel (on the replica that judged it)")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofMinutes(1)).register(registry);
        this.thread = Thread.ofVirtual().name("notifier").start(this::run);
    }

    /**
     * The notifications of timeline entry {@code eventId} were queued: look now; {@code resultNanos} is when the result
     * that caused it reached alerting ({@link System#nanoTime()}, 0 if none did), for the latency metric.
     */
    public void queued(String eventId, long resultNanos) {
        if (resultNanos != 0) {
            if (caused.size() >= MAX_CAUSED) {
                // entries sent by another replica are never removed here: drop those older than a claim's lease
                long limit = System.nanoTime() - LEASE.toNanos();
                caused.values().removeIf(nanos -> nanos - limit < 0);
            }
            if (caused.size() < MAX_CAUSED) {
                caused.put(eventId, resultNanos);
            }
        }
        woken.release(); // look now rather than at the next poll
    }

    private void run() {
        while (!closed) {
            try {
                woken.drainPermits();
                int free = sending.availablePermits();
                List<NotificationQueue.Due> due = free == 0 ? List.of() : queue.claim(replica, LEASE, free);
                for (NotificationQueue.Due d : due) {
                    sending.acquire();
                    Thread.ofVirtual().name("notify-" + d.channelId()).start(() -> {
                        try {
                            send(d);
                        } finally {
                            sending.release();
                        }
                    });
                }
                if (due.isEmpty()) {
                    woken.tryAcquire(POLL.toMillis(), TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                if (closed) {
                    return; // stopping: the claim was cut short, not failed
                }
                LOG.warn("notifications: claiming failed, trying again shortly: {}", e.toString());
                sleepQuietly();
            }
        }
    }

    private void send(NotificationQueue.Due d) {
        long start = System.nanoTime();
        Long caused = this.caused.remove(d.event().id()); // measured for the first channel only
        try {
            ChannelStore.StoredChannel stored = channels.find(d.channelId()).orElse(null);
            if (stored == null || !stored.enabled()) {
                outcome(NotificationQueue.Outcome.failed(d.id(), 0, Message.of(stored == null ? "delivery.channelDeleted"
                        : "delivery.channelDisabled"), null, clock.instant()));
                failed.increment();
                return;
            }
            Made m = made.get(stored.id());
            if (m == null || m.revision() != stored.revision()) {
                m = new Made(stored.revision(), channel(stored));
                made.put(stored.id(), m);
            }
            Channel channel = m.channel();
            Notification notification = notification(d, Locale.forLanguageTag(stored.language()));
            if (caused != null) {
                latency.record(System.nanoTime() - caused, TimeUnit.NANOSECONDS);
            }
            Channel.Delivery delivery = channel.send(notification);
            outcome(NotificationQueue.Outcome.delivered(d.id(), delivery.code(), clock.instant()));
            delivered.increment();
        } catch (DeliveryException e) {
            Instant retry = e.retryable() && d.attempts() < BACKOFF.size() ? clock.instant().plus(BACKOFF.get(d.attempts())) : null;
            outcome(NotificationQueue.Outcome.failed(d.id(), e.code(), e.text(), retry, clock.instant()));
            if (retry == null) {
                failed.increment();
            }
            LOG.info("notification {} to channel {}: {}{}", d.id(), d.channelId(), e.getMessage(),
                    retry == null ? " (given up)" : " (again at " + retry + ")");
        } catch (RuntimeException e) {
            // a broken channel must not stop the others; the claim lapses and it is tried again
            LOG.warn("notification {} to channel {} failed", d.id(), d.channelId(), e);
        } finally {
            sendTimer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        }
    }

    private void outcome(NotificationQueue.Outcome o) {
        outcomes.add(o);
        try {
            recorder.execute(this::recordOutcomes);
        } catch (RejectedExecutionException closing) {
            // not recorded: the claim lapses and another replica (or this one, restarted) sends it again
        }
    }

    private void recordOutcomes() {
        List<NotificationQueue.Outcome> batch = new ArrayList<>();
        for (NotificationQueue.Outcome o = outcomes.poll(); o != null; o = outcomes.poll()) {
            batch.add(o);
        }
        if (batch.isEmpty()) {
            return;
        }
        try {
            queue.record(batch);
        } catch (RuntimeException e) {
            LOG.warn("notifications: {} outcomes not recorded, they are sent again once their claims lapse: {}",
                    batch.size(), e.toString());
        }
    }

    /** A channel made from stored settings (valid when stored). */
    public Channel channel(ChannelStore.StoredChannel stored) {
        return ChannelTypes.byId(stored.type()).orElseThrow(() -> new IllegalStateException("unknown type " + stored.type()))
                .create(stored.settings(), context(stored.language(), stored.templates()));
    }

    /** What a channel of this language and wording is given. */
    public ChannelContext context(String language, Templates templates) {
        return new ChannelContext(Locale.forLanguageTag(language), outbound, clock, templates);
    }

    /** The message of {@code d}, its summary in the channel's language. */
    private Notification notification(NotificationQueue.Due d, Locale language) {
        Notification.Kind kind = switch (d.event().kind()) {
            case "resolved" -> Notification.Kind.RESOLVED;
            case "reminder" -> Notification.Kind.REMINDER;
            default -> Notification.Kind.FIRING;
        };
        String taskId = d.incident().taskId();
        return new Notification(kind, d.incident().id(), names.rule(d.incident().ruleId()), names.task(taskId),
                names.target(taskId), d.event().at(), d.event().summary().in(language),
                d.event().badAgents().stream().map(names::agent).toList(), link(d.incident().id()));
    }

    /** The incident in the web UI. */
    public URI link(String incidentId) {
        return URI.create(publicUrl + "/incidents/" + incidentId);
    }

    private void sleepQuietly() {
        try {
            Thread.sleep(POLL.toMillis() * 5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        recorder.shutdown(); // outcomes already handed over are still recorded
        try {
            // before the database closes: a claim or a recording still running would only fail on it
            thread.join(Duration.ofSeconds(5));
            recorder.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
