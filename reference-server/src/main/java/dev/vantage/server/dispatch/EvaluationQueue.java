package dev.vantage.server.dispatch;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.server.results.ResultStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code <prefix>.alerting}: every replica publishes the results it stored, and every replica consumes, but the queue
 * has a single active consumer, so one replica's {@link Evaluator} judges all results of the cluster. When that
 * replica dies, the broker hands the queue (and what the dead one had not acknowledged) to the next consumer, whose
 * evaluator is activated by its first delivery. A replica learns it lost its turn only through its channel closing:
 * then its evaluator stands by.
 *
 * <p>Published without confirms: judging is not the results' safety (they are stored already), and a batch lost with
 * a dying broker costs a rule a few results, not a notification that was due.
 */
final class EvaluationQueue {
    private static final Logger LOG = LoggerFactory.getLogger(EvaluationQueue.class);
    /** Results waiting to be judged, at most; beyond it the oldest go (judging them that late has no value). */
    private static final int MAX_LENGTH = 1_000_000;
    private static final int PREFETCH = 256;

    private final String queue;
    private final Channel out;
    private final Connection consuming;
    private final AMQP.BasicProperties props;
    private final Counter unsent;

    EvaluationQueue(String queue, Connection publishing, Connection consuming, String replicaId, MeterRegistry registry)
            throws IOException {
        this.queue = queue;
        this.out = publishing.createChannel();
        this.consuming = consuming;
        this.props = new AMQP.BasicProperties.Builder().deliveryMode(2).contentType("application/json")
                .appId(replicaId).build();
        this.unsent = Counter.builder("vantage.alerting.unsent")
                .description("Stored results not handed to the alert evaluator (broker unreachable)").register(registry);
    }

    static void declare(Channel ch, String queue) throws IOException {
        ch.queueDeclare(queue, true, false, false, Map.of(
                "x-queue-type", "quorum",
                "x-single-active-consumer", true,
                "x-max-length", MAX_LENGTH,
                "x-overflow", "drop-head"));
    }

    void publish(String agentId, List<ProbeResult> stored) {
        if (stored.isEmpty()) {
            return;
        }
        byte[] body = ResultMessage.encode(agentId, stored);
        try {
            synchronized (out) {
                out.basicPublish("", queue, props, body);
            }
        } catch (IOException | RuntimeException e) {
            unsent.increment(stored.size());
            LOG.debug("results not handed to the evaluator: {}", e.toString());
        }
    }

    void consume(Evaluator evaluator) throws IOException {
        Channel in = consuming.createChannel();
        in.basicQos(PREFETCH);
        in.basicConsume(queue, false, new Turn(in, evaluator));
    }

    /** The evaluator's turn: active from the first delivery until the channel closes or the broker cancels. */
    private final class Turn extends DefaultConsumer {
        private final Evaluator evaluator;
        private boolean active; // guarded by this

        Turn(Channel channel, Evaluator evaluator) {
            super(channel);
            this.evaluator = evaluator;
        }

        @Override
        public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body)
                throws IOException {
            activate();
            try {
                ResultStore.Batch batch = ResultMessage.decode(body);
                evaluator.judge(batch.agentId(), batch.results());
            } catch (IllegalArgumentException e) {
                LOG.warn("skipping a message on {}: {}", queue, e.getMessage());
            }
            getChannel().basicAck(envelope.getDeliveryTag(), false);
        }

        @Override
        public void handleCancel(String consumerTag) {
            standby();
        }

        @Override
        public void handleShutdownSignal(String consumerTag, ShutdownSignalException sig) {
            standby();
        }

        private synchronized void activate() {
            if (!active) {
                active = true;
                LOG.info("this replica evaluates alert rules now (its turn on {})", queue);
                evaluator.activate();
            }
        }

        /** Also after a broker outage: once re-registered, the turn may have gone to another replica meanwhile. */
        private synchronized void standby() {
            if (active) {
                active = false;
                LOG.info("this replica stops evaluating alert rules (its turn on {} ended)", queue);
                evaluator.standby();
            }
        }
    }
}
