package dev.vantage.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.server.TestRedis;
import dev.vantage.server.TestServer;
import dev.vantage.server.json.JsonMapping;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The failed-login throttle of two replicas on one Redis: one count and one lock; per replica while Redis is away. */
class LoginThrottleReplicasTest {
    @TempDir
    Path dir;

    private static Map<String, String> env(String redisUrl) {
        // a lock of a minute after 3 failures: long enough that it cannot end while the test looks at it
        return Map.of("VANTAGE_REDIS_URL", redisUrl, "VANTAGE_REDIS_PREFIX", "test-" + UUID.randomUUID(),
                "VANTAGE_LOGIN_MAX_FAILURES", "3", "VANTAGE_LOGIN_LOCKOUT", "1m");
    }

    private static int login(TestServer server, String username, String password) {
        TestServer.Response r = server.post("/api/v1/auth/login", null,
                JsonMapping.write(Map.of("username", username, "password", password)));
        assertThat(r.status()).as(r.body()).isIn(200, 401, 429);
        return r.status();
    }

    @Test
    void failuresOnOneReplicaLockThePairOnTheOther() {
        TestRedis.assumeShared();
        Map<String, String> env = env("redis://127.0.0.1:6379");
        try (TestServer a = TestServer.start(env); TestServer b = TestServer.start(env)) {
            // failures counted together, whichever replica saw them
            assertThat(login(a, "admin", "wrong-password-1")).isEqualTo(401);
            assertThat(login(b, "admin", "wrong-password-2")).isEqualTo(401);
            assertThat(login(a, "admin", "wrong-password-3")).isEqualTo(401);
            TestServer.Response r = b.post("/api/v1/auth/login", null,
                    JsonMapping.write(Map.of("username", "admin", "password", TestServer.ADMIN_PASSWORD)));
            assertThat(r.status()).as("locked on the replica that saw one failure of three").isEqualTo(429);
            assertThat(Long.parseLong(r.headers().firstValue("retry-after").orElseThrow())).isBetween(50L, 60L);
            assertThat(login(a, "admin", TestServer.ADMIN_PASSWORD)).isEqualTo(429);
            // only the pair: another account from the same address still signs in
            b.createUser("carol", dev.vantage.server.security.Role.VIEWER);
            assertThat(login(b, "carol", TestServer.passwordOf("carol"))).isEqualTo(200);
            assertThat(a.core.rateLimiter().shared()).isTrue();
        }
    }

    /** The test's own Redis killed mid-test: each replica counts alone, in memory; never a 500. */
    @Test
    void whenRedisGoesAwayEachReplicaCountsAlone() throws Exception {
        try (TestRedis redis = TestRedis.start(dir)) {
            Map<String, String> env = env(redis.url());
            try (TestServer a = TestServer.start(env); TestServer b = TestServer.start(env)) {
                assertThat(login(a, "admin", "wrong-password-1")).isEqualTo(401); // counted in Redis
                redis.kill();
                for (int i = 2; i <= 4; i++) {
                    assertThat(login(a, "admin", "wrong-password-" + i)).isEqualTo(401);
                }
                assertThat(login(a, "admin", TestServer.ADMIN_PASSWORD)).as("locked in a's memory").isEqualTo(429);
                assertThat(login(b, "admin", TestServer.ADMIN_PASSWORD)).as("b knows nothing of it").isEqualTo(200);
                assertThat(a.core.rateLimiter().shared()).isFalse();
            }
        }
    }
}
