package dev.vantage.server.live;

import dev.vantage.server.json.JsonMapping;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vantage.probe.json.ResultJson;
import dev.vantage.probe.spi.ProbeResult;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;
import dev.vantage.server.dispatch.Control;
import dev.vantage.server.dispatch.Dispatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * What {@code /ws/live} pushes to user interfaces: new results, instant-test progress and agent status, each as one
 * JSON text frame {@code {"type": "result"|"instant"|"agent", ...}}. A subscriber may narrow results to one task.
 * Publishing costs nothing when nobody listens.
 *
 * <p>With several replicas, an event happens on the replica holding the agent's connection, while the UI may be
 * connected to another: events are relayed to the other replicas through the {@link Dispatch}, but only while some
 * replica has a subscriber (each announces {@link Control#LIVE_INTEREST} every few seconds while it has one), so
 * result ingest pays nothing for an unwatched feed.
 */
public final class LiveFeed {

    /**
     * One authenticated UI socket. Frames wait in a small bounded queue drained by the subscriber's own virtual
     * thread, so a slow browser never slows result ingest; when the queue is full, events are dropped and the next
     * frame that fits is preceded by a {@code {"type":"dropped","count":n}} notice.
     */
    public static final class Subscriber {
        private static final int QUEUE = 1024;
        private final Consumer<String> connection;
        private final BlockingQueue<String> queue = new ArrayBlockingQueue<>(QUEUE);
        private final AtomicLong dropped = new AtomicLong();
        private final Thread sender;
        private volatile Predicate<String> taskFilter = t -> true;

        /** @param connection sends one text frame; may block (it runs on the subscriber's own thread) */
        public Subscriber(Consumer<String> connection) {
            this.connection = connection;
            this.sender = Thread.ofVirtual().name("live-feed").start(this::drain);
        }

        private void drain() {
            try {
                while (true) {
                    String text = queue.take();
                    long lost = dropped.getAndSet(0);
                    if (lost > 0) {
                        connection.accept("{\"type\":\"dropped\",\"count\":" + lost + "}");
                    }
                    connection.accept(text);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                // the socket is gone; the web layer removes the subscriber when it sees the close
            }
        }

        void offer(String text) {
            if (!queue.offer(text)) {
                dropped.incrementAndGet();
            }
        }

        void stop() {
            sender.interrupt();
        }

        /** Only results of this task (and instant tests, agent status) from now on; null for everything. */
        public void onlyTask(String taskId) {
            taskFilter = taskId == null ? t -> true : taskId::equals;
        }
    }

    private static final long INTEREST_EVERY_MILLIS = 5_000;
    private static final long INTEREST_LASTS_NANOS = TimeUnit.MILLISECONDS.toNanos(3 * INTEREST_EVERY_MILLIS);

    private final Set<Subscriber> subscribers = ConcurrentHashMap.newKeySet();
    private final Dispatch dispatch;
    private final ScheduledExecutorService announcer;
    private volatile long remoteInterestUntil = System.nanoTime();

    public LiveFeed(Dispatch dispatch) {
        this.dispatch = dispatch;
        if (dispatch.distributed()) {
            dispatch.listen(this::fromOtherReplica);
            announcer = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("live-interest").factory());
            announcer.scheduleAtFixedRate(this::announceInterest, INTEREST_EVERY_MILLIS, INTEREST_EVERY_MILLIS,
                    TimeUnit.MILLISECONDS);
        } else {
            announcer = null;
        }
    }

    public void add(Subscriber s) {
        subscribers.add(s);
        if (announcer != null) {
            announcer.execute(this::announceInterest); // now, not in up to five seconds
        }
    }

    private void announceInterest() {
        if (!subscribers.isEmpty()) {
            dispatch.broadcast(Control.of(Control.LIVE_INTEREST));
        }
    }

    private void fromOtherReplica(Control c) {
        switch (c.kind()) {
            case Control.LIVE_INTEREST -> remoteInterestUntil = System.nanoTime() + INTEREST_LASTS_NANOS;
            case Control.LIVE -> deliver(c.body(), c.id());
            default -> { }
        }
    }

    private boolean remoteInterest() {
        return announcer != null && System.nanoTime() - remoteInterestUntil < 0;
    }

    /** Hands a frame to the local subscribers; {@code taskId} non-null: only those not narrowed to another task. */
    private void deliver(String text, String taskId) {
        for (Subscriber s : subscribers) {
            if (taskId == null || s.taskFilter.test(taskId)) {
                s.offer(text);
            }
        }
    }

    private void emit(String text, String taskId) {
        deliver(text, taskId);
        if (remoteInterest()) {
            dispatch.broadcast(new Control(Control.LIVE, taskId, text));
        }
    }

    public void close() {
        if (announcer != null) {
            announcer.shutdownNow();
        }
    }

    public void remove(Subscriber s) {
        subscribers.remove(s);
        s.stop();
    }

    public int size() {
        return subscribers.size();
    }

    /** Pushes an event with the given fields to every subscriber. */
    public void publish(String type, Map<String, Object> fields) {
        if (subscribers.isEmpty() && !remoteInterest()) {
            return;
        }
        ObjectNode n = JsonMapping.MAPPER.createObjectNode().put("type", type);
        fields.forEach((k, v) -> n.set(k, JsonMapping.MAPPER.valueToTree(v)));
        emit(n.toString(), null);
    }

    /** Pushes a stored result; instant-test results go out as {@code instant} events. */
    public void publishResult(String agentId, ProbeResult result, boolean instant) {
        if (subscribers.isEmpty() && !remoteInterest()) {
            return;
        }
        ObjectNode n = JsonMapping.MAPPER.createObjectNode().put("type", instant ? "instant" : "result");
        if (instant) {
            n.put("instantId", result.taskId());
        }
        n.put("agentId", agentId);
        n.set("result", ResultJson.toTree(result));
        emit(n.toString(), instant ? null : result.taskId());
    }
}
