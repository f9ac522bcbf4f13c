package dev.vantage.server.http;

import dev.vantage.server.errors.ForbiddenException;
import dev.vantage.server.errors.NotAuthenticatedException;
import io.helidon.http.DirectHandler;
import io.helidon.http.HttpPrologue;
import io.helidon.http.RequestException;
import io.helidon.http.Status;
import io.helidon.http.WritableHeaders;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http1.Http1ConnectionSelector;
import io.helidon.webserver.http1.spi.Http1Upgrader;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.webserver.spi.ServerConnectionSelector;
import io.helidon.webserver.websocket.WsConfig;
import io.helidon.webserver.websocket.WsUpgrader;
import java.util.List;

/**
 * Helidon's WebSocket upgrade, after every module's {@link ApiModule#beforeUpgrade} check: a refused upgrade is
 * answered with a plain HTTP error (problem+json by {@link TransportProblems}) before the protocol switches, rather
 * than accepted and then closed.
 */
public final class CheckedWsUpgrader implements Http1Upgrader {
    private final Http1Upgrader ws = WsUpgrader.create(WsConfig.create());
    private final List<ApiModule> modules;

    private CheckedWsUpgrader(List<ApiModule> modules) {
        this.modules = modules;
    }

    /**
     * HTTP/1 with this upgrade, for the listener's selectors. Those given explicitly are tried before the ones Helidon
     * discovers, so every HTTP/1 connection is handled by this one.
     */
    public static ServerConnectionSelector http1(List<ApiModule> modules) {
        return Http1ConnectionSelector.builder().config(Http1Config.create())
                .addUpgrader(new CheckedWsUpgrader(modules)).build();
    }

    @Override
    public String supportedProtocol() {
        return ws.supportedProtocol();
    }

    @Override
    public ServerConnection upgrade(ConnectionContext ctx, HttpPrologue prologue, WritableHeaders<?> headers) {
        try {
            modules.forEach(m -> m.beforeUpgrade(prologue, ctx.remotePeer(), headers));
        } catch (NotAuthenticatedException | ForbiddenException e) {
            // not WsUpgradeException: Helidon answers that with an empty 400, and agents must be able to tell a
            // refused credential (401: stop) from a refused certificate or a passing failure (retry)
            throw RequestException.builder()
                    .type(DirectHandler.EventType.OTHER)
                    .status(e instanceof ForbiddenException ? Status.FORBIDDEN_403 : Status.UNAUTHORIZED_401)
                    .message("credential missing or refused")
                    .safeMessage(true)
                    .build();
        }
        return ws.upgrade(ctx, prologue, headers);
    }
}
