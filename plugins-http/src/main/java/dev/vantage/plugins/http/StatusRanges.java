package dev.vantage.plugins.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The HTTP status codes that count as success, parsed from a list such as {@code 2xx,3xx}, {@code 200-299,404}. */
final class StatusRanges {
    private final String text;
    private final int[] bounds; // pairs of inclusive [low, high]

    private StatusRanges(String text, int[] bounds) {
        this.text = text;
        this.bounds = bounds;
    }

    /** @throws IllegalArgumentException naming the part that is not a code, a range or a class like {@code 2xx} */
    static StatusRanges parse(String text) {
        List<int[]> ranges = new ArrayList<>();
        for (String raw : text.split(",")) {
            String part = raw.strip().toLowerCase(Locale.ROOT);
            if (part.matches("[1-5]xx")) {
                int low = (part.charAt(0) - '0') * 100;
                ranges.add(new int[] {low, low + 99});
            } else if (part.matches("\\d{3}-\\d{3}")) {
                int low = Integer.parseInt(part.substring(0, 3));
                int high = Integer.parseInt(part.substring(4));
                ranges.add(checked(raw, low, high));
            } else if (part.matches("\\d{3}")) {
                int code = Integer.parseInt(part);
                ranges.add(checked(raw, code, code));
            } else {
                throw HttpSettings.TEXTS.invalid("http.status", raw.strip());
            }
        }
        int[] bounds = new int[ranges.size() * 2];
        for (int i = 0; i < ranges.size(); i++) {
            bounds[2 * i] = ranges.get(i)[0];
            bounds[2 * i + 1] = ranges.get(i)[1];
        }
        return new StatusRanges(text.strip(), bounds);
    }

    private static int[] checked(String raw, int low, int high) {
        if (low < 100 || high > 599 || low > high) {
            throw HttpSettings.TEXTS.invalid("http.status.range", raw.strip());
        }
        return new int[] {low, high};
    }

    boolean contains(int status) {
        for (int i = 0; i < bounds.length; i += 2) {
            if (status >= bounds[i] && status <= bounds[i + 1]) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return text;
    }
}
