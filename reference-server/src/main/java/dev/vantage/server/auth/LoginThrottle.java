package dev.vantage.server.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows down password guessing, per (client address, account) pair and per client address: after {@code maxFailures}
 * failed logins the key is locked for {@code lockout}, doubling with every further failure up to {@code maxLockout}.
 * A success clears the pair's count. While locked, attempts are refused without checking the password.
 *
 * <p>Never per account alone (OWASP, Authentication Cheat Sheet): anyone could then keep the admin locked out by
 * failing on purpose. Guessing one account from many addresses is slowed by each address's own budget, the Argon2
 * cost of every attempt and the minimum password length. Kept in memory: a restart forgets it, which is acceptable
 * for a rate limit.
 */
public final class LoginThrottle {
    private static final int MAX_ENTRIES = 100_000;

    private record Entry(int failures, Instant lastFailure, Instant lockedUntil) {
    }

    private final int maxPerAccount;
    private final int maxPerAddress;
    private final Duration lockout;
    private final Duration maxLockout;
    private final Clock clock;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    public LoginThrottle(int maxPerAccount, int maxPerAddress, Duration lockout, Duration maxLockout, Clock clock) {
        this.maxPerAccount = maxPerAccount;
        this.maxPerAddress = maxPerAddress;
        this.lockout = lockout;
        this.maxLockout = maxLockout;
        this.clock = clock;
    }

    /** Seconds until a login for this account from this address may be tried; 0 if it may be tried now. */
    public long retryAfterSeconds(String account, String address) {
        Instant now = clock.instant();
        return Math.max(wait(entries.get(pair(account, address)), now), wait(entries.get("i:" + address), now));
    }

    public void failure(String account, String address) {
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
        entries.remove(pair(account, address));
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
