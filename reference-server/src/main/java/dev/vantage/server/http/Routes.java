package dev.vantage.server.http;

import dev.vantage.server.security.Principal;
import dev.vantage.server.security.Role;
import io.helidon.http.Method;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import java.util.ArrayList;
import java.util.List;

/**
 * The route table: every HTTP endpoint of the API with the least role it needs. The server's routing is built from
 * it alone (see {@link ApiRouting}), tests walk it (route × role), and {@code openapi.yaml} must list the same
 * endpoints. Add routes through an {@link ApiModule}.
 */
public final class Routes {
    private final List<Route> routes = new ArrayList<>();

    public Routes get(String path, Role minRole, Handler handler) {
        return add(Method.GET, path, minRole, handler);
    }

    public Routes post(String path, Role minRole, Handler handler) {
        return add(Method.POST, path, minRole, handler);
    }

    public Routes put(String path, Role minRole, Handler handler) {
        return add(Method.PUT, path, minRole, handler);
    }

    public Routes patch(String path, Role minRole, Handler handler) {
        return add(Method.PATCH, path, minRole, handler);
    }

    public Routes delete(String path, Role minRole, Handler handler) {
        return add(Method.DELETE, path, minRole, handler);
    }

    /** An endpoint anyone may call without credentials (login, health, the OpenAPI document). */
    public Routes publicRoute(Method method, String path, Handler handler) {
        return add(method, path, null, handler);
    }

    /** @throws IllegalArgumentException if this method and path are already taken */
    public Routes add(Method method, String path, Role minRole, Handler handler) {
        for (Route r : routes) {
            if (r.method().equals(method) && r.path().equals(path)) {
                throw new IllegalArgumentException("route registered twice: " + r);
            }
        }
        routes.add(new Route(method, path, minRole, handler));
        return this;
    }

    public List<Route> all() {
        return List.copyOf(routes);
    }

    /** The authenticated caller of a non-public route. */
    public static Principal principal(ServerRequest req) {
        return req.context().get(Principal.class)
                .orElseThrow(() -> new IllegalStateException("no principal: the route is public"));
    }
}
