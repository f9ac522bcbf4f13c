package dev.vantage.server;

import dev.vantage.server.agents.AgentsModule;
import dev.vantage.server.auth.ApiTokensApi;
import dev.vantage.server.instant.InstantTests;
import dev.vantage.server.instant.InstantTestsApi;
import dev.vantage.server.live.LiveApi;
import dev.vantage.server.live.LiveFeed;
import dev.vantage.server.auth.AuthApi;
import dev.vantage.server.health.HealthApi;
import dev.vantage.server.http.ApiModule;
import dev.vantage.server.http.ApiRouting;
import dev.vantage.server.http.Routes;
import dev.vantage.server.openapi.OpenApiApi;
import dev.vantage.server.results.ResultsApi;
import dev.vantage.server.tasks.PluginsApi;
import dev.vantage.server.tasks.TasksApi;
import dev.vantage.server.ui.UiModule;
import dev.vantage.server.users.UsersApi;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.websocket.WsRouting;
import java.util.List;

/**
 * The HTTP server: the API modules, the route table built from them, and the Helidon web server. {@link #modules}
 * is the one place a feature is plugged in.
 */
public final class ServerApp implements AutoCloseable {
    private final ServerCore core;
    private final List<ApiModule> modules;
    private final Routes routes;
    private final WebServer server;

    private ServerApp(ServerCore core, List<ApiModule> modules) {
        this.core = core;
        this.modules = modules;
        this.routes = routes(modules);
        WsRouting.Builder ws = WsRouting.builder();
        modules.forEach(m -> m.webSockets(ws));
        ApiRouting api = new ApiRouting(core.authenticator(), core.registry());
        this.server = WebServer.builder()
                .host(core.config().host())
                .port(core.config().port())
                .maxPayloadSize(core.config().maxBodyBytes())
                .shutdownHook(false) // Main stops the server, then the modules and the database, in that order
                .routing((HttpRouting.Builder r) -> api.apply(r, routes, modules, core.config().corsAllowedOrigins()))
                .addRouting(ws)
                .build();
    }

    /** Every feature of the server, in the order their routes are matched. Add a new module here. */
    public static List<ApiModule> modules(ServerCore core) {
        LiveFeed live = new LiveFeed(core.dispatch());
        AgentsModule agents = new AgentsModule(core, live);
        return List.of(
                new HealthApi(core.database(), core.registry()),
                new OpenApiApi(),
                new AuthApi(core.users(), core.passwords(), core.sessions(), core.loginThrottle()),
                new ApiTokensApi(core.apiTokens()),
                new UsersApi(core.users(), core.passwords()),
                new TasksApi(core.tasks(), core.engine()),
                new PluginsApi(core.engine()),
                new ResultsApi(core.results(), core.tasks(), core.clock(), core.config().resultsMaxAggregateRows()),
                agents,
                new InstantTestsApi(new InstantTests(core.database(), agents.hub(), agents.store(), core.dispatch(),
                        core.clock(), core.config().agentHeartbeat()), agents.store(), core.engine()),
                new LiveApi(live, core.authenticator()),
                new UiModule());
    }

    /** The route table of {@code modules}. */
    public static Routes routes(List<ApiModule> modules) {
        Routes routes = new Routes();
        modules.forEach(m -> m.routes(routes));
        return routes;
    }

    /** Starts the web server with {@link #modules}. */
    public static ServerApp start(ServerCore core) {
        return start(core, modules(core));
    }

    public static ServerApp start(ServerCore core, List<ApiModule> modules) {
        ServerApp app = new ServerApp(core, List.copyOf(modules));
        app.server.start();
        modules.forEach(m -> m.started(app.port()));
        return app;
    }

    /** The port the server listens on (useful with port 0). */
    public int port() {
        return server.port();
    }

    public Routes routes() {
        return routes;
    }

    public ServerCore core() {
        return core;
    }

    /**
     * Tells the modules the server is stopping (while it still serves, so the local agent can hand over its last
     * results), stops the web server, then closes the modules. The core stays open: its owner closes it.
     */
    @Override
    public void close() {
        for (ApiModule m : modules.reversed()) {
            m.stopping();
        }
        server.stop();
        for (ApiModule m : modules.reversed()) {
            m.close();
        }
    }
}
