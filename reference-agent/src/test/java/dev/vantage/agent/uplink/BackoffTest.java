package dev.vantage.agent.uplink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The reconnect delay as a pure function: doubling ceilings, full jitter below them, and the cap. */
class BackoffTest {

    @Test
    void ceilingDoublesFromOneSecondAndStopsAtSixty() {
        List<Long> seconds = IntStream.range(0, 9).mapToObj(i -> Backoff.DEFAULT.ceiling(i).toSeconds()).toList();
        assertThat(seconds).containsExactly(1L, 2L, 4L, 8L, 16L, 32L, 60L, 60L, 60L);
        assertThat(Backoff.DEFAULT.ceiling(Integer.MAX_VALUE)).isEqualTo(Duration.ofSeconds(60));
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 42, 20260101})
    void delaysAreSpreadOverTheWholeRangeBelowTheCeiling(long seed) {
        Random random = new Random(seed);
        for (int attempt = 0; attempt < 12; attempt++) {
            Duration ceiling = Backoff.DEFAULT.ceiling(attempt);
            Set<Long> seen = new HashSet<>();
            long min = Long.MAX_VALUE;
            long max = 0;
            for (int i = 0; i < 200; i++) {
                long d = Backoff.DEFAULT.delay(attempt, random).toMillis();
                assertThat(d).isBetween(0L, ceiling.toMillis());
                seen.add(d);
                min = Math.min(min, d);
                max = Math.max(max, d);
            }
            // full jitter: the delays cover [0, ceiling], not a narrow band around it
            assertThat(seen).as("attempt %d", attempt).hasSizeGreaterThan(100);
            assertThat(min).isLessThan(ceiling.toMillis() / 10);
            assertThat(max).isGreaterThan(ceiling.toMillis() * 9 / 10);
        }
    }

    @Test
    void theSameSeedGivesTheSameDelays() {
        Random a = new Random(7);
        Random b = new Random(7);
        for (int attempt = 0; attempt < 10; attempt++) {
            assertThat(Backoff.DEFAULT.delay(attempt, a)).isEqualTo(Backoff.DEFAULT.delay(attempt, b));
        }
    }

    @Test
    void meanDelayGrowsWithTheAttemptUntilTheCap() {
        Random random = new Random(3);
        double[] means = IntStream.range(0, 8).mapToDouble(attempt -> IntStream.range(0, 2000)
                .mapToLong(i -> Backoff.DEFAULT.delay(attempt, random).toMillis()).average().orElseThrow()).toArray();
        for (int i = 1; i < 6; i++) {
            assertThat(means[i]).as("mean of attempt %d", i).isGreaterThan(means[i - 1] * 1.5);
        }
        assertThat(means[7]).isCloseTo(30_000, org.assertj.core.data.Offset.offset(2_000.0));
    }

    @Test
    void rejectsNonsense() {
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class);
    }
}
