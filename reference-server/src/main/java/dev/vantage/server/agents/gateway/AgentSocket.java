package dev.vantage.server.agents.gateway;

import dev.vantage.server.agents.certificates.AgentIdentity;
import dev.vantage.server.agents.store.AgentRecord;
import dev.vantage.server.agents.store.AgentStore;
import dev.vantage.server.errors.ForbiddenException;
import dev.vantage.server.errors.NotAuthenticatedException;
import io.helidon.common.buffers.BufferData;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * {@code /ws/agent}: one instance per connection. The agent's credential (certificate or bearer) is checked before
 * the upgrade and a refused one gets a plain HTTP 401, which tells a revoked agent to stop rather than retry.
 */
final class AgentSocket implements WsListener {
    private final AgentGateway gateway;
    private final AgentIdentity identity;
    private volatile Headers headers;
    private volatile String agentId;
    private volatile Object handle;
    private volatile SessionConnection connection;
    private final StringBuilder partial = new StringBuilder(); // only touched on this connection's thread

    AgentSocket(AgentGateway gateway, AgentIdentity identity) {
        this.gateway = gateway;
        this.identity = identity;
    }

    /** The agent id of a valid {@code Authorization: Bearer <agentId>.<credential>} header, if any. */
    static Optional<String> authenticate(AgentStore agents, Optional<String> authorization) {
        return authorization
                .filter(h -> h.regionMatches(true, 0, "Bearer ", 0, 7))
                .map(h -> h.substring(7).trim())
                .filter(t -> t.indexOf('.') > 0)
                .flatMap(t -> agents.authenticate(t.substring(0, t.indexOf('.')), t.substring(t.indexOf('.') + 1)))
                .map(AgentRecord::id);
    }

    /** The upgrade was checked already ({@link AgentEndpoint#beforeUpgrade}); its headers are kept for the open. */
    @Override
    public Optional<Headers> onHttpUpgrade(HttpPrologue prologue, Headers headers) {
        this.headers = headers;
        return Optional.empty();
    }

    /**
     * Authenticates once more, on the open connection, before anything it sends is read: the check before the upgrade
     * let it through, but an agent revoked in between is refused here.
     */
    @Override
    public void onOpen(WsSession session) {
        try {
            agentId = identity.authenticate(session.socketContext().remotePeer(), headers);
        } catch (NotAuthenticatedException | ForbiddenException e) {
            session.close(AgentGateway.CLOSE_REVOKED, "agent credential refused");
            return;
        }
        connection = new SessionConnection(session);
        handle = gateway.opened(agentId, connection);
    }

    @Override
    public void onMessage(WsSession session, String text, boolean last) {
        if (handle == null) {
            return; // refused in onOpen: nothing it sends is read
        }
        // a large results batch may arrive in fragments: hand the gateway whole messages only
        if (!last) {
            partial.append(text);
            return;
        }
        if (partial.isEmpty()) {
            gateway.received(handle, text);
        } else {
            partial.append(text);
            String whole = partial.toString();
            partial.setLength(0);
            gateway.received(handle, whole);
        }
    }

    /**
     * Helidon does not answer pings by itself. Agents ping with every heartbeat and take a server that stays silent
     * for two intervals for dead, so a quiet but healthy server must pong.
     */
    @Override
    public void onPing(WsSession session, BufferData buffer) {
        if (connection == null) {
            return;
        }
        connection.pong(buffer.copy());
    }

    @Override
    public void onClose(WsSession session, int status, String reason) {
        if (handle != null) {
            gateway.closed(handle);
        }
    }

    @Override
    public void onError(WsSession session, Throwable t) {
        if (handle != null) {
            gateway.closed(handle);
        }
    }

    /**
     * Frames leave through an outbox drained by the connection's own virtual thread, in order, so that no gateway thread
     * (task changes go to every agent under one lock; the sweep closes silent ones) ever waits on one agent's socket.
     * The outbox is bounded by size. Frames are deltas and must not be dropped: an agent that lets it fill (it has
     * stopped reading) is disconnected, reconnects, and its welcome carries the whole current task set.
     */
    static final class SessionConnection implements AgentConnection {
        /** Characters of text frames waiting; one frame is always accepted, however large (a welcome can be). */
        static final long OUTBOX_CHARS = 8L << 20;
        private final WsSession session;
        private final BlockingQueue<Frame> outbox = new LinkedBlockingQueue<>();
        private final AtomicLong queuedChars = new AtomicLong();
        private final AtomicBoolean closing = new AtomicBoolean();
        private final Thread writer;

        private record Frame(long chars, Consumer<WsSession> write) {
        }

        SessionConnection(WsSession session) {
            this.session = session;
            this.writer = Thread.ofVirtual().name("vantage-agent-writer").start(this::drain);
        }

        private void drain() {
            try {
                while (true) {
                    Frame f = outbox.take();
                    f.write().accept(session);
                    queuedChars.addAndGet(-f.chars());
                }
            } catch (InterruptedException | StopWriting e) {
                // closed
            } catch (RuntimeException e) {
                // the socket is gone; the gateway hears of it from the close, or from the agent's silence
            }
        }

        @Override
        public void send(String text) {
            if (closing.get()) {
                return;
            }
            long before = queuedChars.getAndAdd(text.length()); // kept when refused: close() then sees it full
            if (before > 0 && before + text.length() > OUTBOX_CHARS) {
                close(AgentGateway.CLOSE_TRY_AGAIN, "not reading: " + before + " characters waiting to be sent");
                return;
            }
            outbox.add(new Frame(text.length(), ws -> ws.send(text, true)));
        }

        /** Answers a ping in turn with the other frames (Helidon must not write two frames at once). */
        void pong(BufferData data) {
            if (!closing.get()) {
                outbox.add(new Frame(0, ws -> ws.pong(data)));
            }
        }

        /**
         * After the frames already queued, unless the agent has stopped reading: then at once (interrupting the
         * stuck write, which drops the socket).
         */
        @Override
        public void close(int code, String reason) {
            if (!closing.compareAndSet(false, true)) {
                return;
            }
            if (queuedChars.get() > OUTBOX_CHARS) {
                writer.interrupt();
                return;
            }
            outbox.add(new Frame(0, ws -> {
                try {
                    ws.close(code, reason);
                } catch (RuntimeException e) {
                    // the socket is already going away, which is all a close asks for
                }
                throw new StopWriting();
            }));
        }

        /** Ends the writer after the close frame. */
        private static final class StopWriting extends RuntimeException {
            StopWriting() {
                super(null, null, false, false);
            }
        }
    }
}
