package dev.vantage.server.alerting.rules;

import dev.vantage.server.errors.InvalidFieldException;
import java.time.Duration;
import java.util.Objects;

/**
 * What makes an alert rule's target look bad, judged over one agent's results (or all agents' merged, see
 * {@link Scope}). Each kind decides "bad", "good" or "cannot tell yet"; see {@code alerting.evaluation}.
 */
public sealed interface Condition {

    /** How far back the condition looks; {@link Duration#ZERO} for those that judge the latest results only. */
    Duration window();

    /** {@code count} failed results in a row. */
    record ConsecutiveFailures(int count) implements Condition {
        public ConsecutiveFailures {
            if (count < 1) {
                throw new InvalidFieldException("count", "rule.count");
            }
        }

        @Override
        public Duration window() {
            return Duration.ZERO;
        }
    }

    /** The share of successful results over {@code window} is below {@code minPercent}. */
    record Availability(double minPercent, Duration window) implements Condition {
        public Availability {
            percent(minPercent, "minPercent");
            positive(window);
        }
    }

    /**
     * The {@code percentile} (e.g. 95) of a latency {@code metric} over {@code window}, taken from successful
     * results, is above {@code maxMs}.
     */
    record Latency(Metric metric, double percentile, double maxMs, Duration window) implements Condition {
        public Latency {
            Objects.requireNonNull(metric, "metric");
            if (!(percentile > 0 && percentile <= 100)) {
                throw new InvalidFieldException("percentile", "rule.percentile");
            }
            if (!(maxMs > 0) || Double.isInfinite(maxMs)) {
                throw new InvalidFieldException("maxMs", "rule.maxMs");
            }
            positive(window);
        }
    }

    /**
     * The packet loss rate over {@code window} is above {@code maxPercent}, judged statistically: bad only when the
     * lower bound of the Wilson score interval at {@code confidence} is above it, good only when the upper bound is
     * below it (see {@code alerting.evaluation.Wilson}).
     */
    record PacketLoss(double maxPercent, Duration window, double confidence) implements Condition {
        public static final double DEFAULT_CONFIDENCE = 0.99;

        public PacketLoss {
            percent(maxPercent, "maxPercent");
            positive(window);
            if (!(confidence >= 0.5 && confidence < 1)) {
                throw new InvalidFieldException("confidence", "rule.confidence");
            }
        }
    }

    /** The server certificate seen by the tcp or http plugin expires in fewer than {@code minDays} days. */
    record CertificateExpiry(double minDays) implements Condition {
        public CertificateExpiry {
            if (!(minDays >= 0) || Double.isInfinite(minDays)) {
                throw new InvalidFieldException("minDays", "rule.zeroOrMore");
            }
        }

        @Override
        public Duration window() {
            return Duration.ZERO;
        }
    }

    /** Any of the task's assertions failed in the latest result. */
    record AssertionFailure() implements Condition {
        @Override
        public Duration window() {
            return Duration.ZERO;
        }
    }

    private static void percent(double value, String name) {
        if (!(value >= 0 && value <= 100)) {
            throw new InvalidFieldException(name, "rule.percent");
        }
    }

    private static void positive(Duration window) {
        if (window == null || window.isNegative() || window.isZero()) {
            throw new InvalidFieldException("window", "number.positive");
        }
    }
}
