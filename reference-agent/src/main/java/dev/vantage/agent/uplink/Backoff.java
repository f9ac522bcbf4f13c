package dev.vantage.agent.uplink;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Reconnect delays: exponential from {@code base} doubling up to {@code cap}, with full jitter (a uniform random
 * delay in [0, ceiling]) so that agents cut off by one server restart do not all return at the same instant.
 */
public record Backoff(Duration base, Duration cap) {

    /** 1 s doubling to 60 s, as docs/agent-protocol.md asks. */
    public static final Backoff DEFAULT = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60));

    public Backoff {
        if (base.isNegative() || base.isZero() || cap.compareTo(base) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < base <= cap");
        }
    }

    /** The ceiling before jitter for the given failed attempt (0 for the first): base * 2^attempt, at most cap. */
    public Duration ceiling(int attempt) {
        long millis = base.toMillis();
        // doubling stops at the cap, so this runs at most log2(cap / base) times and never overflows
        for (int i = 0; i < attempt && millis < cap.toMillis(); i++) {
            millis *= 2;
        }
        return Duration.ofMillis(Math.min(millis, cap.toMillis()));
    }

    /** The delay before reconnect attempt {@code attempt}: uniform in [0, ceiling(attempt)]. */
    public Duration delay(int attempt, RandomGenerator random) {
        return Duration.ofMillis(random.nextLong(ceiling(attempt).toMillis() + 1));
    }
}
