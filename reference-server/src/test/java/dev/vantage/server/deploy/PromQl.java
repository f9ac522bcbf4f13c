package dev.vantage.server.deploy;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Just enough of PromQL to tell which metrics and labels a dashboard query names: identifiers that are neither
 * functions, aggregations nor keywords are metric names; {@code {label op "value"}} after one names its labels; and
 * {@code by/without/on/ignoring/group_left/group_right (...)} name grouping labels. Grafana's {@code $variables} are
 * left alone inside strings and ranges, which the scan skips.
 */
final class PromQl {
    private static final Set<String> AGGREGATIONS = Set.of("sum", "min", "max", "avg", "group", "stddev", "stdvar",
            "count", "count_values", "bottomk", "topk", "quantile", "limitk", "limit_ratio");
    private static final Set<String> GROUPING = Set.of("by", "without", "on", "ignoring", "group_left", "group_right");
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "atan2", "inf", "nan");
    private static final Pattern LABEL_VALUES = Pattern.compile("^\\s*label_values\\((.*),\\s*[a-zA-Z_][a-zA-Z0-9_]*\\s*\\)\\s*$");
    private static final Pattern MATCHER = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)");

    private PromQl() {
    }

    /** What a query names: metrics, the labels matched on each, and the labels grouped by. */
    record Names(Set<String> metrics, Map<String, Set<String>> matched, Set<String> grouping) {
    }

    static Names names(String query) {
        Matcher lv = LABEL_VALUES.matcher(query);
        String q = lv.matches() ? lv.group(1) : query;
        Set<String> metrics = new LinkedHashSet<>();
        Map<String, Set<String>> matched = new LinkedHashMap<>();
        Set<String> grouping = new HashSet<>();
        String lastMetric = null; // the metric a following {...} belongs to
        int i = 0;
        while (i < q.length()) {
            char c = q.charAt(i);
            if (c == '"' || c == '\'' || c == '`') {
                i = skipString(q, i);
            } else if (c == '[') {
                i = q.indexOf(']', i) + 1;
            } else if (c == '{') {
                int end = closingBrace(q, i);
                Matcher m = MATCHER.matcher(stripStrings(q.substring(i + 1, end)));
                Set<String> labels = lastMetric == null ? new HashSet<>() : matched.computeIfAbsent(lastMetric, k -> new LinkedHashSet<>());
                while (m.find()) {
                    labels.add(m.group(1));
                }
                i = end + 1;
                lastMetric = null;
            } else if (Character.isDigit(c) || (c == '.' && i + 1 < q.length() && Character.isDigit(q.charAt(i + 1)))) {
                while (i < q.length() && (Character.isLetterOrDigit(q.charAt(i)) || q.charAt(i) == '.')) {
                    i++; // a number, or a duration such as 5m
                }
            } else if (Character.isLetter(c) || c == '_' || c == ':') {
                int start = i;
                while (i < q.length() && (Character.isLetterOrDigit(q.charAt(i)) || q.charAt(i) == '_' || q.charAt(i) == ':')) {
                    i++;
                }
                String word = q.substring(start, i);
                int next = skipSpaces(q, i);
                boolean call = next < q.length() && q.charAt(next) == '(';
                if (GROUPING.contains(word) && call) {
                    int end = q.indexOf(')', next);
                    for (String label : q.substring(next + 1, end).split(",")) {
                        if (!label.isBlank()) {
                            grouping.add(label.strip());
                        }
                    }
                    i = end + 1;
                } else if (!call && !AGGREGATIONS.contains(word) && !KEYWORDS.contains(word) && !GROUPING.contains(word)) {
                    metrics.add(word);
                    lastMetric = word;
                    continue;
                }
                lastMetric = null;
            } else {
                if (!Character.isWhitespace(c)) {
                    lastMetric = null;
                }
                i++;
            }
        }
        return new Names(metrics, matched, grouping);
    }

    /** The query with Grafana's variables made concrete, for a PromQL parser: intervals 5m, everything else .*. */
    static String concrete(String query) {
        Matcher lv = LABEL_VALUES.matcher(query);
        String q = lv.matches() ? lv.group(1) : query;
        return q.replaceAll("\\$__(rate_interval|interval|range)", "5m").replaceAll("\\$\\{?[a-zA-Z_][a-zA-Z0-9_]*}?", ".*");
    }

    private static int skipString(String q, int start) {
        char quote = q.charAt(start);
        int i = start + 1;
        while (i < q.length() && q.charAt(i) != quote) {
            i += q.charAt(i) == '\\' ? 2 : 1;
        }
        return i + 1;
    }

    private static int closingBrace(String q, int open) {
        int i = open + 1;
        while (q.charAt(i) != '}') {
            i = q.charAt(i) == '"' ? skipString(q, i) : i + 1;
        }
        return i;
    }

    private static String stripStrings(String s) {
        return s.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"");
    }

    private static int skipSpaces(String q, int i) {
        while (i < q.length() && Character.isWhitespace(q.charAt(i))) {
            i++;
        }
        return i;
    }
}
