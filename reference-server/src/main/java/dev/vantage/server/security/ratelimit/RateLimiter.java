package dev.vantage.server.security.ratelimit;

import dev.vantage.server.config.ServerConfig;
import dev.vantage.server.config.ServerConfig.RateLimit;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Token buckets per client address, user, API token and (stricter) sign-in address. Kept in Redis when configured,
 * so that every replica draws from the same buckets; while Redis is unreachable each replica counts alone in its
 * memory (logged once per outage) and goes back to Redis when it answers again. Never "off", never "deny all".
 */
public final class RateLimiter implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RateLimiter.class.getName());
    /** After a failure, Redis is tried again this much later: an outage costs one timeout a second, not one per call. */
    private static final long RETRY_MICROS = 1_000_000;

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
    private final RedisBuckets redis;
    private final AtomicBoolean fallenBack = new AtomicBoolean();
    private volatile long redisRetryAt;

    public RateLimiter(ServerConfig.RateLimits limits, Clock clock) {
        this.limits = limits;
        this.clock = clock;
        this.local = new LocalBuckets(this::nowMicros);
        this.redis = limits.redisUrl().isEmpty() ? null : new RedisBuckets(limits.redisUrl().value(), limits.redisPrefix());
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
        long waitMicros = -1;
        if (redis != null && nowMicros() >= redisRetryAt) {
            try {
                waitMicros = redis.take(key, limit);
                if (fallenBack.compareAndSet(true, false)) {
                    LOG.log(System.Logger.Level.INFO, "Redis answers again: rate limits are shared by all replicas");
                }
            } catch (RuntimeException e) {
                redisRetryAt = nowMicros() + RETRY_MICROS;
                if (fallenBack.compareAndSet(false, true)) {
                    LOG.log(System.Logger.Level.WARNING, "Redis is unreachable (" + e.getClass().getSimpleName()
                            + "): rate limits count per replica until it is back");
                }
            }
        }
        if (waitMicros < 0) {
            waitMicros = local.take(key, limit);
        }
        return waitMicros == 0 ? 0 : Math.max(1, (waitMicros + 999_999) / 1_000_000);
    }

    /** Whether the buckets are shared through Redis right now (false: in this replica's memory). */
    public boolean shared() {
        return redis != null && !fallenBack.get() && redis.connected();
    }

    private long nowMicros() {
        Instant now = clock.instant();
        return now.getEpochSecond() * 1_000_000 + now.getNano() / 1000;
    }

    @Override
    public void close() {
        if (redis != null) {
            redis.close();
        }
    }
}
