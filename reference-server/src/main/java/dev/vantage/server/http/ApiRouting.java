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
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.MDC;

/**
 * Builds the Helidon routing from the route table: every route gets authentication, its role check, error mapping
 * and a request timer; anything no route matches gets a problem+json 404 or 405.
 */
public final class ApiRouting {
    private static final Logger LOG = LoggerFactory.getLogger(ApiRouting.class);
    private static final io.helidon.http.HeaderName REQUEST_ID = HeaderNames.create("X-Request-Id");
    private static final java.util.regex.Pattern REQUEST_ID_FORM = java.util.regex.Pattern.compile("[A-Za-z0-9._:-]{1,64}");
    /** Routes of one task: their log lines carry its id. */
    private static final String TASK_ROUTE = "/api/v1/tasks/{id}";

    private final Authentication authenticator;
    private final MeterRegistry registry;
    private final RateLimiter limiter;
    private final AuditTrail audit;

    public ApiRouting(Authentication authenticator, MeterRegistry registry, RateLimiter limiter, AuditTrail audit) {
        this.authenticator = authenticator;
        this.registry = registry;
        this.limiter = limiter;
        this.audit = audit;
    }

    /** Adds {@code routes}, then what each module adds outside the table, then the 404/405 fallback. */
    public void apply(HttpRouting.Builder routing, Routes routes, List<ApiModule> modules, List<String> corsOrigins,
                      boolean overTls) {
        // every response, UI pages and static files included: no framing (clickjacking), no MIME sniffing, and no
        // referrer leaking task URLs to other sites
        routing.addFilter((chain, req, res) -> {
            // every log line of this request carries its id; a caller's own id (a proxy's) is kept when it is plain
            String requestId = req.headers().first(REQUEST_ID).filter(id -> REQUEST_ID_FORM.matcher(id).matches())
                    .orElseGet(() -> UUID.randomUUID().toString());
            res.header(REQUEST_ID, requestId);
            try (MDC.MDCCloseable ignored = MDC.putCloseable("requestId", requestId)) {
                chain.proceed();
            }
        });
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
            routing.route(route.method(), route.path(), guarded(route, routes));
        }
        for (ApiModule m : modules) {
            m.extraRouting(routing);
        }
        routing.any(fallback(routes.all()));
        routing.error(Throwable.class, Problems::send);
    }

    private Handler guarded(Route route, Routes routes) {
        Function<String, Optional<?>> view = routes.view(route.objectType()).orElse(id -> Optional.empty());
        return (req, res) -> {
            long start = System.nanoTime();
            try {
                res.header(HeaderNames.CACHE_CONTROL, "no-store");
                // every API call draws from its address's bucket
                boolean api = route.rateLimited();
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
                if (route.path().startsWith(TASK_ROUTE)) {
                    MDC.put("taskId", req.path().pathParameters().first("id").orElse(""));
                }
                if (route.changes()) {
                    audited(route, view, req, res);
                } else {
                    route.handler().handle(req, res);
                }
            } catch (Exception e) {
                Problems.send(req, res, e);
            } finally {
                MDC.remove("taskId");
                record(req, res, route.path(), start);
            }
        };
    }

    /**
     * Runs a route that changes something and, if it succeeded, records who changed what, with the object as the API
     * reads it before and after. This is the audit log's one recording point: slices only describe their objects
     * ({@link Routes#describe}).
     */
    private void audited(Route route, Function<String, Optional<?>> view, ServerRequest req, ServerResponse res)
            throws Exception {
        String param = route.idParameter();
        Optional<String> id = Optional.ofNullable(param == null ? null : req.path().pathParameters().get(param));
        Optional<Object> before = id.flatMap(view).map(Object.class::cast);
        route.handler().handle(req, res);
        int status = res.status().code();
        if (status >= 400) {
            return;
        }
        // a create names its object in Location (.../users/{new id})
        Optional<String> objectId = id.or(() -> res.headers().first(HeaderNames.LOCATION)
                .map(l -> l.substring(l.lastIndexOf('/') + 1)));
        try {
            Optional<Object> after = objectId.flatMap(view).map(Object.class::cast);
            audit.record(new AuditTrail.Change(Routes.principal(req), Routes.clientAddress(req),
                    route.method().text() + " " + route.path(), route.objectType(), objectId, status, before, after));
        } catch (RuntimeException e) {
            // the change is committed and answered: losing its record must be loud, not undo or hide the change
            LOG.error("audit: could not record {} {} by {}: {}", route.method().text(), req.path().path(),
                    Routes.principal(req).username(), e.toString());
        }
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
