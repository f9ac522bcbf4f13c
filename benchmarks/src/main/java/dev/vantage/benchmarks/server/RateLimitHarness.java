package dev.vantage.benchmarks.server;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What keeping the rate limits' buckets in Redis adds to an API request: two server processes side by side, one
 * counting in memory (the embedded default), one on Redis ({@code VANTAGE_REDIS_URL}); the same authenticated GET
 * ({@code /api/v1/auth/me}: a token check, and one bucket per address and per user drawn from) sent to each in turn,
 * one at a time, so both see the same machine load. Reports p50/p99/p99.9 of each and the p99 difference.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.vantage.benchmarks.server.RateLimitHarness \
 *      --requests 20000 --warmup 5000 --redis redis://127.0.0.1:6379
 * </pre>
 *
 * Options: {@code --jar} the server jar, {@code --requests} measured per server, {@code --warmup} unmeasured per
 * server, {@code --seconds} 300 at most for the whole loop, {@code --redis} the Redis URL (loopback; keys under a
 * fresh prefix that expire within minutes), {@code --server-jvm} "-Xmx512m".
 */
public final class RateLimitHarness {
    private RateLimitHarness() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = IngestHarness.options(args);
        Path jar = Path.of(o.getOrDefault("jar", "reference-server/target/vantage-server.jar"));
        int requests = Integer.parseInt(o.getOrDefault("requests", "20000"));
        int warmup = Integer.parseInt(o.getOrDefault("warmup", "5000"));
        long deadline = System.nanoTime() + Duration.ofSeconds(Long.parseLong(o.getOrDefault("seconds", "300"))).toNanos();
        String redis = o.getOrDefault("redis", "redis://127.0.0.1:6379");
        List<String> jvm = List.of(o.getOrDefault("server-jvm", "-Xmx512m").trim().split("\\s+"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalArgumentException("no server jar at " + jar + " (--jar)");
        }
        String password = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
        System.out.printf("rate limits in memory vs on Redis (%s): %,d requests each after %,d warm-up, loadavg %s%n",
                redis, requests, warmup, IngestHarness.loadavg());
        try (ServerProcess memory = ServerProcess.start(jar, jvm, password, false, Duration.ofSeconds(120));
             ServerProcess onRedis = ServerProcess.start(jar, jvm, password, false, Duration.ofSeconds(120),
                     Map.of("VANTAGE_REDIS_URL", redis, "VANTAGE_REDIS_PREFIX", "bench-" + UUID.randomUUID()))) {
            ServerApi a = new ServerApi(memory);
            ServerApi b = new ServerApi(onRedis);
            a.login("admin", password);
            b.login("admin", password);
            long[] inMemory = new long[requests];
            long[] inRedis = new long[requests];
            int done = 0;
            for (int i = -warmup; i < requests && System.nanoTime() < deadline; i++) {
                // alternate which goes first, so that neither always follows the other's garbage
                boolean memoryFirst = (i & 1) == 0;
                long m = time(memoryFirst ? a : b);
                long r = time(memoryFirst ? b : a);
                if (i >= 0) {
                    inMemory[i] = memoryFirst ? m : r;
                    inRedis[i] = memoryFirst ? r : m;
                    done = i + 1;
                }
            }
            if (Files.readString(onRedis.log()).contains("Redis is unreachable")) {
                throw new IllegalStateException("the server fell back to memory: see " + onRedis.log());
            }
            long[] mem = Arrays.copyOf(inMemory, done);
            long[] red = Arrays.copyOf(inRedis, done);
            Arrays.sort(mem);
            Arrays.sort(red);
            System.out.printf("RATELIMIT requests=%d memoryP50us=%.0f memoryP99us=%.0f memoryP999us=%.0f"
                            + " redisP50us=%.0f redisP99us=%.0f redisP999us=%.0f p99DiffMs=%.3f loadavg=%s%n", done,
                    q(mem, 0.50), q(mem, 0.99), q(mem, 0.999), q(red, 0.50), q(red, 0.99), q(red, 0.999),
                    (q(red, 0.99) - q(mem, 0.99)) / 1000, IngestHarness.loadavg());
        }
    }

    private static long time(ServerApi api) throws Exception {
        long t0 = System.nanoTime();
        api.length("/api/v1/auth/me");
        return System.nanoTime() - t0;
    }

    /** The {@code q} quantile of sorted nanoseconds, in microseconds. */
    private static double q(long[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1000.0;
    }
}
