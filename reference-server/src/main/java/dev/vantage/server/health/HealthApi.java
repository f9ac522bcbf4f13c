package dev.vantage.server.health;

import dev.vantage.server.db.Database;
import dev.vantage.server.http.ApiModule;
import dev.vantage.server.http.Json;
import dev.vantage.server.http.Routes;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * {@code /health} (the process answers), {@code /ready} (the database answers and is migrated; 503 otherwise) and
 * {@code /metrics} (Prometheus text). Public, like every exporter, so probes and scrapers need no credentials.
 */
public final class HealthApi implements ApiModule {
    private final Database db;
    private final PrometheusMeterRegistry registry;

    public HealthApi(Database db, PrometheusMeterRegistry registry) {
        this.db = db;
        this.registry = registry;
    }

    @Override
    public void routes(Routes routes) {
        routes.publicRoute(Method.GET, "/health", this::health)
                .publicRoute(Method.GET, "/ready", this::ready)
                .publicRoute(Method.GET, "/metrics", this::metrics);
    }

    private void health(ServerRequest req, ServerResponse res) {
        Json.send(res, Map.of("status", "UP"));
    }

    private void ready(ServerRequest req, ServerResponse res) {
        boolean up = db.ready();
        Json.send(res, up ? Status.OK_200 : Status.SERVICE_UNAVAILABLE_503,
                Map.of("status", up ? "UP" : "DOWN", "checks", Map.of("database", up ? "UP" : "DOWN")));
    }

    private void metrics(ServerRequest req, ServerResponse res) {
        res.header(HeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
        res.send(registry.scrape().getBytes(StandardCharsets.UTF_8));
    }
}
