package dev.vantage.server.http;

import dev.vantage.server.security.Role;
import io.helidon.http.Method;
import io.helidon.webserver.http.Handler;

/**
 * One HTTP endpoint and who may call it.
 *
 * @param method  the HTTP method
 * @param path    a Helidon path pattern such as {@code /api/v1/tasks/{id}}
 * @param minRole the least role a caller needs; {@code null} for a public endpoint (no credentials needed)
 * @param handler does the work; the caller's {@link dev.vantage.server.security.Principal} is in
 *                {@link Routes#principal}
 * @param signIn  a public route where credentials are tried (login, refresh, enrollment): its own, stricter rate
 *                limit per client address
 */
public record Route(Method method, String path, Role minRole, Handler handler, boolean signIn) {
    public Route(Method method, String path, Role minRole, Handler handler) {
        this(method, path, minRole, handler, false);
    }

    public boolean isPublic() {
        return minRole == null;
    }

    @Override
    public String toString() {
        return method.text() + " " + path + " (" + (minRole == null ? "public" : minRole.id()) + ")";
    }
}
