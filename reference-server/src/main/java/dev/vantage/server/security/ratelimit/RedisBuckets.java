package dev.vantage.server.security.ratelimit;

import dev.vantage.server.config.ServerConfig.RateLimit;
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

/**
 * Token buckets in Redis, shared by every replica: one Lua script reads, refills and takes atomically, on Redis's
 * own clock (replicas' clocks may differ). Fails fast while Redis is unreachable (commands are refused rather than
 * queued), so that the caller can fall back at once; Lettuce reconnects in the background.
 */
final class RedisBuckets implements AutoCloseable {
    /** KEYS[1] the bucket; ARGV capacity and period in microseconds. Returns 0 or the microseconds to wait. */
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

    private final ClientResources resources;
    private final RedisClient client;
    private final String prefix;
    private volatile StatefulRedisConnection<String, String> connection;

    RedisBuckets(String url, String prefix) {
        this.prefix = prefix;
        this.resources = ClientResources.builder().reconnectDelay(Delay.constant(Duration.ofMillis(500))).build();
        this.client = RedisClient.create(resources, RedisURI.create(url));
        client.setOptions(ClientOptions.builder()
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(Duration.ofMillis(500)).build())
                .timeoutOptions(TimeoutOptions.enabled(Duration.ofMillis(500)))
                .build());
    }

    /** Connects if not connected yet; throws when Redis cannot be reached. */
    void connect() {
        if (connection == null) {
            synchronized (this) {
                if (connection == null) {
                    connection = client.connect();
                }
            }
        }
    }

    boolean connected() {
        StatefulRedisConnection<String, String> c = connection;
        return c != null && c.isOpen();
    }

    /** As {@link LocalBuckets#take}; throws a Lettuce exception when Redis does not answer. */
    long take(String key, RateLimit limit) {
        connect();
        Long wait = connection.sync().eval(TAKE, ScriptOutputType.INTEGER, new String[] {prefix + ":rate:" + key},
                Integer.toString(limit.capacity()), Long.toString(limit.period().toNanos() / 1000));
        return wait == null ? 0 : wait;
    }

    @Override
    public void close() {
        StatefulRedisConnection<String, String> c = connection;
        if (c != null) {
            c.close();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown();
    }
}
