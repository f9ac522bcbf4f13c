package dev.vantage.server.alerting.channels;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.server.errors.FieldError;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A channel's own wording: some of the built-in templates of its language replaced ({@code title.firing},
 * {@code title.reminder}, {@code title.resolved}, {@code title.test}, {@code text}, {@code markdown}), with the same
 * placeholders ({@value #PLACEHOLDER_LIST}). Checked when set, so a typo is a 400, not a broken page at 3 a.m.
 */
public record Templates(Map<String, String> overrides) {
    public static final Templates NONE = new Templates(Map.of());
    public static final List<String> KEYS = List.of("title.firing", "title.reminder", "title.resolved", "title.test",
            "text", "markdown");
    static final String PLACEHOLDER_LIST = "{title} {kind} {rule} {task} {target} {at} {summary} {agents} {incident} {link}";
    static final Pattern PLACEHOLDER = Pattern.compile("\\{([a-z]+)}");
    private static final List<String> PLACEHOLDERS = List.of("title", "kind", "rule", "task", "target", "at", "summary",
            "agents", "incident", "link");
    private static final int MAX_LENGTH = 4000;

    public Templates {
        overrides = Map.copyOf(overrides);
    }

    /** Reads {@code templates} of a channel's JSON; every bad entry is added to {@code errors} as {@code templates.<key>}. */
    public static Templates parse(JsonNode node, List<FieldError> errors) {
        if (node == null || node.isNull()) {
            return NONE;
        }
        if (!node.isObject()) {
            errors.add(FieldError.of("templates", "templates.object", String.join(", ", KEYS)));
            return NONE;
        }
        Map<String, String> out = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> {
            String field = "templates." + e.getKey();
            if (!KEYS.contains(e.getKey())) {
                errors.add(FieldError.of(field, "templates.unknown", String.join(", ", KEYS)));
            } else if (!e.getValue().isTextual() || e.getValue().textValue().isBlank()) {
                errors.add(FieldError.of(field, "templates.empty"));
            } else if (e.getValue().textValue().length() > MAX_LENGTH) {
                errors.add(FieldError.of(field, "json.maxLength", MAX_LENGTH));
            } else {
                String unknown = unknownPlaceholder(e.getKey(), e.getValue().textValue());
                if (unknown != null) {
                    errors.add(FieldError.of(field, unknown.equals("title") ? "templates.placeholderTitle"
                            : "templates.placeholder", unknown, PLACEHOLDER_LIST));
                } else {
                    out.put(e.getKey(), e.getValue().textValue());
                }
            }
        });
        return new Templates(out);
    }

    /** The first placeholder the template may not use, or null. */
    private static String unknownPlaceholder(String key, String template) {
        Matcher m = PLACEHOLDER.matcher(template);
        while (m.find()) {
            String name = m.group(1);
            if (!PLACEHOLDERS.contains(name) || (name.equals("title") && key.startsWith("title."))) {
                return name;
            }
        }
        return null;
    }

    /** The built-in templates with these overrides applied. */
    Map<String, String> over(Map<String, String> builtIn) {
        Map<String, String> merged = new LinkedHashMap<>(builtIn);
        merged.putAll(overrides);
        return merged;
    }
}
