package dev.vantage.plugins.icmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class RttStatsTest {

    @Test
    void followsIputilsDefinitions() {
        long[] rtts = {1_000_000, 2_000_000, 4_000_000, 0};

        RttStats s = RttStats.of(rtts, 3);

        assertThat(s.minMs()).isEqualTo(1.0);
        assertThat(s.maxMs()).isEqualTo(4.0);
        assertThat(s.avgMs()).isCloseTo(7.0 / 3, within(1e-12));
        // iputils: sqrt(mean(rtt^2) - mean(rtt)^2) = sqrt(21/3 - 49/9)
        assertThat(s.mdevMs()).isCloseTo(Math.sqrt(21.0 / 3 - 49.0 / 9), within(1e-12));
        // |2-1| and |4-2| averaged
        assertThat(s.jitterMs()).isCloseTo(1.5, within(1e-12));
    }

    @Test
    void aSingleReplyHasNoSpreadNorJitter() {
        RttStats s = RttStats.of(new long[] {25_000}, 1);

        assertThat(s.minMs()).isEqualTo(0.025);
        assertThat(s.avgMs()).isEqualTo(0.025);
        assertThat(s.mdevMs()).isZero();
        assertThat(s.jitterMs()).isZero();
    }

    @Test
    void mdevStaysExactForLargeEqualValues() {
        long[] rtts = {900_000_123, 900_000_123, 900_000_123};

        // iputils' one-pass formula can cancel to sqrt(negative) = NaN here
        assertThat(RttStats.of(rtts, 3).mdevMs()).isNotNaN().isCloseTo(0, within(1e-9));
    }
}
