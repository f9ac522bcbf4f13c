package dev.vantage.server.security.ratelimit;

import dev.vantage.server.config.ServerConfig;
import dev.vantage.server.config.ServerConfig.RateLimit;
import java.time.Clock;
import java.time.Instant;

/**
 * Token buckets per client address, user, API token and (stricter) sign-in address. Kept in Redis when configured,
 * so that every replica draws from the same buckets; while Redis is unreachable each replica counts alone in its
 * memory ({@link SharedRedis}) and goes back to Redis when it answers again. Never "off", never "deny all".
 */
public final class RateLimiter {
    /**
     * KEYS[1] the bucket; ARGV capacity and period in microseconds. Returns 0 or the microseconds to wait. Reads,
     * refills and takes atomically, on Redis's own clock (replicas' clocks may differ).
     */
    private static final String TAKE = """
            local capacity = tonumber(ARGV[1])
            local period = tonumber(ARGV[2])
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
            local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
            local tokens = tonumber(state[1])
            local at = tonumber(state[2])
            if tokens == nil or at == nil then
              tokens = capacity
              at = now
            end
            tokens = math.min(capacity, tokens + math.max(0, now - at) * capacity / period)
            local wait = 0
            if tokens >= 1 then
              tokens = tokens - 1
            else
              wait = math.ceil((1 - tokens) * period / capacity)
            end
            redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
            redis.call('PEXPIRE', KEYS[1], math.ceil(period / 1000) + 1000)
            return wait
            """;

    /** Which bucket: the kind of key it counts. */
    public enum Kind {
        ADDRESS("a"), USER("u"), TOKEN("t"), SIGN_IN("s");

        private final String tag;

        Kind(String tag) {
            this.tag = tag;
        }
    }

    private final ServerConfig.RateLimits limits;
    private final Clock clock;
    private final LocalBuckets local;
    private final SharedRedis redis;

    public RateLimiter(ServerConfig.RateLimits limits, SharedRedis redis, Clock clock) {
        this.limits = limits;
        this.clock = clock;
        this.local = new LocalBuckets(this::nowMicros);
        this.redis = redis;
    }

    /**
     * Takes a token from the {@code kind} bucket of {@code id}.
     *
     * @return 0 if the request may go on, else the whole seconds until it may be tried again (at least 1)
     */
    public long take(Kind kind, String id) {
        RateLimit limit = switch (kind) {
            case ADDRESS -> limits.perAddress();
            case USER -> limits.perUser();
            case TOKEN -> limits.perToken();
            case SIGN_IN -> limits.signIn();
        };
        String key = kind.tag + ":" + id;
        long waitMicros = redis.eval(TAKE, new String[] {redis.key("rate:" + key)},
                        Integer.toString(limit.capacity()), Long.toString(limit.period().toNanos() / 1000))
                .orElseGet(() -> local.take(key, limit));
        return waitMicros == 0 ? 0 : Math.max(1, (waitMicros + 999_999) / 1_000_000);
    }

    /** Whether the buckets are shared through Redis right now (false: in this replica's memory). */
    public boolean shared() {
        return redis.shared();
    }

    private long nowMicros() {
        Instant now = clock.instant();
        return now.getEpochSecond() * 1_000_000 + now.getNano() / 1000;
    }
}
