package dev.vantage.sink.influxdb;

import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.probe.spi.ProbeStatus;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Turns a result into one line of line protocol (schema in {@code docs/influxdb-export.md}): measurement
 * {@code <prefix><type>}; tags task, target, status, error_kind and the result's labels; fields duration_ms,
 * success, phase_*_ms, one per measurement, and error_message; the start time as timestamp.
 *
 * <p>Names become snake_case of letters, digits and underscores ({@code rttAvgMs} is {@code rtt_avg_ms}, label
 * {@code team.name} is {@code team_name}), which InfluxQL, Flux and SQL stores all take unquoted.
 */
final class ResultLines {
    /** Labels that are always tags; others are tags too, up to a limit, so that series stay bounded. */
    static final Set<String> KEY_LABELS = Set.of("agent", "region", "isp");
    private static final int MAX_MESSAGE = 1024;

    private final String prefix;
    private final int maxOtherLabels;
    private final TimeUnit precision;

    ResultLines(String prefix, int maxOtherLabels, TimeUnit precision) {
        this.prefix = prefix;
        this.maxOtherLabels = maxOtherLabels;
        this.precision = precision;
    }

    String line(ProbeResult r) {
        StringBuilder out = new StringBuilder(256);
        LineProtocol.measurement(out, prefix + snake(r.type()));
        tags(r).forEach((k, v) -> LineProtocol.key(LineProtocol.key(out.append(','), k).append('='), v));
        out.append(' ');
        Map<String, Object> fields = fields(r);
        boolean first = true;
        for (Map.Entry<String, Object> f : fields.entrySet()) {
            LineProtocol.key(first ? out : out.append(','), f.getKey()).append('=');
            switch (f.getValue()) {
                case Double d -> out.append(d.doubleValue());
                case Long l -> out.append(l.longValue()).append('i');
                default -> LineProtocol.string(out, f.getValue().toString());
            }
            first = false;
        }
        Duration sinceEpoch = Duration.ofSeconds(r.startedAt().getEpochSecond(), r.startedAt().getNano());
        return out.append(' ').append(precision.convert(sinceEpoch)).toString();
    }

    /** Sorted by key, as InfluxDB prefers; an empty value is left out (line protocol has none). */
    private Map<String, String> tags(ProbeResult r) {
        Map<String, String> tags = new TreeMap<>();
        int others = 0;
        for (Map.Entry<String, String> label : new TreeMap<>(r.labels()).entrySet()) {
            String key = snake(label.getKey());
            if (KEY_LABELS.contains(key) || others++ < maxOtherLabels) {
                tags.put(key, label.getValue());
            }
        }
        // the result's own fields win over labels of the same name
        tags.put("task", r.taskId());
        tags.put("target", r.target());
        tags.put("status", r.status().name());
        tags.put("error_kind", r.error() == null ? "" : r.error().kind().name());
        tags.values().removeIf(String::isEmpty);
        return tags;
    }

    private static Map<String, Object> fields(ProbeResult r) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("duration_ms", millis(r.duration()));
        fields.put("success", r.status() == ProbeStatus.SUCCESS ? 1L : 0L);
        r.phases().forEach((name, d) -> fields.put("phase_" + snake(name) + "_ms", millis(d)));
        r.measurements().forEach((name, v) -> {
            if (Double.isFinite(v)) { // line protocol has no NaN or infinity
                fields.putIfAbsent(snake(name), v);
            }
        });
        if (r.error() != null && !r.error().message().isEmpty()) {
            String m = r.error().message();
            fields.put("error_message", m.length() > MAX_MESSAGE ? m.substring(0, MAX_MESSAGE) : m);
        }
        return fields;
    }

    private static double millis(Duration d) {
        return d.toNanos() / 1e6;
    }

    /** {@code rttAvgMs} to {@code rtt_avg_ms}; anything but letters and digits becomes {@code _}. */
    static String snake(String name) {
        StringBuilder out = new StringBuilder(name.length() + 4);
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isUpperCase(c) && i > 0 && Character.isLetterOrDigit(name.charAt(i - 1))
                    && !Character.isUpperCase(name.charAt(i - 1))) {
                out.append('_');
            }
            out.append(c < 128 && Character.isLetterOrDigit(c) ? Character.toLowerCase(c) : '_');
        }
        return out.toString();
    }
}
