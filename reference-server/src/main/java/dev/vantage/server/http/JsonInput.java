package dev.vantage.server.http;

import dev.vantage.server.errors.FieldError;
import dev.vantage.server.errors.InvalidInputException;
import dev.vantage.server.errors.InvalidValueException;
import dev.vantage.server.errors.Message;
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
    private final String prefix;
    private final List<FieldError> errors;

    private JsonInput(ObjectNode node, Set<String> known, String prefix, List<FieldError> errors) {
        this.node = node;
        this.prefix = prefix;
        this.errors = errors;
        node.properties().forEach(e -> {
            if (!known.contains(e.getKey())) {
                error(e.getKey(), Message.of("json.unknownField", String.join(", ", known)));
            }
        });
    }

    /** Starts reading {@code node}, whose only allowed fields are {@code known}. */
    public static JsonInput of(ObjectNode node, String... known) {
        return new JsonInput(node, new java.util.LinkedHashSet<>(List.of(known)), "", new ArrayList<>());
    }

    /**
     * Reads the object in {@code field}, whose only allowed fields are {@code known}; its problems are this input's,
     * named {@code field.<name>}. {@code null} when the field is missing, JSON null, or not an object (a problem).
     */
    public JsonInput object(String field, String... known) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isObject()) {
            error(field, Message.of("json.object"));
            return null;
        }
        return new JsonInput((ObjectNode) v, new java.util.LinkedHashSet<>(List.of(known)), prefix + field + ".", errors);
    }

    /**
     * The objects of the array in {@code field}, each read like {@link #object} and named {@code field[i].<name>};
     * empty (with a problem unless {@code optional}) when the field is missing, and with a problem when it is not an
     * array or an element is not an object.
     */
    public List<JsonInput> objects(String field, boolean optional, String... known) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            if (!optional) {
                error(field, Message.of("json.required"));
            }
            return List.of();
        }
        if (!v.isArray()) {
            error(field, Message.of("json.array"));
            return List.of();
        }
        List<JsonInput> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            if (!v.get(i).isObject()) {
                error(field + "[" + i + "]", Message.of("json.object"));
            } else {
                out.add(new JsonInput((ObjectNode) v.get(i), new java.util.LinkedHashSet<>(List.of(known)),
                        prefix + field + "[" + i + "].", errors));
            }
        }
        return out;
    }

    /** A problem found by the caller, reported together with the others. */
    public JsonInput error(String field, Message message) {
        errors.add(new FieldError(prefix + field, message));
        return this;
    }

    /** Problems found by another reader, reported under this input's prefix. */
    public JsonInput errors(List<FieldError> found) {
        found.forEach(e -> errors.add(e.under(prefix)));
        return this;
    }

    /** The raw value of {@code field}; {@code null} when missing. */
    public JsonNode node(String field) {
        return node.get(field);
    }

    public boolean has(String field) {
        JsonNode v = node.get(field);
        return v != null && !v.isNull();
    }

    public String requiredString(String field, int maxLength) {
        if (!has(field)) {
            error(field, Message.of("json.required"));
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
            error(field, Message.of("json.string"));
            return null;
        }
        if (v.textValue().length() > maxLength) {
            error(field, Message.of("json.maxLength", maxLength));
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
            error(field, Message.of("json.boolean"));
            return null;
        }
        return v.booleanValue();
    }

    /** A finite number, or {@code null} when missing or JSON null. */
    public Double optionalDouble(String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isNumber() || !Double.isFinite(v.doubleValue())) {
            error(field, Message.of("json.number"));
            return null;
        }
        return v.doubleValue();
    }

    public Long optionalLong(String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            error(field, Message.of("json.integer"));
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
        error(field, Message.of("json.oneOf", String.join(", ", java.util.Arrays.stream(type.getEnumConstants())
                .map(e -> e.name().toLowerCase(Locale.ROOT)).toList())));
        return null;
    }

    /** Converts a value already read; a parser's {@link InvalidValueException} becomes this field's problem. */
    public <T> T convert(String field, String value, Function<String, T> parser) {
        if (value == null) {
            return null;
        }
        try {
            return parser.apply(value);
        } catch (InvalidValueException e) {
            error(field, e.text());
            return null;
        }
    }

    /** A duration as the engine writes them ({@code 250ms}, {@code 1.5s}, {@code 2m}, {@code 1h}), or {@code null}. */
    public java.time.Duration duration(String field, String value) {
        return convert(field, value, text -> {
            try {
                return dev.vantage.probe.engine.Durations.parse(text);
            } catch (IllegalArgumentException e) {
                throw new InvalidValueException(Message.of("json.duration", text));
            }
        });
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
