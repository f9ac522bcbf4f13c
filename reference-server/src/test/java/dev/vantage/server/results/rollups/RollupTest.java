package dev.vantage.server.results.rollups;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.Test;

class RollupTest {
    @Test
    void aSketchSurvivesItsEncodingAndMerges() {
        Rollup a = new Rollup();
        Rollup b = new Rollup();
        for (int i = 1; i <= 1000; i++) {
            (i % 2 == 0 ? a : b).add(new Rollup.Sample("SUCCESS", null, i, null, Map.of("dns", i / 10.0)));
        }
        b.add(new Rollup.Sample("TIMEOUT", "TIMEOUT", 5000, 50.0, Map.of()));
        Rollup merged = new Rollup().merge(a).merge(b);
        Rollup decoded = new Rollup();
        decoded.decodeSketches(merged.encodeSketches());
        assertThat(merged.total()).isEqualTo(1001);
        assertThat(merged.successes()).isEqualTo(1000);
        assertThat(merged.latencyMax()).isEqualTo(1000.0);
        assertThat(merged.errorKinds()).isEqualTo(Map.of("TIMEOUT", 1L));
        assertThat(decoded.sketchNames()).containsExactly("latency", "phase.dns");
        for (double q : new double[] {0, 0.5, 0.95, 0.99, 1}) {
            double exact = 1 + Math.floor(q * 999);
            assertThat(decoded.quantile(Rollup.LATENCY, q)).isEqualTo(merged.quantile(Rollup.LATENCY, q))
                    .isCloseTo(exact, Percentage.withPercentage(1.000001));
            assertThat(decoded.quantile("phase.dns", q)).isCloseTo(exact / 10, Percentage.withPercentage(1.000001));
        }
        assertThat(merged.encodeSketches().length).as("compact: two sketches of 1000 values").isLessThan(1200);
    }

    @Test
    void storedRollupsMergeEncodedAndDecodeOnlyTheSketchRead() {
        Rollup[] parts = new Rollup[4];
        Rollup all = new Rollup();
        for (int p = 0; p < parts.length; p++) {
            parts[p] = new Rollup();
            for (int i = 1; i <= 250; i++) {
                parts[p].add(new Rollup.Sample("SUCCESS", null, p * 250 + i, null, Map.of("connect", (p * 250 + i) / 4.0)));
            }
            all.merge(parts[p]);
        }
        // as a report reads them: stored rows merged into one, one of them also holding counts made in memory
        Rollup read = new Rollup();
        for (Rollup part : parts) {
            Rollup stored = new Rollup();
            stored.decodeSketches(part.encodeSketches());
            read.merge(stored);
        }
        read.add(new Rollup.Sample("SUCCESS", null, 1001, null, Map.of()));
        all.add(new Rollup.Sample("SUCCESS", null, 1001, null, Map.of()));
        assertThat(read.sketchNames()).containsExactly("latency", "phase.connect");
        for (double q : new double[] {0, 0.5, 0.99, 1}) {
            assertThat(read.quantile(Rollup.LATENCY, q)).isEqualTo(all.quantile(Rollup.LATENCY, q));
        }
        // the phase sketch, never read above, is still whole when written back
        Rollup again = new Rollup();
        again.decodeSketches(read.encodeSketches());
        assertThat(again.quantile("phase.connect", 0.5)).isEqualTo(all.quantile("phase.connect", 0.5));
        assertThat(again.quantile(Rollup.LATENCY, 1)).isEqualTo(all.quantile(Rollup.LATENCY, 1));
    }
}
