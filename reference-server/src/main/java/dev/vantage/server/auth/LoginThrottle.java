package dev.vantage.server.auth;

import dev.vantage.server.security.ratelimit.SharedRedis;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows down password guessing, per (client address, account) pair and per client address: after {@code maxFailures}
 * failed logins the key is locked for {@code lockout}, doubling with every further failure up to {@code maxLockout}.
 * A success clears the pair's count. While locked, attempts are refused without checking the password.
 *
 * <p>Never per account alone (OWASP, Authentication Cheat Sheet): anyone could then keep the admin locked out by
 * failing on purpose. Guessing one account from many addresses is slowed by each address's own budget, the Argon2
 * cost of every attempt and the minimum password length.
 *
 * <p>Kept in Redis when configured, so that failures on one replica lock the pair on all of them (one Lua script per
 * operation, atomic, on Redis's clock; a key is forgotten {@code maxLockout} after its lock ended). While Redis does
 * not answer, and without Redis, each replica counts in its own memory ({@link SharedRedis}); a restart forgets those
 * counts, which is acceptable for a rate limit.
 */
public final class LoginThrottle {
    private static final int MAX_ENTRIES = 100_000;
    /** KEYS the pair's and the address's counts; ARGV their limits, lockout and max lockout (µs). As {@link #fail}. */
    private static final String FAIL = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
            local lockout = tonumber(ARGV[3])
            local maxLockout = tonumber(ARGV[4])
            for i, key in ipairs(KEYS) do
              local failures = redis.call('HINCRBY', key, 'failures', 1)
              local locked = now
              if failures >= tonumber(ARGV[i]) then
                locked = now + math.min(lockout * 2 ^ math.min(failures - tonumber(ARGV[i]), 30), maxLockout)
              end
              redis.call('HSET', key, 'lockedUntil', string.format('%.0f', locked))
              redis.call('PEXPIRE', key, math.ceil((locked - now + maxLockout) / 1000))
            end
            return 0
            """;
    /** KEYS as in {@link #FAIL}: the microseconds until both locks are over, 0 if neither is on. */
    private static final String WAIT = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
            local wait = 0
            for _, key in ipairs(KEYS) do
              local locked = tonumber(redis.call('HGET', key, 'lockedUntil'))
              if locked and locked - now > wait then
                wait = locked - now
              end
            end
            return wait
            """;
    private static final String CLEAR = "return redis.call('DEL', KEYS[1])";

    private record Entry(int failures, Instant lastFailure, Instant lockedUntil) {
    }

    private final int maxPerAccount;
    private final int maxPerAddress;
    private final Duration lockout;
    private final Duration maxLockout;
    private final Clock clock;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final SharedRedis redis;

    /** Counts in this replica's memory only. */
    public LoginThrottle(int maxPerAccount, int maxPerAddress, Duration lockout, Duration maxLockout, Clock clock) {
        this(maxPerAccount, maxPerAddress, lockout, maxLockout, SharedRedis.none(), clock);
    }

    public LoginThrottle(int maxPerAccount, int maxPerAddress, Duration lockout, Duration maxLockout,
                         SharedRedis redis, Clock clock) {
        this.maxPerAccount = maxPerAccount;
        this.maxPerAddress = maxPerAddress;
        this.lockout = lockout;
        this.maxLockout = maxLockout;
        this.redis = redis;
        this.clock = clock;
    }

    /** Seconds until a login for this account from this address may be tried; 0 if it may be tried now. */
    public long retryAfterSeconds(String account, String address) {
        long micros = redis.eval(WAIT, redisKeys(account, address)).orElse(-1);
        if (micros >= 0) {
            return micros == 0 ? 0 : Math.max(1, (micros + 999_999) / 1_000_000);
        }
        Instant now = clock.instant();
        return Math.max(wait(entries.get(pair(account, address)), now), wait(entries.get("i:" + address), now));
    }

    public void failure(String account, String address) {
        if (redis.eval(FAIL, redisKeys(account, address), Integer.toString(maxPerAccount),
                Integer.toString(maxPerAddress), Long.toString(micros(lockout)), Long.toString(micros(maxLockout)))
                .isPresent()) {
            return;
        }
        Instant now = clock.instant();
        fail(pair(account, address), maxPerAccount, now);
        fail("i:" + address, maxPerAddress, now);
        if (entries.size() > MAX_ENTRIES) {
            // forget keys that are neither locked nor recent; a flood of new keys cannot grow the map for long
            entries.values().removeIf(e -> e.lockedUntil().isBefore(now) && e.lastFailure().plus(maxLockout).isBefore(now));
        }
    }

    /** A success clears this address's failures on this account (not the address's count over all accounts). */
    public void success(String account, String address) {
        if (redis.eval(CLEAR, new String[] {redisKeys(account, address)[0]}).isEmpty()) {
            entries.remove(pair(account, address));
        }
    }

    /**
     * The pair's and the address's keys in Redis. Hashed: a "user name" is sometimes a password typed in the wrong
     * field, and Redis is read by more people than the server's memory.
     */
    private String[] redisKeys(String account, String address) {
        return new String[] {redis.key("login:" + sha256(pair(account, address))), redis.key("login:" + sha256("i:" + address))};
    }

    private static String sha256(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every JDK has SHA-256
        }
    }

    private static long micros(Duration d) {
        return d.toNanos() / 1000;
    }

    private static String pair(String account, String address) {
        return "p:" + address + " " + account; // a space occurs in neither a username nor an address
    }

    private void fail(String key, int max, Instant now) {
        entries.compute(key, (k, e) -> {
            int failures = e == null ? 1 : e.failures() + 1;
            Instant lockedUntil = now;
            if (failures >= max) {
                int doublings = Math.min(failures - max, 30);
                Duration d = lockout.multipliedBy(1L << doublings);
                lockedUntil = now.plus(d.compareTo(maxLockout) > 0 ? maxLockout : d);
            }
            return new Entry(failures, now, lockedUntil);
        });
    }

    private static long wait(Entry e, Instant now) {
        if (e == null || !e.lockedUntil().isAfter(now)) {
            return 0;
        }
        return Math.max(1, (Duration.between(now, e.lockedUntil()).toMillis() + 999) / 1000);
    }
}
