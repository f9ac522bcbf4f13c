package dev.vantage.server.http;

import dev.vantage.server.security.Principal;
import dev.vantage.server.security.Role;
import io.helidon.http.Method;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
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

    /**
     * A public endpoint where credentials are tried (login, token refresh, agent enrollment): guessing is slowed by
     * the stricter sign-in rate limit per client address.
     */
    public Routes signIn(Method method, String path, Handler handler) {
        return add(new Route(method, path, null, handler, true));
    }

    /** @throws IllegalArgumentException if this method and path are already taken */
    public Routes add(Method method, String path, Role minRole, Handler handler) {
        return add(new Route(method, path, minRole, handler));
    }

    private Routes add(Route route) {
        Method method = route.method();
        String path = route.path();
        for (Route r : routes) {
            if (r.method().equals(method) && r.path().equals(path)) {
                throw new IllegalArgumentException("route registered twice: " + r);
            }
        }
        routes.add(route);
        return this;
    }

    public List<Route> all() {
        return List.copyOf(routes);
    }

    /** The peer's address. Forwarding headers are not trusted: any client could set them. */
    public static String clientAddress(ServerRequest req) {
        SocketAddress a = req.remotePeer().address();
        return a instanceof InetSocketAddress i && i.getAddress() != null
                ? i.getAddress().getHostAddress() : String.valueOf(a);
    }

    /** The authenticated caller of a non-public route. */
    public static Principal principal(ServerRequest req) {
        return req.context().get(Principal.class)
                .orElseThrow(() -> new IllegalStateException("no principal: the route is public"));
    }
}
