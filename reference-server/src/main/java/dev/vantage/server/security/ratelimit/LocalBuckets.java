package dev.vantage.server.security.ratelimit;

import dev.vantage.server.config.ServerConfig.RateLimit;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/** Token buckets in this replica's memory: the embedded default, and the fallback while Redis is away. */
final class LocalBuckets {
    private static final int MAX_ENTRIES = 100_000;

    private record Bucket(double tokens, long atMicros) {
    }

    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final LongSupplier micros;

    LocalBuckets(LongSupplier micros) {
        this.micros = micros;
    }

    /** Takes a token from {@code key}'s bucket; returns 0 if there was one, else microseconds until there is. */
    long take(String key, RateLimit limit) {
        long now = micros.getAsLong();
        long[] wait = new long[1];
        buckets.compute(key, (k, b) -> {
            double perMicro = (double) limit.capacity() / (limit.period().toNanos() / 1000.0);
            double tokens = b == null ? limit.capacity()
                    : Math.min(limit.capacity(), b.tokens() + (now - b.atMicros()) * perMicro);
            if (tokens >= 1) {
                return new Bucket(tokens - 1, now);
            }
            wait[0] = (long) Math.ceil((1 - tokens) / perMicro);
            return new Bucket(tokens, now);
        });
        if (buckets.size() > MAX_ENTRIES) {
            // a flood of new addresses cannot grow the map for long: full buckets carry no information
            buckets.values().removeIf(b -> now - b.atMicros() > 86_400_000_000L);
        }
        return wait[0];
    }
}
