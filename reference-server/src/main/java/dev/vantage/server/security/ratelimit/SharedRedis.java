package dev.vantage.server.security.ratelimit;

import dev.vantage.server.config.ServerConfig;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The Redis through which replicas share their rate limits and failed-login counts, and what happens when it goes
 * away. One connection for every user of it; commands fail fast while Redis is unreachable (refused rather than
 * queued) and Lettuce reconnects in the background. After a failure Redis is tried again a second later, so an outage
 * costs one timeout a second rather than one per call, and is logged once. Callers keep their own counts in memory
 * and use them whenever {@link #eval} answers empty: per replica, never "off" and never "deny all".
 */
public final class SharedRedis implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(SharedRedis.class.getName());
    private static final long RETRY_NANOS = 1_000_000_000L;

    private final ClientResources resources;
    private final RedisClient client;
    private final String prefix;
    private final AtomicBoolean fallenBack = new AtomicBoolean();
    private volatile StatefulRedisConnection<String, String> connection;
    private volatile long retryAt = System.nanoTime();

    private SharedRedis(String url, String prefix) {
        this.prefix = prefix;
        if (url == null) {
            this.resources = null;
            this.client = null;
            return;
        }
        this.resources = ClientResources.builder().reconnectDelay(Delay.constant(Duration.ofMillis(500))).build();
        this.client = RedisClient.create(resources, RedisURI.create(url));
        client.setOptions(ClientOptions.builder()
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(Duration.ofMillis(500)).build())
                .timeoutOptions(TimeoutOptions.enabled(Duration.ofMillis(500)))
                .build());
    }

    /** The configured Redis, or none when {@code redisUrl} is empty (the embedded default). */
    public static SharedRedis of(ServerConfig.RateLimits config) {
        return new SharedRedis(config.redisUrl().isEmpty() ? null : config.redisUrl().value(), config.redisPrefix());
    }

    /** No Redis: every {@link #eval} answers empty. */
    public static SharedRedis none() {
        return new SharedRedis(null, "");
    }

    /** {@code name} under this deployment's prefix. */
    public String key(String name) {
        return prefix + ":" + name;
    }

    /**
     * Runs a Lua script that returns an integer.
     *
     * @return its answer; empty when there is no Redis or it does not answer now (the caller counts in memory)
     */
    public OptionalLong eval(String script, String[] keys, String... args) {
        if (client == null || System.nanoTime() - retryAt < 0) {
            return OptionalLong.empty();
        }
        try {
            Long answer = connect().sync().eval(script, ScriptOutputType.INTEGER, keys, args);
            if (fallenBack.compareAndSet(true, false)) {
                LOG.log(System.Logger.Level.INFO,
                        "Redis answers again: rate limits and failed-login counts are shared by all replicas");
            }
            return OptionalLong.of(answer == null ? 0 : answer);
        } catch (RuntimeException e) {
            retryAt = System.nanoTime() + RETRY_NANOS;
            if (fallenBack.compareAndSet(false, true)) {
                LOG.log(System.Logger.Level.WARNING, "Redis is unreachable (" + e.getClass().getSimpleName()
                        + "): rate limits and failed logins count per replica until it is back");
            }
            return OptionalLong.empty();
        }
    }

    /** Whether counts are shared through Redis right now (false: in each replica's memory). */
    public boolean shared() {
        StatefulRedisConnection<String, String> c = connection;
        return client != null && !fallenBack.get() && c != null && c.isOpen();
    }

    private StatefulRedisConnection<String, String> connect() {
        if (connection == null) {
            synchronized (this) {
                if (connection == null) {
                    connection = client.connect();
                }
            }
        }
        return connection;
    }

    @Override
    public void close() {
        if (client == null) {
            return;
        }
        StatefulRedisConnection<String, String> c = connection;
        if (c != null) {
            c.close();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown();
    }
}
