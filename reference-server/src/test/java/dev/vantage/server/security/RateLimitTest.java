package dev.vantage.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vantage.server.TestRedis;
import dev.vantage.server.TestServer;
import dev.vantage.server.json.JsonMapping;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Token buckets on API routes: 429 with Retry-After and a problem body; shared between replicas through Redis. */
class RateLimitTest {
    @TempDir
    Path dir;

    private static boolean refused(TestServer.Response r) {
        return r.status() == 429;
    }

    @Test
    void anAddressOverItsBudgetGets429WithRetryAfterAndAProblemBody() {
        try (TestServer server = TestServer.start(Map.of("VANTAGE_RATE_LIMIT_PER_ADDRESS", "5/1m"))) {
            for (int i = 0; i < 5; i++) {
                assertThat(server.get("/api/v1/tasks", null).status()).isEqualTo(401); // counted before auth
            }
            TestServer.Response r = server.get("/api/v1/tasks", null);
            assertThat(r.status()).isEqualTo(429);
            assertThat(r.contentType()).startsWith("application/problem+json");
            assertThat(r.json().get("detail").asText()).contains("too many requests");
            assertThat(Long.parseLong(r.headers().firstValue("retry-after").orElseThrow())).isBetween(1L, 12L);
            // health checks and scrapes are not API calls
            assertThat(server.get("/health", null).status()).isEqualTo(200);
        }
    }

    @Test
    void signInIsStricterAndUsersAndTokensHaveTheirOwnBuckets() {
        try (TestServer server = TestServer.start(Map.of("VANTAGE_RATE_LIMIT_SIGN_IN", "3/1m",
                "VANTAGE_RATE_LIMIT_PER_USER", "4/1m"))) {
            String admin = server.adminToken(); // sign-in 1 of 3
            String wrong = JsonMapping.write(Map.of("username", "nobody", "password", "wrong-password-123"));
            assertThat(server.post("/api/v1/auth/login", null, wrong).status()).isEqualTo(401);
            assertThat(server.post("/api/v1/auth/login", null, wrong).status()).isEqualTo(401);
            assertThat(server.post("/api/v1/auth/login", null, wrong).status()).isEqualTo(429);
            assertThat(server.post("/api/v1/agents/enroll", null, "{\"token\":\"vet_x\",\"name\":\"a\"}").status())
                    .isEqualTo(429);
            // the user's session: 4 calls, then 429, while an API token of the same user has its own bucket
            TestServer.Response token = server.post("/api/v1/tokens", admin,
                    JsonMapping.write(Map.of("name", "script", "role", "viewer", "expiresIn", "30d")));
            assertThat(token.status()).as(token.body()).isEqualTo(201);
            List<Integer> statuses = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                statuses.add(server.get("/api/v1/tasks", admin).status());
            }
            assertThat(statuses).containsExactly(200, 200, 200, 429);
            assertThat(server.get("/api/v1/tasks", token.json().get("token").asText()).status()).isEqualTo(200);
        }
    }

    /** Both replicas on the shared Redis, hammered at once: together they accept what one bucket allows. */
    @Test
    void twoReplicasOnRedisShareOneBudget() throws Exception {
        TestRedis.assumeShared();
        Map<String, String> env = Map.of("VANTAGE_REDIS_URL", "redis://127.0.0.1:6379",
                "VANTAGE_REDIS_PREFIX", "test-" + UUID.randomUUID(), "VANTAGE_RATE_LIMIT_PER_ADDRESS", "60/3s");
        try (TestServer a = TestServer.start(env); TestServer b = TestServer.start(env)) {
            // each replica's first call connects to Redis: not part of the measured window (2 of 60 tokens)
            assertThat(a.get("/api/v1/tasks", null).status()).isEqualTo(401);
            assertThat(b.get("/api/v1/tasks", null).status()).isEqualTo(401);
            AtomicInteger accepted = new AtomicInteger();
            AtomicInteger total = new AtomicInteger();
            AtomicInteger unexpected = new AtomicInteger();
            long start = System.nanoTime();
            long end = start + Duration.ofSeconds(3).toNanos();
            try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
                for (int t = 0; t < 4; t++) {
                    TestServer server = t % 2 == 0 ? a : b;
                    pool.submit(() -> {
                        while (System.nanoTime() < end && total.incrementAndGet() <= 20_000) {
                            TestServer.Response r = server.get("/api/v1/tasks", null);
                            if (r.status() != 401 && r.status() != 429) {
                                unexpected.incrementAndGet();
                            }
                            accepted.addAndGet(refused(r) ? 0 : 1);
                        }
                    });
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            double allowed = 60 + 20 * seconds; // a (nearly) full bucket, then 20 a second
            System.out.printf("two replicas on Redis: %d of %d accepted in %.2f s; one bucket allows %.0f%n",
                    accepted.get(), total.get(), seconds, allowed);
            assertThat(unexpected.get()).isZero();
            assertThat(total.get()).as("requests must outrun the limit for the test to mean anything")
                    .isGreaterThan((int) (allowed * 1.5));
            assertThat((double) accepted.get()).isBetween(allowed * 0.95, allowed * 1.05);
            assertThat(a.core.rateLimiter().shared()).isTrue();
        }
    }

    /** The test's own Redis killed mid-test: each replica counts alone (no 500, not off, not deny-all), then shares again. */
    @Test
    void whenRedisGoesAwayEachReplicaCountsAloneThenSharesAgain() throws Exception {
        try (TestRedis redis = TestRedis.start(dir)) {
            Map<String, String> env = Map.of("VANTAGE_REDIS_URL", redis.url(),
                    "VANTAGE_REDIS_PREFIX", "test-" + UUID.randomUUID(), "VANTAGE_RATE_LIMIT_PER_ADDRESS", "10/10m");
            try (TestServer a = TestServer.start(env); TestServer b = TestServer.start(env)) {
                assertThat(accepted(a, b, 16)).as("one shared bucket of 10").isEqualTo(10);
                assertThat(a.core.rateLimiter().shared()).isTrue();

                redis.kill();
                // per replica: each has its own bucket of 10 (neither off nor deny-all), and no 500 on the way
                assertThat(accepted(a, a, 12)).isEqualTo(10);
                assertThat(accepted(b, b, 12)).isEqualTo(10);
                assertThat(a.core.rateLimiter().shared()).isFalse();

                redis.start(); // an empty Redis: the shared bucket starts full again
                await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).until(() -> {
                    a.get("/api/v1/tasks", null); // Redis is tried again on a call, at most once a second
                    b.get("/api/v1/tasks", null);
                    return a.core.rateLimiter().shared() && b.core.rateLimiter().shared();
                });
                // the calls that noticed Redis back drew from the shared bucket too: fewer than 10 remain, not 20
                int again = accepted(a, b, 16);
                assertThat(again).isBetween(1, 10);
            }
        }
    }

    /** Non-429 answers of {@code n} calls alternating between two servers; never a 5xx. */
    private static int accepted(TestServer a, TestServer b, int n) {
        int accepted = 0;
        for (int i = 0; i < n; i++) {
            TestServer.Response r = (i % 2 == 0 ? a : b).get("/api/v1/tasks", null);
            assertThat(r.status()).as(r.body()).isIn(401, 429);
            accepted += refused(r) ? 0 : 1;
        }
        return accepted;
    }
}
