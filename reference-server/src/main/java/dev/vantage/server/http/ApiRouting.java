package dev.vantage.server.http;

import dev.vantage.server.errors.Message;
import dev.vantage.server.errors.ForbiddenException;
import dev.vantage.server.errors.RateLimitedException;
import dev.vantage.server.security.ratelimit.RateLimiter;
import dev.vantage.server.security.Authentication;
import dev.vantage.server.security.Principal;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.PathMatcher;
import io.helidon.http.PathMatchers;
import io.helidon.http.Status;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Builds the Helidon routing from the route table: every route gets authentication, its role check, error mapping
 * and a request timer; anything no route matches gets a problem+json 404 or 405.
 */
public final class ApiRouting {
    private final Authentication authenticator;
    private final MeterRegistry registry;
    private final RateLimiter limiter;

    public ApiRouting(Authentication authenticator, MeterRegistry registry, RateLimiter limiter) {
        this.authenticator = authenticator;
        this.registry = registry;
        this.limiter = limiter;
    }

    /** Adds {@code routes}, then what each module adds outside the table, then the 404/405 fallback. */
    public void apply(HttpRouting.Builder routing, Routes routes, List<ApiModule> modules, List<String> corsOrigins,
                      boolean overTls) {
        // every response, UI pages and static files included: no framing (clickjacking), no MIME sniffing, and no
        // referrer leaking task URLs to other sites
        routing.addFilter((chain, req, res) -> {
            res.header(HeaderNames.create("X-Frame-Options"), "DENY");
            res.header(HeaderNames.X_CONTENT_TYPE_OPTIONS, "nosniff");
            res.header(HeaderNames.create("Referrer-Policy"), "no-referrer");
            if (overTls) {
                // browsers that once reached us over HTTPS never fall back to plain HTTP (no subdomains: not ours)
                res.header(HeaderNames.STRICT_TRANSPORT_SECURITY, "max-age=31536000");
            }
            chain.proceed();
        });
        if (!corsOrigins.isEmpty()) {
            routing.addFilter(new Cors(corsOrigins));
        }
        for (Route route : routes.all()) {
            routing.route(route.method(), route.path(), guarded(route));
        }
        for (ApiModule m : modules) {
            m.extraRouting(routing);
        }
        routing.any(fallback(routes.all()));
        routing.error(Throwable.class, Problems::send);
    }

    private Handler guarded(Route route) {
        return (req, res) -> {
            long start = System.nanoTime();
            try {
                res.header(HeaderNames.CACHE_CONTROL, "no-store");
                // health checks and Prometheus scrapes stay outside; every API call draws from its address's bucket
                boolean api = route.path().startsWith("/api/");
                if (api) {
                    String address = Routes.clientAddress(req);
                    limit(RateLimiter.Kind.ADDRESS, address);
                    if (route.signIn()) {
                        limit(RateLimiter.Kind.SIGN_IN, address);
                    }
                }
                if (!route.isPublic()) {
                    Principal principal = authenticator.authenticate(req.headers().first(HeaderNames.AUTHORIZATION).orElse(null));
                    if (api) {
                        if (principal.viaSession()) {
                            limit(RateLimiter.Kind.USER, principal.userId());
                        } else {
                            limit(RateLimiter.Kind.TOKEN, principal.apiTokenId());
                        }
                    }
                    if (!principal.role().includes(route.minRole())) {
                        throw new ForbiddenException(Message.of("auth.needsRole", route.minRole().id()));
                    }
                    req.context().register(principal);
                }
                route.handler().handle(req, res);
            } catch (Exception e) {
                Problems.send(req, res, e);
            } finally {
                record(req, res, route.path(), start);
            }
        };
    }

    private void limit(RateLimiter.Kind kind, String id) {
        long wait = limiter.take(kind, id);
        if (wait > 0) {
            throw new RateLimitedException(Message.of("http.tooManyRequests", wait), wait);
        }
    }

    private Handler fallback(List<Route> routes) {
        List<PathMatcher> matchers = new ArrayList<>();
        routes.forEach(r -> matchers.add(PathMatchers.create(r.path())));
        return (req, res) -> {
            long start = System.nanoTime();
            Set<String> allowed = new LinkedHashSet<>();
            for (int i = 0; i < routes.size(); i++) {
                if (matchers.get(i).match(req.path()).accepted()) {
                    allowed.add(routes.get(i).method().text());
                }
            }
            if (allowed.isEmpty()) {
                Problems.send(res, Status.NOT_FOUND_404,
                        Message.of("http.notFound").in(Languages.of(req, res, Languages.SERVER)));
            } else if (req.prologue().method().equals(Method.OPTIONS)) {
                res.header(HeaderNames.ALLOW, String.join(", ", allowed));
                res.status(Status.NO_CONTENT_204).send();
            } else {
                res.header(HeaderNames.ALLOW, String.join(", ", allowed));
                Problems.send(res, Status.METHOD_NOT_ALLOWED_405, Message.of("http.methods", String.join(", ", allowed))
                        .in(Languages.of(req, res, Languages.SERVER)));
            }
            record(req, res, allowed.isEmpty() ? "NOT_FOUND" : "METHOD_NOT_ALLOWED", start);
        };
    }

    /** One timer per route pattern (never the raw path, which would make a series per id). */
    private void record(ServerRequest req, ServerResponse res, String uri, long startNanos) {
        int status = res.status().code();
        Timer.builder("http.server.requests")
                .description("HTTP requests handled by the API")
                .tag("method", req.prologue().method().text())
                .tag("uri", uri)
                .tag("status", Integer.toString(status))
                .tag("outcome", status < 400 ? "SUCCESS" : status < 500 ? "CLIENT_ERROR" : "SERVER_ERROR")
                .register(registry)
                .record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
    }
}
