package dev.vantage.server.http;

import dev.vantage.server.errors.FieldError;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Labels as the API takes them (agent labels, enrollment tokens, task selectors): an object of strings whose names
 * are lower-case words such as {@code region}, {@code isp}, {@code city}. One rule everywhere, so a selector can
 * always name a label an agent can carry.
 */
public final class LabelsJson {
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_.-]{0,62}");
    public static final int MAX_LABELS = 32;
    public static final int MAX_VALUE = 128;

    private LabelsJson() {
    }

    /**
     * The labels in {@code v}, or {@code null} (with the problems added to {@code errors} under {@code path}) when
     * it is not an object of valid labels.
     */
    public static Map<String, String> parse(JsonNode v, String path, List<FieldError> errors) {
        if (v == null || !v.isObject()) {
            errors.add(FieldError.of(path, "labels.object"));
            return null;
        }
        int before = errors.size();
        Map<String, String> out = new LinkedHashMap<>();
        v.properties().forEach(e -> {
            String at = path + "." + e.getKey();
            if (!NAME.matcher(e.getKey()).matches()) {
                errors.add(FieldError.of(at, "labels.name"));
            } else if (!e.getValue().isTextual() || e.getValue().textValue().length() > MAX_VALUE) {
                errors.add(FieldError.of(at, "labels.value", MAX_VALUE));
            } else {
                out.put(e.getKey(), e.getValue().textValue());
            }
        });
        if (out.size() > MAX_LABELS) {
            errors.add(FieldError.of(path, "labels.max", MAX_LABELS));
        }
        return errors.size() == before ? out : null;
    }
}
