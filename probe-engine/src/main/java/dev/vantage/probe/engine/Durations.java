package dev.vantage.probe.engine;

import dev.vantage.probe.engine.internal.EngineTexts;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and writes durations the way task specs spell them: {@code 250ms}, {@code 1.5s}, {@code 2m}, {@code 1h},
 * {@code 100us}, {@code 0} or ISO-8601 ({@code PT1S}).
 */
public final class Durations {
    private static final Pattern SIMPLE = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h|d)");

    private Durations() {
    }

    /** @throws IllegalArgumentException with a message saying which forms are accepted */
    public static Duration parse(String text) {
        String s = text.trim();
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        Matcher m = SIMPLE.matcher(s);
        if (m.matches()) {
            BigDecimal n = new BigDecimal(m.group(1));
            long unitNanos = switch (m.group(2)) {
                case "ns" -> 1L;
                case "us", "µs" -> 1_000L;
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                case "h" -> 3_600_000_000_000L;
                default -> 86_400_000_000_000L;
            };
            try {
                return Duration.ofNanos(n.multiply(BigDecimal.valueOf(unitNanos)).longValueExact());
            } catch (ArithmeticException e) {
                throw EngineTexts.invalid("engine.duration.range", text);
            }
        }
        if (s.startsWith("P") || s.startsWith("p")) {
            try {
                return Duration.parse(s);
            } catch (DateTimeParseException e) {
                // fall through to the common message
            }
        }
        throw EngineTexts.invalid("engine.duration", text);
    }

    /** The shortest exact spelling, e.g. {@code 30s}, {@code 250ms}, {@code 1500us}. */
    public static String format(Duration d) {
        long nanos = d.toNanos();
        if (nanos == 0) {
            return "0s";
        }
        long[] units = {3_600_000_000_000L, 60_000_000_000L, 1_000_000_000L, 1_000_000L, 1_000L};
        String[] names = {"h", "m", "s", "ms", "us"};
        for (int i = 0; i < units.length; i++) {
            if (nanos % units[i] == 0) {
                return nanos / units[i] + names[i];
            }
        }
        return nanos + "ns";
    }

    /** Milliseconds with nanosecond precision, as results report them. */
    public static double toMillis(Duration d) {
        return d.toNanos() / 1_000_000.0;
    }
}
