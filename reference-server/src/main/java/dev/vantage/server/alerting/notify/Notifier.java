package dev.vantage.server.alerting.notify;

import dev.vantage.probe.engine.AddressPolicy;
import dev.vantage.server.alerting.channels.Channel;
import dev.vantage.server.alerting.channels.ChannelContext;
import dev.vantage.server.alerting.channels.Templates;
import dev.vantage.server.alerting.channels.ChannelTypes;
import dev.vantage.server.alerting.channels.DeliveryException;
import dev.vantage.server.alerting.channels.Notification;
import dev.vantage.server.alerting.incidents.NotificationQueue;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the queued notifications: claims what is due (every replica does, each row is sent by the one that claims
 * it), sends each on a virtual thread of its own, and records the outcome; a failure that may pass is tried again
 * with growing pauses, up to {@link #BACKOFF}'s length.
 */
public final class Notifier implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Notifier.class);
    /** The pause before each retry; after the last one a notification is given up as failed. */
    static final List<Duration> BACKOFF = List.of(Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(1),
            Duration.ofMinutes(5), Duration.ofMinutes(15), Duration.ofMinutes(30));
    /** Longer than any channel's timeouts: a claim that lapses means its replica died. */
    private static final Duration LEASE = Duration.ofMinutes(2);
    private static final Duration POLL = Duration.ofMillis(200);

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
    private final Object wake = new Object();
    private final Counter delivered;
    private final Counter failed;
    private final Timer sendTimer;
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
        this.thread = Thread.ofVirtual().name("notifier").start(this::run);
    }

    /** Something was queued: look now rather than at the next poll. */
    public void wake() {
        synchronized (wake) {
            wake.notifyAll();
        }
    }

    private void run() {
        while (!closed) {
            try {
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
                    synchronized (wake) {
                        wake.wait(POLL.toMillis());
                    }
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warn("notifications: claiming failed, trying again shortly: {}", e.toString());
                sleepQuietly();
            }
        }
    }

    private void send(NotificationQueue.Due d) {
        long start = System.nanoTime();
        try {
            ChannelStore.StoredChannel stored = channels.find(d.channelId()).orElse(null);
            if (stored == null || !stored.enabled()) {
                queue.failed(d.id(), 0, stored == null ? "the channel was deleted" : "the channel is disabled", null);
                failed.increment();
                return;
            }
            Channel.Delivery delivery = channel(stored).send(notification(d));
            queue.delivered(d.id(), delivery.code());
            delivered.increment();
        } catch (DeliveryException e) {
            Instant retry = e.retryable() && d.attempts() < BACKOFF.size() ? clock.instant().plus(BACKOFF.get(d.attempts())) : null;
            queue.failed(d.id(), e.code(), e.getMessage(), retry);
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

    /** A channel made from stored settings (valid when stored). */
    public Channel channel(ChannelStore.StoredChannel stored) {
        return ChannelTypes.byId(stored.type()).orElseThrow(() -> new IllegalStateException("unknown type " + stored.type()))
                .create(stored.settings(), context(stored.language(), stored.templates()));
    }

    /** What a channel of this language and wording is given. */
    public ChannelContext context(String language, Templates templates) {
        return new ChannelContext(Locale.forLanguageTag(language), outbound, clock, templates);
    }

    private Notification notification(NotificationQueue.Due d) {
        Notification.Kind kind = switch (d.event().kind()) {
            case "resolved" -> Notification.Kind.RESOLVED;
            case "reminder" -> Notification.Kind.REMINDER;
            default -> Notification.Kind.FIRING;
        };
        String taskId = d.incident().taskId();
        return new Notification(kind, d.incident().id(), names.rule(d.incident().ruleId()), names.task(taskId),
                names.target(taskId), d.event().at(), d.event().summary(),
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
    }
}
