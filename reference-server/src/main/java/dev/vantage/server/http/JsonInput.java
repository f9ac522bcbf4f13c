package dev.vantage.server.http;

import dev.vantage.server.errors.FieldError;
import dev.vantage.server.errors.InvalidInputException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads the fields of a request object and collects every problem, so one 400 names all bad fields at once:
 * <pre>{@code
 * JsonInput in = JsonInput.of(Json.readObject(req), "username", "password");
 * String user = in.requiredString("username", 64);
 * String pass = in.requiredString("password", 1024);
 * in.check(); // throws InvalidInputException listing every problem, unknown fields included
 * }</pre>
 */
public final class JsonInput {
    private final ObjectNode node;
    private final List<FieldError> errors = new ArrayList<>();

    private JsonInput(ObjectNode node, Set<String> known) {
        this.node = node;
        node.properties().forEach(e -> {
            if (!known.contains(e.getKey())) {
                errors.add(new FieldError(e.getKey(), "unknown field; known fields: " + String.join(", ", known)));
            }
        });
    }

    /** Starts reading {@code node}, whose only allowed fields are {@code known}. */
    public static JsonInput of(ObjectNode node, String... known) {
        return new JsonInput(node, new java.util.LinkedHashSet<>(List.of(known)));
    }

    /** A problem found by the caller, reported together with the others. */
    public JsonInput error(String field, String message) {
        errors.add(new FieldError(field, message));
        return this;
    }

    public boolean has(String field) {
        JsonNode v = node.get(field);
        return v != null && !v.isNull();
    }

    public String requiredString(String field, int maxLength) {
        if (!has(field)) {
            error(field, "is required");
            return null;
        }
        return optionalString(field, maxLength);
    }

    /** The string value, or {@code null} when missing or JSON null. */
    public String optionalString(String field, int maxLength) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            error(field, "must be a string");
            return null;
        }
        if (v.textValue().length() > maxLength) {
            error(field, "must be at most " + maxLength + " characters");
            return null;
        }
        return v.textValue();
    }

    public Boolean optionalBoolean(String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isBoolean()) {
            error(field, "must be true or false");
            return null;
        }
        return v.booleanValue();
    }

    public Long optionalLong(String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            error(field, "must be a whole number");
            return null;
        }
        return v.longValue();
    }

    /** A case-insensitive enum constant, or {@code null} when missing; a bad name lists the allowed ones. */
    public <E extends Enum<E>> E optionalEnum(String field, Class<E> type) {
        String text = optionalString(field, 64);
        if (text == null) {
            return null;
        }
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(text)) {
                return e;
            }
        }
        error(field, "must be one of " + String.join(", ", java.util.Arrays.stream(type.getEnumConstants())
                .map(e -> e.name().toLowerCase(Locale.ROOT)).toList()));
        return null;
    }

    /** Converts a value already read; a parser's {@link IllegalArgumentException} becomes this field's problem. */
    public <T> T convert(String field, String value, Function<String, T> parser) {
        if (value == null) {
            return null;
        }
        try {
            return parser.apply(value);
        } catch (IllegalArgumentException e) {
            error(field, e.getMessage());
            return null;
        }
    }

    public List<FieldError> errors() {
        return List.copyOf(errors);
    }

    /** @throws InvalidInputException naming every problem found so far */
    public void check() {
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
    }
}
