package dev.vantage.server.http;

import io.helidon.common.socket.PeerInfo;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.websocket.WsRouting;

/**
 * One feature of the server (auth, tasks, agents...). {@link dev.vantage.server.ServerApp#modules} lists them all;
 * the server calls {@link #routes} once at start and {@link #close} at shutdown.
 */
public interface ApiModule extends AutoCloseable {
    /** Adds this feature's endpoints to the route table, each with the least role it needs. */
    void routes(Routes routes);

    /** Adds WebSocket endpoints. They are not in the route table: each authenticates in its upgrade handler. */
    default void webSockets(WsRouting.Builder ws) {
    }

    /**
     * Checks a WebSocket upgrade before it is accepted, with the connection's peer at hand (its TLS certificates,
     * which a {@code WsListener}'s upgrade handler does not see); throws to refuse it with that error's answer.
     */
    default void beforeUpgrade(HttpPrologue prologue, PeerInfo peer, Headers headers) {
    }

    /**
     * Adds handlers that cannot be described as single routes, such as static files for the web UI. They run after
     * the route table's routes; they must not serve paths under {@code /api/}.
     */
    default void extraRouting(HttpRouting.Builder routing) {
    }

    /** Called once the web server listens on {@code port}, before any request is served to agents. */
    default void started(int port) {
    }

    /** Called when the server is about to stop, while it still serves requests. */
    default void stopping() {
    }

    /** Releases what the module holds (threads, connections); called after the HTTP server stopped. */
    @Override
    default void close() {
    }
}
