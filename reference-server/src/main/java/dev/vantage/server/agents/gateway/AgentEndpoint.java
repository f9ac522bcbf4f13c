package dev.vantage.server.agents.gateway;

import dev.vantage.server.errors.Message;
import dev.vantage.server.agents.certificates.AgentIdentity;
import dev.vantage.server.errors.InvalidInputException;
import dev.vantage.server.http.ApiModule;
import dev.vantage.server.http.Routes;
import io.helidon.common.socket.PeerInfo;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.websocket.WsRouting;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@code /ws/agent} on the web server: the WebSocket endpoint of the {@link AgentGateway}, its answer to plain HTTP,
 * and the periodic sweep of silent connections.
 */
public final class AgentEndpoint implements ApiModule {
    private final AgentGateway gateway;
    private final AgentIdentity identity;
    private final ScheduledExecutorService sweeper;
    /** How often the host's own addresses are listed again. */
    static final java.time.Duration ADDRESS_REFRESH = java.time.Duration.ofSeconds(5);

    public AgentEndpoint(AgentGateway gateway, AgentIdentity identity) {
        this.gateway = gateway;
        this.identity = identity;
        this.sweeper = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("agent-sweeper").factory());
        // Helidon 4.5 does not tell a WebSocket listener when the peer's socket just dies (EOF while reading a frame
        // skips onClose/onError), so a killed agent is found by this sweep: within two heartbeats plus a tenth
        long period = Math.max(100, gateway.heartbeatInterval().toMillis() / 10);
        sweeper.scheduleAtFixedRate(gateway::sweep, period, period, TimeUnit.MILLISECONDS);
    }

    @Override
    public void routes(Routes routes) {
        // agents authenticate with their own credential, not a user role: nothing in the route table
    }

    @Override
    public void webSockets(WsRouting.Builder ws) {
        ws.endpoint("/ws/agent", () -> new AgentSocket(gateway, identity));
    }

    /**
     * Plain HTTP on the agent WebSocket's path, reached only when the upgrade was refused (bad credential) or not
     * asked for.
     */
    @Override
    public void extraRouting(HttpRouting.Builder routing) {
        routing.get("/ws/agent", (req, res) -> {
            identity.authenticate(req.remotePeer(), req.headers());
            throw new InvalidInputException(Message.of("agent.websocketOnly"));
        });
    }

    /** An agent's upgrade without a credential, or with a refused one, gets its 401 before the switch. */
    @Override
    public void beforeUpgrade(HttpPrologue prologue, PeerInfo peer, Headers headers) {
        if (prologue.uriPath().path().equals("/ws/agent")) {
            identity.authenticate(peer, headers);
        }
    }

    /** Tells the gateway which addresses and port are this server's own. */
    @Override
    public void started(int port) {
        gateway.serverEndpoints(ownAddresses(), List.of(port));
        // an interface added later (a bridge, a VPN) must not stay probeable until a restart; listing the host's
        // addresses takes well under a millisecond, and only a change is sent to the agents
        sweeper.scheduleWithFixedDelay(() -> gateway.serverEndpoints(ownAddresses(), List.of(port)),
                ADDRESS_REFRESH.toMillis(), ADDRESS_REFRESH.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** This machine's non-loopback addresses: agents must not be pointed at the server's host. */
    static List<String> ownAddresses() {
        try {
            return NetworkInterface.networkInterfaces()
                    .flatMap(NetworkInterface::inetAddresses)
                    .filter(a -> !a.isLoopbackAddress() && !a.isLinkLocalAddress())
                    .map(a -> a.getHostAddress().replaceFirst("%.*$", ""))
                    .distinct()
                    .sorted() // a stable order: only a real change counts as one
                    .toList();
        } catch (SocketException e) {
            return List.of();
        }
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
        gateway.close();
    }
}
