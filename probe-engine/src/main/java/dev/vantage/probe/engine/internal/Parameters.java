package dev.vantage.probe.engine.internal;

import dev.vantage.probe.engine.Durations;
import dev.vantage.probe.spi.ConfigProblem;
import dev.vantage.probe.spi.InvalidValueException;
import dev.vantage.probe.spi.ParameterSpec;
import dev.vantage.probe.spi.ParameterType;
import dev.vantage.probe.spi.ProbeDescriptor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks raw parameter values (as JSON gives them) against a probe type's parameter descriptions and converts
 * them to the Java types plugins read: unknown keys, wrong types, bounds, patterns and missing required values are
 * all reported at once.
 */
public final class Parameters {
    private Parameters() {
    }

    /**
     * @param prefix   JSON path prefix for problems, e.g. {@code params.}
     * @param problems receives every problem found
     * @param badFields receives the path of every parameter with a problem
     * @return typed values with defaults filled in; a wrong value is replaced by its default, if it has one, so
     *         that the plugin's own checks can still run
     */
    public static Map<String, Object> convert(ProbeDescriptor descriptor, Map<String, Object> raw, String prefix,
                                              List<ConfigProblem> problems, List<String> badFields) {
        Map<String, Object> typed = new LinkedHashMap<>();
        for (String key : raw.keySet()) {
            if (descriptor.parameter(key).isEmpty()) {
                badFields.add(prefix + key);
                problems.add(EngineTexts.problem(prefix + key, "engine.param.unknown", descriptor.type(),
                        String.join(", ", descriptor.parameters().stream().map(ParameterSpec::name).toList())));
            }
        }
        for (ParameterSpec spec : descriptor.parameters()) {
            Object value = raw.get(spec.name());
            String path = prefix + spec.name();
            if (value == null) {
                if (spec.required()) {
                    badFields.add(path);
                    problems.add(EngineTexts.problem(path, "engine.required"));
                } else if (spec.defaultValue() != null) {
                    typed.put(spec.name(), spec.defaultValue());
                }
                continue;
            }
            try {
                Object converted = convert(spec, value);
                checkBounds(spec, converted);
                typed.put(spec.name(), converted);
            } catch (IllegalArgumentException e) {
                // never echo a secret back, not even in an error message: a .got refusal names only the kind of
                // value, others lose what they got
                boolean kindOnly = e instanceof InvalidValueException v && v.code() != null && v.code().endsWith(".got");
                String reason = spec.secret() && !kindOnly ? e.getMessage().replaceAll(", got .*$", "") : e.getMessage();
                boolean echoes = !reason.equals(e.getMessage()); // a translation would echo the secret again
                problems.add(e instanceof InvalidValueException v && !echoes
                        ? ConfigProblem.of(path, reason, v.code(), v.args()) : ConfigProblem.of(path, reason));
                badFields.add(path);
                if (spec.defaultValue() != null) {
                    typed.put(spec.name(), spec.defaultValue());
                }
            }
        }
        return typed;
    }

    private static Object convert(ParameterSpec spec, Object value) {
        return switch (spec.type()) {
            case STRING -> {
                String s = text(value);
                if (spec.pattern() != null && !s.matches(spec.pattern())) {
                    throw EngineTexts.invalid("engine.param.pattern", spec.pattern());
                }
                yield s;
            }
            case INTEGER -> {
                if (value instanceof Number n && (n instanceof Long || n instanceof Integer || n instanceof Short
                        || n.doubleValue() == Math.rint(n.doubleValue()))) {
                    yield n.longValue();
                }
                if (value instanceof String s) {
                    try {
                        yield Long.parseLong(s.trim());
                    } catch (NumberFormatException e) {
                        // reported below
                    }
                }
                throw wrong("engine.param.integer", value, spec.secret());
            }
            case NUMBER -> {
                if (value instanceof Number n) {
                    yield n.doubleValue();
                }
                if (value instanceof String s) {
                    try {
                        yield Double.parseDouble(s.trim());
                    } catch (NumberFormatException e) {
                        // reported below
                    }
                }
                throw wrong("engine.param.number", value, spec.secret());
            }
            case BOOLEAN -> {
                if (value instanceof Boolean b) {
                    yield b;
                }
                if ("true".equals(value) || "false".equals(value)) {
                    yield Boolean.parseBoolean((String) value);
                }
                throw wrong("engine.param.boolean", value, spec.secret());
            }
            case DURATION -> {
                if (value instanceof Duration d) {
                    yield d;
                }
                yield Durations.parse(text(value));
            }
            case ENUM -> {
                String s = text(value);
                if (!spec.allowedValues().contains(s)) {
                    throw EngineTexts.invalid("engine.param.enum", spec.allowedValues(), s);
                }
                yield s;
            }
            case STRING_LIST -> {
                if (!(value instanceof List<?> list)) {
                    throw wrong("engine.param.list", value, false);
                }
                List<String> out = new ArrayList<>();
                for (Object o : list) {
                    out.add(text(o));
                }
                yield Collections.unmodifiableList(out);
            }
            case STRING_MAP -> {
                if (!(value instanceof Map<?, ?> map)) {
                    throw wrong("engine.param.map", value, false);
                }
                Map<String, String> out = new LinkedHashMap<>();
                map.forEach((k, v) -> out.put(String.valueOf(k), text(v)));
                yield Collections.unmodifiableMap(out);
            }
        };
    }

    private static void checkBounds(ParameterSpec spec, Object v) {
        double measure;
        String unit;
        switch (spec.type()) {
            case INTEGER, NUMBER -> {
                measure = ((Number) v).doubleValue();
                unit = "";
            }
            case DURATION -> {
                measure = ((Duration) v).toNanos() / 1e6;
                unit = "ms";
            }
            case STRING -> {
                measure = ((String) v).length();
                unit = " characters";
            }
            case STRING_LIST -> {
                measure = ((List<?>) v).size();
                unit = " items";
            }
            case STRING_MAP -> {
                measure = ((Map<?, ?>) v).size();
                unit = " entries";
            }
            default -> {
                return;
            }
        }
        // a secret's length is not told back either
        boolean secretText = spec.secret() && spec.type() == ParameterType.STRING;
        if (spec.min() != null && measure < spec.min()) {
            throw secretText ? EngineTexts.invalid("engine.minLength", number(spec.min()))
                    : EngineTexts.invalid("engine.param.min" + unitCode(unit), number(spec.min()), number(measure));
        }
        if (spec.max() != null && measure > spec.max()) {
            throw secretText ? EngineTexts.invalid("engine.maxLength", number(spec.max()))
                    : EngineTexts.invalid("engine.param.max" + unitCode(unit), number(spec.max()), number(measure));
        }
    }

    /** The message code suffix of a measure's unit: each language words "characters" its own way. */
    private static String unitCode(String unit) {
        return unit.isEmpty() ? "" : "." + unit.strip();
    }

    private static String text(Object value) {
        if (value instanceof String s) {
            return s;
        }
        if (value instanceof Number || value instanceof Boolean) {
            return String.valueOf(value);
        }
        throw wrong("engine.param.text", value, false);
    }

    /**
     * The refusal {@code code} of {@code value}: the value itself when it is short and shown ('abc', 42), else its
     * kind, told in each language's words (a list, an object; any value of a secret): a {@code .got} code.
     */
    private static InvalidValueException wrong(String code, Object value, boolean secret) {
        if (secret || value instanceof List || value instanceof Map) {
            return EngineTexts.invalid(code + ".got", EngineTexts.kind(value));
        }
        return EngineTexts.invalid(code, value instanceof String s
                ? "'" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "'" : String.valueOf(value));
    }

    private static String number(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }
}
