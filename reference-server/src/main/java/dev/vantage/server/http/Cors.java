package dev.vantage.server.http;

import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import java.util.List;

/**
 * Cross-origin access for the listed origins only ({@code *} for any). Without a list no CORS header is ever sent,
 * so browsers keep pages from other origins out. Credentials travel as bearer tokens, never cookies, so
 * {@code Access-Control-Allow-Credentials} is not needed.
 */
public final class Cors implements Filter {
    private final List<String> allowedOrigins;

    public Cors(List<String> allowedOrigins) {
        this.allowedOrigins = List.copyOf(allowedOrigins);
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        String origin = req.headers().first(HeaderNames.ORIGIN).orElse(null);
        if (origin == null || !(allowedOrigins.contains(origin) || allowedOrigins.contains("*"))) {
            chain.proceed();
            return;
        }
        res.header(HeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        res.header(HeaderNames.VARY, "Origin");
        if (req.prologue().method().equals(Method.OPTIONS)
                && req.headers().contains(HeaderNames.ACCESS_CONTROL_REQUEST_METHOD)) {
            res.header(HeaderNames.ACCESS_CONTROL_ALLOW_METHODS, "GET, POST, PUT, PATCH, DELETE");
            res.header(HeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, "Authorization, Content-Type");
            res.header(HeaderNames.ACCESS_CONTROL_MAX_AGE, "600");
            res.status(Status.NO_CONTENT_204).send();
            return;
        }
        res.header(HeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS, "Location, Retry-After");
        chain.proceed();
    }
}
