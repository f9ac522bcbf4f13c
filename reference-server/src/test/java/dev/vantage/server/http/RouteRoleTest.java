package dev.vantage.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.server.TestServer;
import dev.vantage.server.security.Role;
import dev.vantage.server.users.User;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Walks the whole route table with every role and without credentials: a caller below a route's role gets 403,
 * an anonymous caller of a non-public route 401, and everyone else something that is neither.
 */
class RouteRoleTest {
    /**
     * Public routes where an agent authenticates itself (its client certificate, or its bearer credential): a
     * person's session is no credential there, so everyone without an agent's gets 401.
     */
    static final java.util.Set<String> AGENT_AUTHENTICATED = java.util.Set.of("POST /api/v1/agents/certificate");
    static TestServer server;
    static final Map<Role, User> USERS = new EnumMap<>(Role.class);

    @BeforeAll
    static void start() {
        server = TestServer.start();
        for (Role r : Role.values()) {
            USERS.put(r, server.createUser("walker-" + r.id(), r));
        }
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void everyRouteEnforcesItsRole() {
        List<String> failures = new ArrayList<>();
        List<Route> routes = server.app.routes().all();
        assertThat(routes).hasSizeGreaterThan(20);
        for (Route route : routes) {
            String path = route.path().replaceAll("\\{[^}]+}", "00000000-0000-0000-0000-000000000000");
            String body = route.method().text().matches("POST|PUT|PATCH") ? "{}" : null;

            int anonymous = server.call(route.method().text(), path, null, body).status();
            if (AGENT_AUTHENTICATED.contains(route.method().text() + " " + route.path())) {
                for (Role role : Role.values()) {
                    int status = server.call(route.method().text(), path, server.sessionToken(USERS.get(role)), body).status();
                    if (status != 401) {
                        failures.add(route + " as " + role.id() + " -> " + status + " (an agent's route)");
                    }
                }
                if (anonymous != 401) {
                    failures.add(route + " anonymous -> " + anonymous + " (an agent's route)");
                }
                continue;
            }
            if (route.isPublic() ? anonymous == 401 || anonymous == 403 : anonymous != 401) {
                failures.add(route + " anonymous -> " + anonymous);
            }
            for (Role role : Role.values()) {
                // a fresh session per call: logout and password change must not spoil the next call
                String token = server.sessionToken(USERS.get(role));
                int status = server.call(route.method().text(), path, token, body).status();
                boolean allowed = route.isPublic() || role.includes(route.minRole());
                if (allowed ? status == 401 || status == 403 : status != 403) {
                    failures.add(route + " as " + role.id() + " -> " + status);
                }
            }
        }
        assertThat(failures).isEmpty();
    }

    @Test
    void refusalsAreProblemDocuments() {
        TestServer.Response r = server.get("/api/v1/users", server.sessionToken(USERS.get(Role.OPERATOR)));
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.json().get("status").asInt()).isEqualTo(403);
        assertThat(r.json().get("title").asText()).isEqualTo("Forbidden");
        assertThat(r.json().get("detail").asText()).contains("admin");
    }

    @Test
    void unknownPathsAndMethodsAreProblemDocuments() {
        TestServer.Response notFound = server.get("/api/v1/nothing-here", null);
        assertThat(notFound.status()).isEqualTo(404);
        assertThat(notFound.contentType()).startsWith("application/problem+json");
        TestServer.Response wrongMethod = server.call("DELETE", "/api/v1/plugins", null, null);
        assertThat(wrongMethod.status()).isEqualTo(405);
        assertThat(wrongMethod.headers().firstValue("allow")).contains("GET");
        assertThat(wrongMethod.contentType()).startsWith("application/problem+json");
    }
}
