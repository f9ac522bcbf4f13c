package dev.vantage.server.alerting.rules;

import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.server.errors.InvalidValueException;
import dev.vantage.server.errors.Message;
import java.time.Duration;

/**
 * A latency a rule watches, named as assertions name it: {@code duration} (the whole attempt),
 * {@code phase.<name>} (e.g. {@code phase.connect}) or {@code measurement.<name>} (e.g. {@code measurement.rttAvgMs}),
 * all in milliseconds.
 */
public record Metric(String path) {
    public Metric {
        if (path == null || !(path.equals("duration") || (path.startsWith("phase.") && path.length() > 6)
                || (path.startsWith("measurement.") && path.length() > 12))) {
            throw new InvalidValueException(Message.of("rule.metric"));
        }
    }

    /** The value in a result, in milliseconds; {@code null} when the result does not have it. */
    public Double valueIn(ProbeResult r) {
        if (path.equals("duration")) {
            return r.duration() == null ? null : millis(r.duration());
        }
        if (path.startsWith("phase.")) {
            Duration d = r.phases().get(path.substring(6));
            return d == null ? null : millis(d);
        }
        Double v = r.measurements().get(path.substring(12));
        return v == null || v.isNaN() ? null : v;
    }

    private static double millis(Duration d) {
        return d.toNanos() / 1e6;
    }

    @Override
    public String toString() {
        return path;
    }
}
