package dev.vantage.server.alerting.evaluation;

import org.apache.commons.math3.stat.interval.ConfidenceInterval;
import org.apache.commons.math3.stat.interval.WilsonScoreInterval;

/**
 * The Wilson score interval of a rate ({@code events} out of {@code trials}) at a confidence level, as fractions.
 * Packet-loss rules fire only when the interval lies wholly above their threshold and resolve only when it lies
 * wholly below, so that a handful of packets can never decide either way (docs/alerting.md has the maths and a
 * worked example).
 */
public record Wilson(double lower, double upper) {

    /** @throws IllegalArgumentException if {@code trials} is not positive or {@code events} is out of range */
    public static Wilson of(long events, long trials, double confidence) {
        if (trials <= 0 || events < 0 || events > trials) {
            throw new IllegalArgumentException("need 0 <= events <= trials and trials > 0");
        }
        // the library takes ints; beyond that the interval is as narrow as a double can tell anyway
        int n = (int) Math.min(trials, Integer.MAX_VALUE);
        int x = (int) Math.round((double) events * n / trials);
        ConfidenceInterval ci = new WilsonScoreInterval().createInterval(n, x, confidence);
        return new Wilson(Math.max(0, ci.getLowerBound()), Math.min(1, ci.getUpperBound()));
    }
}
