package dev.vantage.agent.cli;

import dev.vantage.probe.engine.Durations;
import dev.vantage.probe.spi.AssertionOutcome;
import dev.vantage.probe.spi.ProbeResult;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/** A result as a few readable lines, in the spirit of ping's and curl -w's summaries. */
final class ResultText {
    private static final int MAX_VALUE = 120;

    private ResultText() {
    }

    static String format(ProbeResult r) {
        StringBuilder s = new StringBuilder();
        s.append(r.type()).append(' ').append(r.target()).append(": ").append(r.status())
                .append(" in ").append(ms(r.duration()));
        if (r.error() != null) {
            s.append("\n  error:        ").append(r.error().kind()).append(": ").append(r.error().message());
        }
        if (!r.phases().isEmpty()) {
            StringJoiner j = new StringJoiner(", ");
            r.phases().forEach((k, v) -> j.add(k + " " + ms(v)));
            s.append("\n  phases:       ").append(j);
        }
        if (!r.measurements().isEmpty()) {
            StringJoiner j = new StringJoiner(", ");
            r.measurements().forEach((k, v) -> j.add(k + " " + number(v)));
            s.append("\n  measurements: ").append(j);
        }
        for (Map.Entry<String, List<Double>> e : r.samples().entrySet()) {
            StringJoiner j = new StringJoiner(" ");
            e.getValue().forEach(v -> j.add(v == null ? "lost" : number(v)));
            s.append("\n  ").append(e.getKey()).append(": ").append(j);
        }
        r.attributes().forEach((k, v) -> {
            if (!k.equals("body")) {
                s.append("\n  ").append(k).append(": ").append(shorten(v));
            }
        });
        for (AssertionOutcome a : r.assertions()) {
            s.append("\n  assert ").append(a.assertion()).append(": ").append(a.passed() ? "ok" : "FAILED")
                    .append(" (actual ").append(a.actual()).append(')');
        }
        return s.toString();
    }

    private static String ms(Duration d) {
        return String.format(Locale.ROOT, "%.3f ms", Durations.toMillis(d));
    }

    private static String number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.3f", v);
    }

    private static String shorten(String v) {
        String one = v.replace('\n', ' ').replace('\r', ' ');
        return one.length() <= MAX_VALUE ? one : one.substring(0, MAX_VALUE) + "...";
    }
}
