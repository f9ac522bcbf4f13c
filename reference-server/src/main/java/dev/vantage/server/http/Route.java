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
 * @param changes the route changes what is stored: each success is recorded in the audit log
 */
public record Route(Method method, String path, Role minRole, Handler handler, boolean signIn, boolean changes) {
    /** A route that changes what is stored unless it is a GET or public. */
    public Route(Method method, String path, Role minRole, Handler handler) {
        this(method, path, minRole, handler, false, minRole != null && !method.equals(Method.GET));
    }

    /**
     * What the route acts on, for the audit log: the literal segments after {@code /api/v1/} up to the first
     * parameter ({@code agents} for {@code /api/v1/agents/{id}/policy}, {@code agents/enrollment-tokens}).
     */
    public String objectType() {
        String rest = path.startsWith("/api/v1/") ? path.substring("/api/v1/".length()) : path;
        int param = rest.indexOf("/{");
        return param < 0 ? rest : rest.substring(0, param);
    }

    /** The name of the path's first parameter ({@code id} in {@code /api/v1/tasks/{id}/enable}), or {@code null}. */
    public String idParameter() {
        int open = path.indexOf('{');
        return open < 0 ? null : path.substring(open + 1, path.indexOf('}', open));
    }

    /**
     * Whether calls draw from the rate limits (and may be answered 429 with Retry-After): every API route; health
     * checks and Prometheus scrapes stay outside.
     */
    public boolean rateLimited() {
        return path.startsWith("/api/");
    }

    public boolean isPublic() {
        return minRole == null;
    }

    @Override
    public String toString() {
        return method.text() + " " + path + " (" + (minRole == null ? "public" : minRole.id()) + ")";
    }
}
