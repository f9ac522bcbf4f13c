package dev.vantage.probe.plugin.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.vantage.probe.spi.ProbeResult;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RoundTripsTest {
    private static final long MS = 1_000_000;

    private static ProbeResult record(RoundTrips trips) {
        return trips.record(ProbeResult.builder().startedAt(Instant.EPOCH)).build();
    }

    @Test
    void followsIputilsDefinitions() {
        ProbeResult r = record(RoundTrips.create(4).received(MS).received(2 * MS).received(4 * MS).lost());

        assertThat(r.measurements()).containsEntry("sent", 4.0).containsEntry("received", 3.0)
                .containsEntry("lossPercent", 25.0).containsEntry("rttMinMs", 1.0).containsEntry("rttMaxMs", 4.0);
        assertThat(r.measurements().get("rttAvgMs")).isCloseTo(7.0 / 3, within(1e-12));
        // iputils: sqrt(mean(rtt^2) - mean(rtt)^2) = sqrt(21/3 - 49/9)
        assertThat(r.measurements().get("rttMdevMs")).isCloseTo(Math.sqrt(21.0 / 3 - 49.0 / 9), within(1e-12));
        // |2-1| and |4-2| averaged
        assertThat(r.measurements().get("jitterMs")).isCloseTo(1.5, within(1e-12));
        assertThat(r.samples().get("rttMs")).containsExactly(1.0, 2.0, 4.0, null);
    }

    @Test
    void jitterSkipsLostPackets() {
        ProbeResult r = record(RoundTrips.create(4).received(MS).lost().received(3 * MS).received(2 * MS));

        assertThat(r.samples().get("rttMs")).containsExactly(1.0, null, 3.0, 2.0);
        assertThat(r.measurements()).containsEntry("rttAvgMs", 2.0).containsEntry("jitterMs", 1.5);
        assertThat(r.measurements().get("rttMdevMs")).isCloseTo(Math.sqrt(2.0 / 3.0), within(1e-12));
    }

    @Test
    void aSingleReplyHasNoSpreadNorJitter() {
        ProbeResult r = record(RoundTrips.create(1).received(25_000));

        assertThat(r.measurements()).containsEntry("rttMinMs", 0.025).containsEntry("rttAvgMs", 0.025)
                .containsEntry("rttMdevMs", 0.0).containsEntry("jitterMs", 0.0);
    }

    @Test
    void mdevStaysExactForLargeEqualValues() {
        // iputils' one-pass formula can cancel to sqrt(negative) = NaN here
        ProbeResult r = record(RoundTrips.create(3).received(900_000_123).received(900_000_123).received(900_000_123));

        assertThat(r.measurements().get("rttMdevMs")).isNotNaN().isCloseTo(0, within(1e-9));
    }

    @Test
    void nothingBackReportsOnlyCountsAndLostSamples() {
        ProbeResult r = record(RoundTrips.create(2).lost().lost());

        assertThat(r.measurements()).containsOnlyKeys("sent", "received", "lossPercent")
                .containsEntry("lossPercent", 100.0);
        assertThat(r.samples().get("rttMs")).containsExactly(null, null);
    }

    @Test
    void nothingSentIsTotalLoss() {
        ProbeResult r = record(RoundTrips.create(3));

        assertThat(r.measurements()).containsEntry("sent", 0.0).containsEntry("lossPercent", 100.0);
        assertThat(r.samples().get("rttMs")).isEmpty();
    }

    @Test
    void growsPastTheExpectedCountAndClampsNegativeTimes() {
        RoundTrips trips = RoundTrips.create(1);
        for (int i = 0; i < 10; i++) {
            trips.received(i == 0 ? -5 : MS);
        }
        ProbeResult r = record(trips);

        assertThat(trips.sent()).isEqualTo(10);
        assertThat(trips.received()).isEqualTo(10);
        assertThat(r.samples().get("rttMs")).hasSize(10).startsWith(0.0, 1.0);
        assertThat(r.measurements()).containsEntry("rttMinMs", 0.0);
    }
}
