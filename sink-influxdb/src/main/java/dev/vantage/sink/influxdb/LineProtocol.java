package dev.vantage.sink.influxdb;

/**
 * InfluxDB line protocol escaping. A line is {@code measurement,tag=v,... field=v,... timestamp}; keys and tag values
 * escape comma, equals sign and space with a backslash (the measurement only comma and space), string field values
 * are double-quoted with {@code "} and {@code \} escaped. Line protocol has no escape for a newline, so CR and LF
 * become spaces everywhere.
 */
final class LineProtocol {
    private LineProtocol() {
    }

    /** Appends a measurement name. */
    static StringBuilder measurement(StringBuilder out, String name) {
        return escape(out, name, false);
    }

    /** Appends a tag key, tag value or field key. */
    static StringBuilder key(StringBuilder out, String key) {
        return escape(out, key, true);
    }

    /** Appends a string field value in double quotes. */
    static StringBuilder string(StringBuilder out, String value) {
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"', '\\' -> out.append('\\').append(c);
                case '\n', '\r' -> out.append(' ');
                default -> out.append(c);
            }
        }
        return out.append('"');
    }

    private static StringBuilder escape(StringBuilder out, String s, boolean equalsToo) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case ',', ' ' -> out.append('\\').append(c);
                case '=' -> (equalsToo ? out.append('\\') : out).append(c);
                // a backslash before a comma, space or the end would read as an escape: double it
                case '\\' -> out.append("\\\\");
                case '\n', '\r' -> out.append("\\ ");
                default -> out.append(c);
            }
        }
        return out;
    }
}
