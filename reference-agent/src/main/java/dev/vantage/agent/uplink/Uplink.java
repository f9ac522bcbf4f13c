package dev.vantage.agent.uplink;

import dev.vantage.agent.protocol.Message;
import dev.vantage.agent.protocol.ProtocolCodec;
import dev.vantage.agent.protocol.ProtocolException;
import dev.vantage.agent.spool.Spool;
import dev.vantage.probe.spi.ProbeResult;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's side of the agent WebSocket (docs/agent-protocol.md): dials the server, says hello, hands the
 * server's messages to the {@link Agent}, sends spooled result batches with a bounded number awaiting their ack,
 * deletes acked batches from the {@link Spool}, heartbeats, and reconnects with {@link Backoff} when the connection
 * drops or falls silent. Given several servers (replicas of one deployment), it moves on to the next one in turn
 * whenever a connection fails or drops, so the agents of a dead replica come back through the others.
 *
 * <p><b>Threads.</b> One virtual thread owns the connection and does all of the above; the JDK WebSocket's listener
 * and the spool only put events into its inbox, so no state here is shared. {@link #start(Agent)} starts it,
 * {@link #close(Duration)} stops it after a short drain.
 *
 * <p>A 401 at the upgrade ends the uplink for good ({@link #terminated()} fails with
 * {@link CredentialRejectedException}): retrying a revoked credential would only hammer the server.
 */
public final class Uplink {
    private static final Logger LOG = LoggerFactory.getLogger(Uplink.class);

    /** What the uplink needs from the agent it serves. Called on the uplink thread only. */
    public interface Agent {
        /** The first message on each connection. */
        Message.Hello hello();

        /** Applies {@code welcome}, {@code tasks}, {@code policy} or {@code instant}; returns replies (rejections). */
        List<Message> apply(Message fromServer);

        /** Stats for the next heartbeat. */
        Message.AgentStats stats();

        /** The meters for the next heartbeat ({@link dev.vantage.agent.protocol.AgentMeter}); none by default. */
        default java.util.Map<dev.vantage.agent.protocol.AgentMeter, Double> meters() {
            return java.util.Map.of();
        }
    }

    /**
     * How the uplink connects.
     *
     * @param servers            the WebSocket URIs, e.g. {@code ws://host:8080/ws/agent}, tried in turn
     * @param authorization      the {@code Authorization} header value; never logged
     * @param maxUnackedBatches  batches sent and awaiting their ack at once (replay after an outage is paced by it)
     * @param welcomeTimeout     how long to wait for {@code welcome} after {@code hello}
     * @param connectTimeout     TCP connect plus upgrade
     * @param tls                whom {@code wss://} servers must be vouched for by ({@link ServerTrust})
     */
    public record Settings(List<URI> servers, String authorization, Backoff backoff, int maxUnackedBatches,
                           Duration welcomeTimeout, Duration connectTimeout, javax.net.ssl.SSLContext tls) {
        public Settings {
            Objects.requireNonNull(tls, "tls");
            servers = List.copyOf(servers);
            if (servers.isEmpty()) {
                throw new IllegalArgumentException("at least one server is needed");
            }
            Objects.requireNonNull(authorization, "authorization");
            Objects.requireNonNull(backoff, "backoff");
            if (maxUnackedBatches < 1) {
                throw new IllegalArgumentException("maxUnackedBatches must be at least 1");
            }
        }

        @Override
        public String toString() {
            return "Settings[servers=" + servers + ", maxUnackedBatches=" + maxUnackedBatches + "]"; // no credential
        }
    }

    /** What the listener and the spool tell the uplink thread; {@code connection} tells stale events apart. */
    private sealed interface Event {
    }

    private record Frame(int connection, String text) implements Event {
    }

    private record Heard(int connection) implements Event {
    }

    private record Closed(int connection, String why) implements Event {
    }

    private record Wake() implements Event {
    }

    private final Settings settings;
    private final Spool spool;
    private final HttpClient http;
    private final BlockingQueue<Event> inbox = new LinkedBlockingQueue<>();
    /** Messages from other threads (update statuses), sent in order once a connection is welcomed. */
    private final java.util.Queue<Message> outbox = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final AtomicBoolean wakePending = new AtomicBoolean();
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    private final Random random = new Random();
    private volatile long drainDeadlineNanos = Long.MAX_VALUE;
    private volatile boolean stopping;
    private volatile boolean connected;
    private Thread thread;
    /** Set by {@link #start}, before the uplink thread exists; read only by that thread. */
    private Agent agent;
    private volatile int connections;
    /** Index into the servers of the one in use; only the uplink thread moves it. */
    private volatile int current;

    /**
     * An uplink that sends what is spooled in {@code spool}. It can be woken ({@link #wake()}) at once, so the
     * spool's writer can be built with it before the {@link Agent} exists; it connects once {@link #start started}.
     */
    public Uplink(Settings settings, Spool spool) {
        this.settings = settings;
        this.spool = spool;
        this.http = HttpClient.newBuilder().connectTimeout(settings.connectTimeout()).sslContext(settings.tls()).build();
    }

    /** Starts the uplink thread, serving {@code agent}. */
    public synchronized void start(Agent agent) {
        if (thread != null) {
            throw new IllegalStateException("already started");
        }
        this.agent = Objects.requireNonNull(agent, "agent");
        thread = Thread.ofVirtual().name("vantage-uplink").start(this::run);
    }

    /** Tells the uplink a batch was spooled. Never blocks; many calls in a row wake it once; before start too. */
    public void wake() {
        if (wakePending.compareAndSet(false, true)) {
            inbox.add(new Wake());
        }
    }

    /** Sends {@code message} on the next welcomed connection, from any thread; never blocks. */
    public void send(Message message) {
        outbox.add(Objects.requireNonNull(message, "message"));
        inbox.add(new Wake());
    }

    /** The server in use now (or tried next). */
    public URI server() {
        return settings.servers().get(current);
    }

    /** Whether a connection is open and welcomed. */
    public boolean connected() {
        return connected;
    }

    /** Connections tried since start: 1 while the first one holds, more after every reconnect. */
    public int connectionAttempts() {
        return connections;
    }

    /** Completes when the uplink has stopped: normally after {@link #close}, exceptionally on a 401. */
    public CompletionStage<Void> terminated() {
        return terminated;
    }

    /**
     * Stops the uplink: while connected it keeps sending spooled batches for up to {@code grace} (for the results the
     * engine flushed at shutdown), then closes the WebSocket. Returns when the thread has ended.
     */
    public void close(Duration grace) {
        drainDeadlineNanos = System.nanoTime() + grace.toNanos();
        stopping = true;
        inbox.add(new Wake());
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t != null) {
            try {
                t.join(grace.plusSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        // not close(): it waits for every exchange to end, forever if the server vanished mid-connection
        http.shutdownNow();
        terminated.complete(null);
    }

    private void run() {
        int failures = 0;
        try {
            while (!stopping) {
                WebSocket ws;
                int connection = ++connections;
                try {
                    ws = connect(connection);
                } catch (CredentialRejectedException e) {
                    LOG.error(e.getMessage());
                    terminated.completeExceptionally(e);
                    return;
                } catch (IOException e) {
                    URI failed = server();
                    next();
                    Duration delay = settings.backoff().delay(failures++, random);
                    LOG.warn("cannot connect to {}: {}; trying {} in {} ms", failed, e.getMessage(), server(), delay.toMillis());
                    pause(delay);
                    continue;
                }
                boolean welcomed = session(ws, connection);
                connected = false;
                if (welcomed) {
                    failures = 0; // the server was healthy: come back quickly
                }
                if (!stopping) {
                    next(); // with replicas, another one is as good, and this one may be going away
                    Duration delay = settings.backoff().delay(failures++, random);
                    LOG.info("reconnecting to {} in {} ms", server(), delay.toMillis());
                    pause(delay);
                }
            }
        } catch (RuntimeException e) {
            LOG.error("uplink failed", e);
            terminated.completeExceptionally(e);
        } finally {
            connected = false;
        }
    }

    /** Waits out a back-off delay; a {@link #close} ends the wait early. Keeps the spool's age bound meanwhile. */
    private void pause(Duration delay) {
        long until = System.nanoTime() + delay.toNanos();
        try {
            for (long left = delay.toNanos(); left > 0 && !stopping; left = until - System.nanoTime()) {
                Event e = inbox.poll(left, TimeUnit.NANOSECONDS);
                if (e instanceof Wake) {
                    wakePending.set(false);
                }
                spool.enforceBounds();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopping = true;
        }
    }

    private void next() {
        current = (current + 1) % settings.servers().size();
    }

    private WebSocket connect(int connection) throws IOException {
        CompletableFuture<WebSocket> opening = http.newWebSocketBuilder()
                .header("Authorization", settings.authorization())
                .connectTimeout(settings.connectTimeout())
                .buildAsync(server(), new Listener(connection));
        try {
            return opening.get(settings.connectTimeout().multipliedBy(2).toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException h && h.getResponse().statusCode() == 401) {
                throw new CredentialRejectedException("the server " + server() + " refused this agent's "
                        + "credential (HTTP 401): it was revoked or is wrong. Enroll again with a new token "
                        + "(delete agent.json from the data directory and pass --enroll-token).");
            }
            if (e.getCause() instanceof WebSocketHandshakeException h) {
                throw new IOException("upgrade refused with HTTP " + h.getResponse().statusCode());
            }
            throw new IOException(String.valueOf(e.getCause()), e.getCause());
        } catch (TimeoutException e) {
            opening.cancel(true);
            throw new IOException("no answer within " + settings.connectTimeout().multipliedBy(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopping = true;
            throw new IOException("interrupted");
        }
    }

    /** One connection, from hello until it closes, falls silent or the uplink stops. Returns whether it was welcomed. */
    private boolean session(WebSocket ws, int connection) {
        Set<String> unacked = new LinkedHashSet<>();
        String lastSent = null; // batches are sent in id order, so the next one to send comes after this
        boolean welcomed = false;
        Duration interval = null;
        long lastHeard = System.nanoTime();
        long nextHeartbeat = Long.MAX_VALUE;
        try {
            send(ws, agent.hello());
            while (true) {
                long now = System.nanoTime();
                long silentFor = now - lastHeard;
                long allowedSilence = welcomed ? interval.multipliedBy(2).toNanos() : settings.welcomeTimeout().toNanos();
                if (silentFor > allowedSilence) {
                    LOG.warn("nothing heard from the server for {} ms: the connection is dead, reconnecting",
                            TimeUnit.NANOSECONDS.toMillis(silentFor));
                    ws.abort();
                    return welcomed;
                }
                if (stopping && (!welcomed || (unacked.isEmpty() && outbox.isEmpty() && spool.next(lastSent) == null)
                        || now > drainDeadlineNanos)) {
                    closeQuietly(ws);
                    return welcomed;
                }
                long wait = Math.min(allowedSilence - silentFor, nextHeartbeat - now);
                if (stopping) {
                    wait = Math.min(wait, drainDeadlineNanos - now);
                }
                Event event = inbox.poll(Math.max(wait, 0), TimeUnit.NANOSECONDS);
                if (event instanceof Wake) {
                    wakePending.set(false);
                } else if (event instanceof Heard h && h.connection() == connection) {
                    lastHeard = System.nanoTime();
                } else if (event instanceof Closed c && c.connection() == connection) {
                    LOG.warn("connection to {} closed: {}", server(), c.why());
                    return welcomed;
                } else if (event instanceof Frame f && f.connection() == connection) {
                    lastHeard = System.nanoTime();
                    Message m = decode(ws, f.text());
                    if (stopping && !(m instanceof Message.Ack)) {
                        m = null; // shutting down: the engine is closed, only acks still matter
                    }
                    switch (m) {
                        case null -> { }
                        case Message.Ack a -> {
                            unacked.remove(a.batch());
                            spool.delete(a.batch());
                        }
                        case Message.ErrorReply e -> LOG.warn("the server could not understand a message: {}", e.message());
                        case Message.Welcome w -> {
                            for (Message reply : agent.apply(w)) {
                                send(ws, reply);
                            }
                            if (!welcomed) {
                                LOG.info("connected to {} as {}: {} tasks, heartbeat every {}", server(),
                                        w.agentId(), w.tasks().size(), dev.vantage.probe.engine.Durations.format(w.heartbeatInterval()));
                            }
                            welcomed = true;
                            connected = true;
                            interval = w.heartbeatInterval().isPositive() ? w.heartbeatInterval() : Duration.ofSeconds(10);
                            nextHeartbeat = System.nanoTime() + interval.toNanos();
                        }
                        case Message.TaskChanges t -> sendAll(ws, agent.apply(t));
                        case Message.PolicyUpdate p -> sendAll(ws, agent.apply(p));
                        case Message.InstantTest i -> sendAll(ws, agent.apply(i));
                        case Message.Update u -> sendAll(ws, agent.apply(u));
                        default -> LOG.warn("ignoring '{}' from the server: only agents send it", m.type());
                    }
                }
                if (!welcomed) {
                    continue;
                }
                for (Message m = outbox.poll(); m != null; m = outbox.poll()) {
                    send(ws, m);
                }
                // a batch dropped by the spool's bounds while awaiting its ack will never be acked: stop waiting
                unacked.removeIf(id -> !spool.contains(id));
                for (Spool.Batch b = spool.next(lastSent); b != null && unacked.size() < settings.maxUnackedBatches();
                     b = spool.next(lastSent)) {
                    List<ProbeResult> results = spool.read(b.id());
                    lastSent = b.id();
                    if (!results.isEmpty()) {
                        send(ws, new Message.Results(b.id(), results));
                        unacked.add(b.id());
                    }
                }
                if (System.nanoTime() >= nextHeartbeat) {
                    spool.enforceBounds();
                    send(ws, new Message.Heartbeat(java.time.Instant.now(), agent.stats(), agent.meters()));
                    // a ping makes the server's WebSocket stack answer with a pong (RFC 6455), so a healthy server
                    // with nothing to say is still heard within the liveness window
                    ws.sendPing(ByteBuffer.allocate(0)).get(settings.connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
                    nextHeartbeat = System.nanoTime() + interval.toNanos();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopping = true;
            ws.abort();
            return welcomed;
        } catch (IOException | ExecutionException | TimeoutException e) {
            LOG.warn("connection to {} failed: {}", server(), e.getMessage() != null ? e.getMessage() : e.toString());
            ws.abort();
            return welcomed;
        }
    }

    private Message decode(WebSocket ws, String text) throws InterruptedException, ExecutionException, TimeoutException {
        try {
            return ProtocolCodec.decode(text);
        } catch (ProtocolException e) {
            LOG.warn("bad frame from the server: {}", e.getMessage());
            send(ws, new Message.ErrorReply(e.getMessage()));
            return null;
        }
    }

    private void sendAll(WebSocket ws, List<Message> messages) throws InterruptedException, ExecutionException, TimeoutException {
        for (Message m : messages) {
            send(ws, m);
        }
    }

    /** Sends one frame and waits for the JDK to take it: one send at a time is all a JDK WebSocket allows. */
    private void send(WebSocket ws, Message m) throws InterruptedException, ExecutionException, TimeoutException {
        ws.sendText(ProtocolCodec.encode(m), true).get(settings.connectTimeout().toMillis() * 3, TimeUnit.MILLISECONDS);
    }

    private void closeQuietly(WebSocket ws) {
        try {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "agent shutting down").get(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.debug("close frame not sent: {}", e.toString());
        }
        ws.abort();
    }

    /** Puts whole text messages into the inbox; runs on the HTTP client's threads. */
    private final class Listener implements WebSocket.Listener {
        private final int connection;
        private final StringBuilder partial = new StringBuilder();

        Listener(int connection) {
            this.connection = connection;
        }

        @Override
        public void onOpen(WebSocket ws) {
            ws.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                inbox.add(new Frame(connection, partial.toString()));
                partial.setLength(0);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            ws.request(1); // the protocol has text frames only
            return null;
        }

        @Override
        public CompletionStage<?> onPing(WebSocket ws, ByteBuffer message) {
            inbox.add(new Heard(connection));
            return WebSocket.Listener.super.onPing(ws, message); // answers with a pong
        }

        @Override
        public CompletionStage<?> onPong(WebSocket ws, ByteBuffer message) {
            inbox.add(new Heard(connection));
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            inbox.add(new Closed(connection, "status " + statusCode + (reason.isEmpty() ? "" : " " + reason)));
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            inbox.add(new Closed(connection, String.valueOf(error)));
        }
    }
}
