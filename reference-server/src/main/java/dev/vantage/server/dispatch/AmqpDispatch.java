package dev.vantage.server.dispatch;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoveryListener;
import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.server.config.ServerConfig;
import dev.vantage.server.db.Database;
import dev.vantage.server.results.ResultStore;
import dev.vantage.server.results.StoredCount;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Several replicas on one RabbitMQ. Names start with the configured prefix ({@code vantage} below):
 *
 * <ul>
 *   <li>{@code vantage.results}: durable quorum queue of agent batches. The replica holding an agent's connection
 *       publishes each accepted batch persistent with publisher confirms and acks the agent only on the confirm
 *       ({@link ConfirmedPublisher}); every replica consumes it and stores ({@link ResultConsumer}). Explicit
 *       {@code x-delivery-limit}, dead-lettering at least once to {@code vantage.results.dead} through the fanout
 *       exchange {@code vantage.results.dlx}.</li>
 *   <li>{@code vantage.control}: fanout exchange of {@link Control} messages, with a queue per replica
 *       ({@code vantage.control.<replica id>}, exclusive: it goes with the replica).</li>
 *   <li>{@code vantage.alerting}: results as stored, for the one replica judging alert rules ({@link EvaluationQueue}).</li>
 * </ul>
 *
 * Publishing and consuming use separate connections (the broker's flow control slows publishers only), both with
 * the client's automatic recovery.
 */
public final class AmqpDispatch implements Dispatch {
    private static final Logger LOG = LoggerFactory.getLogger(AmqpDispatch.class);
    private static final int CONSUMERS = 2;

    private final String replicaId;
    private final String resultsQueue;
    private final String controlExchange;
    private final Connection publishing;
    private final Connection consuming;
    private final Channel controlOut;
    private final ConfirmedPublisher publisher;
    private final EvaluationQueue evaluation;
    private final List<ResultConsumer> consumers = new java.util.ArrayList<>();
    private final ScheduledExecutorService timer;
    private final ExecutorService completions = Executors.newVirtualThreadPerTaskExecutor();
    /** Control messages are applied one at a time, in order, off the connection's thread. */
    private final ExecutorService controlIn = Executors.newSingleThreadExecutor(Thread.ofVirtual().name("control-in").factory());
    private final List<Consumer<Control>> listeners = new CopyOnWriteArrayList<>();
    private final AMQP.BasicProperties resultProps;
    private final AMQP.BasicProperties controlProps;

    private AmqpDispatch(ServerConfig.Amqp config, String replicaId, ResultStore results, Database db,
                         MeterRegistry registry, boolean confirms) throws IOException, TimeoutException {
        this.replicaId = replicaId;
        this.resultsQueue = config.prefix() + ".results";
        this.controlExchange = config.prefix() + ".control";
        ConnectionFactory factory = factory(config);
        this.publishing = factory.newConnection("vantage " + replicaId + " publish");
        this.consuming = factory.newConnection("vantage " + replicaId + " consume");
        LOG.info("replica {}: RabbitMQ at {}:{} vhost '{}', queues {}.*, publisher confirms {}", replicaId,
                factory.getHost(), factory.getPort(), factory.getVirtualHost(), config.prefix(), confirms ? "on" : "OFF");

        Channel setup = consuming.createChannel();
        declare(setup, config);
        String controlQueue = config.prefix() + ".control." + replicaId;
        setup.queueDeclare(controlQueue, false, true, true, null);
        setup.queueBind(controlQueue, controlExchange, "");
        setup.basicConsume(controlQueue, true, new ControlConsumer(setup));

        this.publisher = new ConfirmedPublisher(publishing.createChannel(), resultsQueue, config.confirmTimeout(),
                confirms, completions);
        this.controlOut = publishing.createChannel();
        this.evaluation = new EvaluationQueue(config.prefix() + ".alerting", publishing, consuming, replicaId, registry);
        this.resultProps = new AMQP.BasicProperties.Builder().deliveryMode(2).contentType("application/json")
                .appId(replicaId).build();
        this.controlProps = new AMQP.BasicProperties.Builder().deliveryMode(1).contentType("application/json")
                .appId(replicaId).build();

        // two, each on its own channel (a consumer acks "everything up to" on its channel): while one waits for its
        // commit the other decodes, which keeps both cores busy
        for (int i = 0; i < CONSUMERS; i++) {
            Channel in = consuming.createChannel();
            in.basicQos(config.prefetch());
            ResultConsumer consumer = new ResultConsumer(in, results, db, registry);
            consumers.add(consumer);
            in.basicConsume(resultsQueue, false, consumer);
        }

        // after the broker comes back, control messages sent meanwhile are gone: re-check every agent
        ((Recoverable) consuming).addRecoveryListener(new RecoveryListener() {
            @Override
            public void handleRecovery(Recoverable recoverable) {
                LOG.info("replica {}: RabbitMQ connection recovered", replicaId);
                deliver(Control.of(Control.RESYNC));
            }

            @Override
            public void handleRecoveryStarted(Recoverable recoverable) {
                LOG.warn("replica {}: RabbitMQ connection lost, recovering", replicaId);
            }
        });
        this.timer = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("amqp-confirm-timer").factory());
        timer.scheduleAtFixedRate(publisher::expire, 250, 250, TimeUnit.MILLISECONDS);
        Gauge.builder("vantage.queue.unconfirmed", publisher, ConfirmedPublisher::unconfirmed)
                .description("Result batches published and not yet confirmed by the broker").register(registry);
    }

    /**
     * Connects and declares the exchanges and queues.
     *
     * @param confirms false only for the fault test's control run (see {@link ConfirmedPublisher})
     */
    public static AmqpDispatch start(ServerConfig.Amqp config, String replicaId, ResultStore results, Database db,
                                     MeterRegistry registry, boolean confirms) {
        try {
            return new AmqpDispatch(config, replicaId, results, db, registry, confirms);
        } catch (IOException | TimeoutException e) {
            // the message of a failed connect names host and port, never the URI's password
            throw new UncheckedIOException(new IOException("cannot set up RabbitMQ (vantage.amqp.uri): " + e, e));
        }
    }

    private static ConnectionFactory factory(ServerConfig.Amqp config) {
        ConnectionFactory f = new ConnectionFactory();
        try {
            f.setUri(config.uri().value());
        } catch (Exception e) {
            // not the exception's text: it may quote the URI, password included
            throw new IllegalArgumentException("vantage.amqp.uri (VANTAGE_AMQP_URI) is not an amqp:// or amqps:// URI");
        }
        f.setAutomaticRecoveryEnabled(true);
        f.setTopologyRecoveryEnabled(true);
        f.setNetworkRecoveryInterval(1000);
        f.setRequestedHeartbeat(10);
        f.setConnectionTimeout(5000);
        return f;
    }

    /** Declares the durable topology; every replica does it, and an existing queue with the same arguments is kept. */
    static void declare(Channel ch, ServerConfig.Amqp config) throws IOException {
        String queue = config.prefix() + ".results";
        String dlx = queue + ".dlx";
        ch.exchangeDeclare(dlx, BuiltinExchangeType.FANOUT, true);
        ch.queueDeclare(queue + ".dead", true, false, false, Map.of("x-queue-type", "quorum"));
        ch.queueBind(queue + ".dead", dlx, "");
        ch.queueDeclare(queue, true, false, false, Map.of(
                "x-queue-type", "quorum",
                // RabbitMQ 3.x has no default limit: a message failing every time would come back forever
                "x-delivery-limit", config.deliveryLimit(),
                "x-dead-letter-exchange", dlx,
                // at-least-once dead-lettering needs reject-publish overflow (RabbitMQ 3.10+)
                "x-dead-letter-strategy", "at-least-once",
                "x-overflow", "reject-publish"));
        ch.exchangeDeclare(config.prefix() + ".control", BuiltinExchangeType.FANOUT, true);
        EvaluationQueue.declare(ch, config.prefix() + ".alerting");
    }

    @Override
    public CompletionStage<StoredCount> store(String agentId, List<ProbeResult> results) {
        byte[] body;
        try {
            // refused here rather than dead-lettered later: the agent is told before it deletes the batch
            ResultStore.validate(results);
            body = ResultMessage.encode(agentId, results);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        // confirmed is not yet stored: report every result as stored, the consumer counts duplicates
        return publisher.publish(resultProps, body).thenApply(v -> new StoredCount(results.size(), 0));
    }

    @Override
    public void evaluate(String agentId, List<ProbeResult> stored) {
        evaluation.publish(agentId, stored);
    }

    @Override
    public void evaluateWith(Evaluator evaluator) {
        try {
            evaluation.consume(evaluator);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void broadcast(Control message) {
        try {
            synchronized (controlOut) {
                controlOut.basicPublish(controlExchange, "", controlProps, message.encode());
            }
        } catch (IOException | RuntimeException e) {
            // the other replicas re-check everything when their connection recovers (Control.RESYNC)
            LOG.warn("replica {}: control message '{}' not sent: {}", replicaId, message.kind(), e.toString());
        }
    }

    @Override
    public void listen(Consumer<Control> listener) {
        listeners.add(listener);
    }

    private void deliver(Control message) {
        controlIn.execute(() -> {
            for (Consumer<Control> l : listeners) {
                try {
                    l.accept(message);
                } catch (RuntimeException e) {
                    LOG.warn("replica {}: applying control message '{}' failed: {}", replicaId, message.kind(), e.toString());
                }
            }
        });
    }

    @Override
    public boolean distributed() {
        return true;
    }

    @Override
    public String replicaId() {
        return replicaId;
    }

    @Override
    public void close() {
        consumers.forEach(ResultConsumer::stop);
        timer.shutdownNow();
        controlIn.shutdownNow();
        closeQuietly(consuming);
        closeQuietly(publishing);
        completions.shutdown();
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close(5000);
        } catch (IOException | RuntimeException e) {
            // already closed
        }
    }

    /** Control messages from the other replicas; its own come back through the fanout and are skipped. */
    private final class ControlConsumer extends DefaultConsumer {
        ControlConsumer(Channel channel) {
            super(channel);
        }

        @Override
        public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties props, byte[] body) {
            if (replicaId.equals(props.getAppId())) {
                return;
            }
            try {
                deliver(Control.decode(body));
            } catch (IllegalArgumentException e) {
                LOG.warn("replica {}: ignoring a control message: {}", replicaId, e.getMessage());
            }
        }
    }
}
