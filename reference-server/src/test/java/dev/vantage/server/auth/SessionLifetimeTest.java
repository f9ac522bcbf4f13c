package dev.vantage.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.server.TestServer;
import dev.vantage.server.json.JsonMapping;
import dev.vantage.server.security.Role;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** OWASP ASVS 3.3.2: a session ends when idle, and after an absolute lifetime however much it is used. */
class SessionLifetimeTest {

    private static TestServer.Response refresh(TestServer server, String refreshToken) {
        return server.post("/api/v1/auth/refresh", null, JsonMapping.write(Map.of("refreshToken", refreshToken)));
    }

    @Test
    void aSessionUnusedForTheRefreshLifetimeEnds() {
        try (TestServer server = TestServer.start(Map.of("VANTAGE_REFRESH_TOKEN_TTL", "2s"))) {
            server.createUser("idler", Role.VIEWER);
            JsonNode pair = server.loginPair("idler", TestServer.passwordOf("idler"));
            String access = pair.get("accessToken").asText();
            assertThat(server.get("/api/v1/auth/me", access).status()).isEqualTo(200);
            // the access token itself lives 15 minutes; the idle session ends it sooner
            await().atMost(Duration.ofSeconds(10)).until(() -> server.get("/api/v1/auth/me", access).status() == 401);
            assertThat(refresh(server, pair.get("refreshToken").asText()).status()).isEqualTo(401);
        }
    }

    @Test
    void aSessionInUseStillEndsAtItsMaximumAge() {
        try (TestServer server = TestServer.start(Map.of("VANTAGE_SESSION_MAX_AGE", "3s"))) {
            server.createUser("busy", Role.VIEWER);
            Instant login = Instant.now();
            JsonNode first = server.loginPair("busy", TestServer.passwordOf("busy"));
            AtomicReference<JsonNode> latest = new AtomicReference<>(first);
            AtomicReference<Integer> refused = new AtomicReference<>();
            // refreshing all the time (far inside the 30-minute idle limit) does not keep it alive
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).until(() -> {
                TestServer.Response r = refresh(server, latest.get().get("refreshToken").asText());
                if (r.status() == 200) {
                    latest.set(r.json());
                    return false;
                }
                refused.set(r.status());
                return true;
            });
            assertThat(refused.get()).isEqualTo(401);
            assertThat(Duration.between(login, Instant.now())).isGreaterThanOrEqualTo(Duration.ofSeconds(3));
            assertThat(latest.get()).as("it was refreshed before it ended").isNotSameAs(first);
            assertThat(server.get("/api/v1/auth/me", latest.get().get("accessToken").asText()).status()).isEqualTo(401);
            // signing in again starts a new session
            assertThat(server.get("/api/v1/auth/me", server.login("busy", TestServer.passwordOf("busy"))).status())
                    .isEqualTo(200);
        }
    }
}
