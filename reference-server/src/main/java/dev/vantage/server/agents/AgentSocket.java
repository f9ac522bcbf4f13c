package dev.vantage.server.agents;

import io.helidon.common.buffers.BufferData;
import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.http.RequestException;
import io.helidon.http.Status;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;
import java.util.Optional;

/**
 * {@code /ws/agent}: one instance per connection. The agent's credential is checked before the upgrade and a refused
 * one gets a plain HTTP 401, which tells a revoked agent to stop rather than retry.
 */
final class AgentSocket implements WsListener {
    private final AgentStore agents;
    private final AgentHub hub;
    private volatile String agentId;
    private volatile Object handle;
    private volatile SessionConnection connection;
    private final StringBuilder partial = new StringBuilder(); // only touched on this connection's thread

    AgentSocket(AgentStore agents, AgentHub hub) {
        this.agents = agents;
        this.hub = hub;
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

    @Override
    public Optional<Headers> onHttpUpgrade(HttpPrologue prologue, Headers headers) {
        Optional<String> auth = headers.first(HeaderNames.AUTHORIZATION);
        // not WsUpgradeException: Helidon answers that with an empty 400, and agents must be able to tell a revoked
        // credential (stop) from a passing failure (retry)
        agentId = authenticate(agents, auth).orElseThrow(() -> RequestException.builder()
                .type(DirectHandler.EventType.OTHER)
                .status(Status.UNAUTHORIZED_401)
                .message("agent credential missing or refused")
                .safeMessage(true)
                .build());
        return Optional.empty();
    }

    @Override
    public void onOpen(WsSession session) {
        connection = new SessionConnection(session);
        handle = hub.opened(agentId, connection);
    }

    @Override
    public void onMessage(WsSession session, String text, boolean last) {
        // a large results batch may arrive in fragments: hand the hub whole messages only
        if (!last) {
            partial.append(text);
            return;
        }
        if (partial.isEmpty()) {
            hub.received(handle, text);
        } else {
            partial.append(text);
            String whole = partial.toString();
            partial.setLength(0);
            hub.received(handle, whole);
        }
    }

    /**
     * Helidon does not answer pings by itself. Agents ping with every heartbeat and take a server that stays silent
     * for two intervals for dead, so a quiet but healthy server must pong.
     */
    @Override
    public void onPing(WsSession session, BufferData buffer) {
        synchronized (connection) {
            session.pong(buffer);
        }
    }

    @Override
    public void onClose(WsSession session, int status, String reason) {
        if (handle != null) {
            hub.closed(handle);
        }
    }

    @Override
    public void onError(WsSession session, Throwable t) {
        if (handle != null) {
            hub.closed(handle);
        }
    }

    /** Serializes sends: the hub writes from several threads. */
    static final class SessionConnection implements AgentConnection {
        private final WsSession session;

        SessionConnection(WsSession session) {
            this.session = session;
        }

        @Override
        public synchronized void send(String text) {
            session.send(text, true);
        }

        @Override
        public synchronized void close(int code, String reason) {
            try {
                session.close(code, reason);
            } catch (RuntimeException e) {
                // Helidon unwinds the connection's own thread with an exception; from other threads the socket is
                // already going away, which is all a close asks for
            }
        }
    }
}
