package dev.vantage.server.dispatch;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import dev.vantage.server.db.Database;
import dev.vantage.server.results.ResultStore;
import dev.vantage.server.results.StoredCount;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores what arrives on the results queue. One worker thread takes every message waiting (at most the prefetch),
 * stores them in one transaction and acknowledges them together after the commit, so a message is removed from the
 * queue only once its results are in the database. Redelivery is harmless: results are stored once per id.
 *
 * <ul>
 *   <li>A message that cannot be read is rejected without requeue: it goes to the dead-letter queue at once.</li>
 *   <li>The database down ({@link Database#ready()} false): the messages are held, unacknowledged, and the store is
 *       retried until it works. Requeueing them would spend their delivery limit on an outage and dead-letter good
 *       results.</li>
 *   <li>The database up but the store failed: each message is stored alone; one that still fails is nacked with
 *       requeue, so after the queue's delivery limit it lands in the dead-letter queue and stops coming back.</li>
 * </ul>
 */
final class ResultConsumer extends DefaultConsumer {
    private static final Logger LOG = LoggerFactory.getLogger(ResultConsumer.class);

    private record Delivery(long tag, byte[] body) {
    }

    private record Readable(long tag, ResultStore.Batch batch) {
    }

    private final ResultStore results;
    private final Database db;
    private final BlockingQueue<Delivery> inbox = new LinkedBlockingQueue<>();
    private final Thread worker;
    private final Counter stored;
    private final Counter duplicates;
    private final Counter rejected;
    private final Counter requeued;
    private volatile boolean stopping;

    ResultConsumer(Channel channel, ResultStore results, Database db, MeterRegistry registry) {
        super(channel);
        this.results = results;
        this.db = db;
        this.stored = Counter.builder("vantage.queue.results.stored").description("Results stored from the queue")
                .register(registry);
        this.duplicates = Counter.builder("vantage.queue.results.duplicates")
                .description("Results from the queue that were already stored (redeliveries, agent resends)")
                .register(registry);
        this.rejected = Counter.builder("vantage.queue.messages.rejected")
                .description("Unreadable result messages sent to the dead-letter queue").register(registry);
        this.requeued = Counter.builder("vantage.queue.messages.requeued")
                .description("Result messages that failed to store with the database up, requeued").register(registry);
        this.worker = Thread.ofVirtual().name("result-consumer").start(this::work);
    }

    @Override
    public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
        inbox.add(new Delivery(envelope.getDeliveryTag(), body));
    }

    private void work() {
        List<Delivery> group = new ArrayList<>();
        while (!stopping || !inbox.isEmpty()) {
            try {
                Delivery first = inbox.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                group.clear();
                group.add(first);
                inbox.drainTo(group);
                handle(group);
            } catch (InterruptedException e) {
                return;
            } catch (IOException | RuntimeException e) {
                // the channel is gone: the broker gives the unacknowledged messages to a consumer again
                LOG.warn("result consumer: {}", e.toString());
            }
        }
    }

    private void handle(List<Delivery> group) throws IOException, InterruptedException {
        List<Readable> readable = new ArrayList<>(group.size());
        for (Delivery d : group) {
            try {
                readable.add(new Readable(d.tag(), ResultMessage.decode(d.body())));
            } catch (RuntimeException e) {
                LOG.warn("result message {} is unreadable, dead-lettering it: {}", d.tag(), e.getMessage());
                getChannel().basicReject(d.tag(), false);
                rejected.increment();
            }
        }
        if (readable.isEmpty()) {
            return;
        }
        for (long pause = 250; ; pause = Math.min(pause * 2, 5000)) {
            try {
                count(results.storeBatches(readable.stream().map(Readable::batch).toList()));
                // the worker alone acks, in delivery order, so "everything up to the last" is exactly this group
                getChannel().basicAck(readable.getLast().tag(), true);
                return;
            } catch (RuntimeException e) {
                if (db.ready()) {
                    one(readable, e);
                    return;
                }
                if (stopping) {
                    return; // unacknowledged: the broker redelivers them to another replica
                }
                LOG.warn("database unavailable, holding {} result messages and retrying in {} ms: {}",
                        readable.size(), pause, brief(e));
                Thread.sleep(pause);
            }
        }
    }

    /** The database answers, yet the group failed: find the message at fault by storing each alone. */
    private void one(List<Readable> readable, RuntimeException groupFailure) throws IOException {
        if (readable.size() > 1) {
            LOG.warn("storing {} result messages together failed with the database up, storing them one by one: {}",
                    readable.size(), groupFailure.toString());
        }
        for (Readable r : readable) {
            try {
                count(results.storeBatches(List.of(r.batch())));
                getChannel().basicAck(r.tag(), false);
            } catch (RuntimeException e) {
                LOG.warn("result message {} of agent {} failed to store, requeued (dead-lettered after the delivery"
                        + " limit): {}", r.tag(), r.batch().agentId(), brief(e));
                getChannel().basicNack(r.tag(), false, true);
                requeued.increment();
            }
        }
    }

    /** The first line of the error, shortened: the driver's text of a failed batch quotes the whole statement. */
    private static String brief(Exception e) {
        String text = e.toString().lines().findFirst().orElse("");
        return text.length() > 160 ? text.substring(0, 160) + "…" : text;
    }

    private void count(StoredCount counts) {
        stored.increment(counts.stored());
        duplicates.increment(counts.duplicates());
    }

    /** Stops taking messages, stores what was already delivered, and returns. */
    void stop() {
        try {
            getChannel().basicCancel(getConsumerTag());
        } catch (IOException | RuntimeException e) {
            // the channel is already gone
        }
        stopping = true;
        try {
            worker.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        worker.interrupt();
    }
}
