package dev.vantage.benchmarks.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.agent.protocol.Message;
import dev.vantage.agent.protocol.Message.Ack;
import dev.vantage.agent.protocol.Message.AgentStats;
import dev.vantage.agent.protocol.Message.Capabilities;
import dev.vantage.agent.protocol.Message.ErrorReply;
import dev.vantage.agent.protocol.Message.Heartbeat;
import dev.vantage.agent.protocol.Message.Hello;
import dev.vantage.agent.protocol.Message.Plugin;
import dev.vantage.agent.protocol.Message.Results;
import dev.vantage.agent.protocol.Message.Welcome;
import dev.vantage.agent.protocol.ProtocolCodec;
import dev.vantage.probe.spi.ErrorKind;
import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.probe.spi.ProbeStatus;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One simulated agent: a real protocol client on its own WebSocket that makes results at a set rate instead of
 * probing, queues them, and sends them in batches with at most {@code window} batches awaiting their ack, as the
 * reference agent does with its spool. A server that falls behind makes the queue grow; nothing is dropped. With
 * several tasks, the results go to them in turn (so each gets the rate divided by their number), and each result is
 * what the {@link Target} of its task answers at that moment.
 *
 * <p>Result ids are UUIDv7-shaped and carry the agent's index and a per-agent sequence number, so the stored results
 * can be checked against what was made without remembering every id. The pacing thread calls {@link #tick}; the
 * WebSocket's threads deliver acks, which also send more at once while the window was full. State is guarded by {@code this}.
 */
final class SimAgent implements WebSocket.Listener {
    private static final long SEQ_MASK = 0x3FFF_FFFF_FFFF_FFFFL;

    private record Pending(long seq, long createdNanos) {
    }

    /** How one attempt at a task ended: its status and its connect time. */
    record Outcome(ProbeStatus status, long connectNanos) {
        static final Outcome UP = new Outcome(ProbeStatus.SUCCESS, 85_000);
        static final Outcome REFUSED = new Outcome(ProbeStatus.FAILURE, 60_000);
    }

    /** How the simulated targets behave: the outcome of an attempt at a task at a {@link System#nanoTime()} reading. */
    @FunctionalInterface
    interface Target {
        /** Every attempt succeeds. */
        Target UP = (taskId, nanos) -> Outcome.UP;

        Outcome outcome(String taskId, long nanos);
    }

    private record Sent(List<Pending> results, long sentNanos) {
    }

    /**
     * How the stored results of one agent compare with what it made: {@code lost} were acked but are not stored (the
     * server broke its promise); {@code undelivered} were never acked and are not stored (a real agent still holds
     * them in its spool and sends them again after reconnecting; this one does not reconnect).
     */
    record Check(long produced, long found, long lost, long undelivered, long duplicates, long foreign) {
    }

    private final int index;
    private final ServerApi.Enrolled enrolled;
    private final List<String> taskIds;
    private final Target target;
    private final IngestStats stats;
    private final int window;
    private final int maxBatch;
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private final BitSet ackedSeqs = new BitSet();
    private final Map<String, Sent> unacked = new HashMap<>();
    private final CompletableFuture<Duration> welcomed = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder(); // WebSocket delivers one frame at a time
    private CompletableFuture<?> sending = CompletableFuture.completedFuture(null);
    private WebSocket socket;
    private long produced;
    private long batches;
    private double owed;
    private long lastProduced;
    private long nextHeartbeat = Long.MAX_VALUE;
    private long heartbeatNanos;
    private boolean windowFull;
    private volatile boolean closing;
    private volatile String failure;

    SimAgent(int index, ServerApi.Enrolled enrolled, String taskId, IngestStats stats, int window, int maxBatch) {
        this(index, enrolled, List.of(taskId), Target.UP, stats, window, maxBatch);
    }

    /** An agent sending results of {@code taskIds} in turn, each as {@code target} says. */
    SimAgent(int index, ServerApi.Enrolled enrolled, List<String> taskIds, Target target, IngestStats stats, int window,
             int maxBatch) {
        if (index >= 4096) {
            throw new IllegalArgumentException("at most 4096 agents (12 bits of the id)");
        }
        if (taskIds.isEmpty()) {
            throw new IllegalArgumentException("no task");
        }
        this.index = index;
        this.enrolled = enrolled;
        this.taskIds = List.copyOf(taskIds);
        this.target = target;
        this.stats = stats;
        this.window = window;
        this.maxBatch = maxBatch;
    }

    /** Opens the socket, says hello; completes with the heartbeat interval once {@code welcome} arrived. */
    CompletableFuture<Duration> connect(HttpClient http, URI uri) {
        http.newWebSocketBuilder()
                .header("Authorization", enrolled.authorization())
                .connectTimeout(Duration.ofSeconds(30))
                .buildAsync(uri, this)
                .thenAccept(ws -> {
                    synchronized (this) {
                        socket = ws;
                        send(new Hello(Hello.PROTOCOL, "ingest-harness", new Capabilities(
                                List.of(new Plugin("tcp", "0")), "none", false), Map.of()));
                    }
                })
                .exceptionally(e -> {
                    welcomed.completeExceptionally(e);
                    return null;
                });
        return welcomed;
    }

    /** One pacing step: make the results owed, send a batch if one is due or full, heartbeat if due. */
    synchronized void tick(long now, double ratePerSecond, boolean batchDue) {
        produce(now, ratePerSecond);
        if (batchDue || queue.size() >= maxBatch) {
            flush(now);
        }
        heartbeat(now);
    }

    /** Makes the results owed since the last call at {@code ratePerSecond}. */
    private void produce(long now, double ratePerSecond) {
        if (lastProduced != 0) {
            owed += ratePerSecond * (now - lastProduced) / 1e9;
        }
        lastProduced = now;
        long n = (long) owed;
        owed -= n;
        for (long i = 0; i < n; i++) {
            queue.add(new Pending(produced++, now));
        }
        stats.produced.add(n);
    }

    /** Sends queued results in batches of up to {@code maxBatch} while fewer than {@code window} await an ack. */
    private synchronized void flush(long now) {
        windowFull = false;
        while (!queue.isEmpty()) {
            if (unacked.size() >= window) {
                windowFull = true; // the next ack sends more at once: the backlog drains as fast as the server acks
                return;
            }
            List<Pending> batch = new ArrayList<>(Math.min(queue.size(), maxBatch));
            List<ProbeResult> results = new ArrayList<>(batch.size());
            while (!queue.isEmpty() && batch.size() < maxBatch) {
                Pending p = queue.poll();
                batch.add(p);
                results.add(result(p));
            }
            String id = Long.toString(batches++);
            unacked.put(id, new Sent(batch, now));
            stats.batchesSent.increment();
            send(new Results(id, results));
        }
    }

    /** Sends a heartbeat when one is due, as the real agent does every heartbeat interval. */
    private void heartbeat(long now) {
        if (now >= nextHeartbeat) {
            nextHeartbeat = now + heartbeatNanos;
            int spooled = queue.size() + unacked.values().stream().mapToInt(s -> s.results().size()).sum();
            send(new Heartbeat(stats.instant(now), new AgentStats(0, 0, 0, 0, 1, spooled, 0, 0)));
        }
    }

    private ProbeResult result(Pending p) {
        String taskId = taskIds.get((int) (p.seq() % taskIds.size()));
        return result(index, p.seq(), stats.instant(p.createdNanos()), taskId, target.outcome(taskId, p.createdNanos()));
    }

    /** A successful tcp result as the plugin makes it; its id encodes {@code agentIndex} and {@code seq} (see {@link #check}). */
    static ProbeResult result(int agentIndex, long seq, Instant startedAt, String taskId) {
        return result(agentIndex, seq, startedAt, taskId, Outcome.UP);
    }

    static ProbeResult result(int agentIndex, long seq, Instant startedAt, String taskId, Outcome outcome) {
        UUID id = new UUID(startedAt.toEpochMilli() << 16 | 0x7000 | agentIndex, Long.MIN_VALUE | seq); // v7, variant 10
        ProbeResult.Builder b = ProbeResult.builder()
                .id(id.toString())
                .taskId(taskId)
                .type("tcp")
                .target("127.0.0.1:9")
                .status(outcome.status())
                .startedAt(startedAt)
                .durationNanos(outcome.connectNanos() + 2_000)
                .attribute("address", "127.0.0.1");
        return (outcome.status() == ProbeStatus.SUCCESS ? b.phaseNanos("connect", outcome.connectNanos())
                : b.error(ErrorKind.REFUSED, "connection refused")).build();
    }

    /** Sends in order: the JDK WebSocket allows one outstanding send at a time. */
    private void send(Message m) {
        String text = ProtocolCodec.encode(m);
        WebSocket ws = socket;
        sending = sending.thenCompose(x -> ws.sendText(text, true));
        sending.exceptionally(e -> {
            fail("send failed: " + e);
            return null;
        });
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            String text = partial.toString();
            partial.setLength(0);
            try {
                received(ProtocolCodec.decode(text));
            } catch (RuntimeException e) {
                fail("cannot handle " + text + ": " + e);
            }
        }
        ws.request(1);
        return null;
    }

    private void received(Message m) {
        long now = System.nanoTime();
        switch (m) {
            case Welcome w -> {
                synchronized (this) {
                    heartbeatNanos = w.heartbeatInterval().toNanos();
                    nextHeartbeat = now + heartbeatNanos;
                }
                welcomed.complete(w.heartbeatInterval());
            }
            case Ack a -> acked(a, now);
            case ErrorReply e -> {
                stats.errorReplies.increment();
                fail("server error reply: " + e.message());
            }
            default -> {
                // task changes, policy: a simulated agent runs nothing
            }
        }
    }

    private void acked(Ack ack, long now) {
        Sent sent;
        boolean more;
        synchronized (this) {
            sent = unacked.remove(ack.batch());
            more = windowFull;
            if (sent != null) {
                sent.results().forEach(p -> ackedSeqs.set((int) p.seq()));
            }
        }
        if (sent == null) {
            fail("ack of unknown batch " + ack.batch());
            return;
        }
        stats.stored.add(ack.stored());
        stats.duplicates.add(ack.duplicates());
        if (stats.inWindow(now)) {
            stats.storedInWindow.add(ack.stored());
        }
        if (stats.inWindow(sent.sentNanos())) {
            stats.batchRoundTrip.record(now - sent.sentNanos());
        }
        for (Pending p : sent.results()) {
            if (stats.inWindow(p.createdNanos())) {
                stats.resultLatency.record(now - p.createdNanos());
            }
        }
        if (more) {
            flush(now);
        }
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
        if (!closing) {
            fail("closed by the server: " + status + " " + reason);
        }
        return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
        fail("socket error: " + error);
    }

    private void fail(String why) {
        if (failure == null) {
            failure = why;
        }
        welcomed.completeExceptionally(new IllegalStateException(why));
    }

    String failure() {
        return failure;
    }

    synchronized long queued() {
        return queue.size();
    }

    synchronized long inFlight() {
        return unacked.values().stream().mapToLong(s -> s.results().size()).sum();
    }

    String agentId() {
        return enrolled.agentId();
    }

    /** Closes the socket normally (1000). */
    synchronized void close() {
        closing = true;
        if (socket != null) {
            WebSocket ws = socket;
            sending = sending.thenCompose(x -> ws.sendClose(WebSocket.NORMAL_CLOSURE, "bench done"));
        }
    }

    /** Compares the server's stored results of this agent (in each of its tasks) with the ids it made. */
    Check check(ServerApi api) throws java.io.IOException, InterruptedException {
        long made;
        BitSet acked;
        synchronized (this) {
            made = produced;
            acked = (BitSet) ackedSeqs.clone();
        }
        BitSet seen = new BitSet((int) Math.min(made, Integer.MAX_VALUE));
        long[] counts = new long[3]; // found, duplicates, foreign
        for (String taskId : taskIds) {
            api.results(taskId, enrolled.agentId(), (JsonNode r) -> {
                UUID id = UUID.fromString(r.path("id").asText());
                long seq = id.getLeastSignificantBits() & SEQ_MASK;
                if ((id.getMostSignificantBits() & 0xFFF) != index || seq >= made) {
                    counts[2]++;
                } else if (seen.get((int) seq)) {
                    counts[1]++;
                } else {
                    seen.set((int) seq);
                    counts[0]++;
                }
            });
        }
        BitSet lost = (BitSet) acked.clone();
        lost.andNot(seen);
        return new Check(made, counts[0], lost.cardinality(), made - counts[0] - lost.cardinality(), counts[1], counts[2]);
    }
}
