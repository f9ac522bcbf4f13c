package dev.vantage.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {
    /** A clock the test moves by hand. */
    static final class TestClock extends Clock {
        Instant now = Instant.parse("2025-01-01T00:00:00Z");

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private final TestClock clock = new TestClock();
    private final LoginThrottle throttle = new LoginThrottle(5, 8, Duration.ofSeconds(5), Duration.ofMinutes(1), clock);

    @Test
    void locksAnAccountFromOneAddressAfterFiveFailuresAndDoublesTheLockout() {
        for (int i = 0; i < 4; i++) {
            throttle.failure("alice", "10.0.0.1");
            assertThat(throttle.retryAfterSeconds("alice", "10.0.0.1")).isZero();
        }
        throttle.failure("alice", "10.0.0.1");
        assertThat(throttle.retryAfterSeconds("alice", "10.0.0.1")).isEqualTo(5);
        // the real alice elsewhere, and other accounts from the same address, are not locked out
        assertThat(throttle.retryAfterSeconds("alice", "10.0.0.2")).isZero();
        assertThat(throttle.retryAfterSeconds("bob", "10.0.0.1")).isZero();
        clock.now = clock.now.plusSeconds(5);
        assertThat(throttle.retryAfterSeconds("alice", "10.0.0.1")).isZero();
        throttle.failure("alice", "10.0.0.1");
        assertThat(throttle.retryAfterSeconds("alice", "10.0.0.1")).isEqualTo(10);
        for (int i = 0; i < 10; i++) {
            throttle.failure("alice", "10.0.0.1");
        }
        assertThat(throttle.retryAfterSeconds("alice", "10.0.0.1")).isEqualTo(60); // capped
        assertThat(throttle.retryAfterSeconds("alice", "10.0.0.2")).isZero();
        // a success clears the pair; the address, over its own budget of 8 by now, stays locked
        throttle.success("alice", "10.0.0.1");
        assertThat(throttle.retryAfterSeconds("bob", "10.0.0.1")).isEqualTo(60);
        clock.now = clock.now.plusSeconds(60);
        assertThat(throttle.retryAfterSeconds("alice", "10.0.0.1")).isZero();
        throttle.failure("alice", "10.0.0.3");
        assertThat(throttle.retryAfterSeconds("alice", "10.0.0.3")).isZero(); // the pair starts from nothing
    }

    @Test
    void locksAnAddressThatTriesManyAccounts() {
        for (int i = 0; i < 8; i++) {
            throttle.failure("user" + i, "192.0.2.1");
        }
        assertThat(throttle.retryAfterSeconds("someone-new", "192.0.2.1")).isEqualTo(5);
        assertThat(throttle.retryAfterSeconds("someone-new", "192.0.2.2")).isZero();
    }
}
