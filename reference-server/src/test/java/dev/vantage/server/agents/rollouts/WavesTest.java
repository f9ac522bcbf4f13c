package dev.vantage.server.agents.rollouts;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class WavesTest {
    @Test
    void oneAgentThenAQuarterThenTheRest() {
        assertThat(Rollouts.waves(1, 100)).containsExactly(0);
        assertThat(Rollouts.waves(3, 100)).containsExactly(0, 2, 2); // a quarter of 3 is the first agent already
        assertThat(Rollouts.waves(8, 100)).containsExactly(0, 1, 2, 2, 2, 2, 2, 2);
        assertThat(Rollouts.waves(20, 100)).isEqualTo(List.of(0, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2));
    }

    @Test
    void aPercentageIsRoundedUpToAtLeastOneAgent() {
        assertThat(Rollouts.waves(10, 50)).hasSize(5);
        assertThat(Rollouts.waves(10, 1)).containsExactly(0);
        assertThat(Rollouts.waves(3, 34)).hasSize(2);
    }
}
