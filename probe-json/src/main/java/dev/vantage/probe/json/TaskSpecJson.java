package dev.vantage.probe.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vantage.probe.engine.TaskSpec;
import dev.vantage.probe.engine.Assertion;
import dev.vantage.probe.engine.InvalidTaskException;
import dev.vantage.probe.engine.Durations;
import dev.vantage.probe.engine.ProbeEngine;
import dev.vantage.probe.plugin.support.ProblemTexts;
import dev.vantage.probe.spi.ConfigProblem;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads and writes {@link TaskSpec}s as JSON, for example
 * <pre>{@code {"id":"web","type":"http","target":"https://example.com/","interval":"30s","timeout":"5s",
 *  "params":{"method":"GET"},"assertions":[{"field":"measurement.httpStatus","op":"lt","value":"400"}],
 *  "labels":{"team":"web"}}}</pre>
 *
 * <p>Parsing checks structure and types only and reports every problem at once, each under its JSON path
 * ({@code interval}, {@code assertions[1].op}, {@code labels.region}; {@code $} for the document itself). Unknown
 * fields and duplicate keys are refused. Bounds, parameter types and assertion semantics are checked by
 * {@link ProbeEngine#validate}. A field that is missing or {@code null} takes its default.
 *
 * <p>Durations are strings such as {@code "30s"} or {@code "250ms"} (see {@link Durations}); a bare number is
 * refused because its unit would be a guess. Parameter values are kept as plain Java values: strings, {@code Long}
 * for whole numbers, {@code Double} for the others, {@code Boolean}, {@code List}, {@code Map} and {@code null}.
 * The format is described in {@code docs/result-json.md}.
 *
 * <p>Each problem has a message code, so that {@link #reason} can tell it in other languages.
 */
public final class TaskSpecJson {
    private static final List<String> FIELDS = List.of("id", "name", "type", "target", "interval", "timeout",
            "jitter", "maxInFlight", "params", "assertions", "labels", "enabled", "diagnose");
    private static final List<String> DIAGNOSE_FIELDS = List.of("onFailure");
    private static final List<String> ASSERTION_FIELDS = List.of("field", "op", "value", "jsonPointer");
    private static final String OPS = String.join(" ", Arrays.stream(Assertion.Op.values()).map(Assertion.Op::jsonName).toList());
    private static final JsonNodeFactory NODES = Json.MAPPER.getNodeFactory();
    /** The problems' texts: {@code problems.properties} and its translations beside this class. */
    static final ProblemTexts TEXTS = ProblemTexts.load(TaskSpecJson.class::getResourceAsStream, "problems");
    private static final Map<String, Map<String, String>> PATTERNS = new ConcurrentHashMap<>();

    private TaskSpecJson() {
    }

    /** @throws InvalidTaskException listing every structural problem, including malformed JSON (path {@code $}) */
    public static TaskSpec parse(String json) {
        JsonNode node;
        try {
            node = Json.read(json);
        } catch (Json.Malformed e) {
            throw new InvalidTaskException(List.of(TEXTS.problem("$", e.code, e.args)));
        }
        return parse(node);
    }

    /** @throws InvalidTaskException listing every structural problem */
    public static TaskSpec parse(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new InvalidTaskException(List.of(got("$", "taskJson.notObject.got", node)));
        }
        List<ConfigProblem> problems = new ArrayList<>();
        rejectUnknown(node, FIELDS, "", problems);
        TaskSpec.Builder b = TaskSpec.builder(null, null)
                .id(string(node, "id", "", problems))
                .name(string(node, "name", "", problems))
                .type(string(node, "type", "", problems))
                .target(string(node, "target", "", problems))
                .interval(duration(node, "interval", problems))
                .timeout(duration(node, "timeout", problems))
                .jitter(duration(node, "jitter", problems));
        JsonNode maxInFlight = value(node, "maxInFlight");
        if (maxInFlight != null) {
            if (maxInFlight.isIntegralNumber() && maxInFlight.canConvertToInt()) {
                b.maxInFlight(maxInFlight.intValue());
            } else {
                problems.add(maxInFlight.isIntegralNumber()
                        ? TEXTS.problem("maxInFlight", "taskJson.range", maxInFlight.asText())
                        : maxInFlight.isNumber() ? TEXTS.problem("maxInFlight", "taskJson.integer", maxInFlight.asText())
                        : got("maxInFlight", "taskJson.integer.got", maxInFlight));
            }
        }
        JsonNode params = object(node, "params", problems);
        if (params != null) {
            params.properties().forEach(e -> b.param(e.getKey(), plain(e.getValue(), "params." + e.getKey(), problems)));
        }
        JsonNode assertions = value(node, "assertions");
        if (assertions != null && !assertions.isArray()) {
            problems.add(got("assertions", "taskJson.array.got", assertions));
        } else if (assertions != null) {
            for (int i = 0; i < assertions.size(); i++) {
                Assertion a = assertion(assertions.get(i), "assertions[" + i + "]", problems);
                if (a != null) {
                    b.assertion(a);
                }
            }
        }
        JsonNode labels = object(node, "labels", problems);
        if (labels != null) {
            labels.properties().forEach(e -> {
                if (e.getValue().isTextual()) {
                    b.label(e.getKey(), e.getValue().textValue());
                } else {
                    problems.add(got("labels." + e.getKey(), "taskJson.string.got", e.getValue()));
                }
            });
        }
        JsonNode enabled = value(node, "enabled");
        if (enabled != null && !enabled.isBoolean()) {
            problems.add(got("enabled", "taskJson.boolean.got", enabled));
        } else if (enabled != null) {
            b.enabled(enabled.booleanValue());
        }
        JsonNode diagnose = object(node, "diagnose", problems);
        if (diagnose != null) {
            rejectUnknown(diagnose, DIAGNOSE_FIELDS, "diagnose.", problems);
            JsonNode onFailure = value(diagnose, "onFailure");
            if (onFailure != null && !onFailure.isBoolean()) {
                problems.add(got("diagnose.onFailure", "taskJson.boolean.got", onFailure));
            } else if (onFailure != null) {
                b.diagnoseOnFailure(onFailure.booleanValue());
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidTaskException(problems);
        }
        return b.build();
    }

    /**
     * The JSON form of a spec, in the shape {@link #parse} reads: every field is written (defaults included)
     * except an absent interval and {@code diagnose} when it is off; durations as {@link Durations#format} spells them.
     *
     * @throws IllegalArgumentException if a parameter value is not a string, number, boolean, duration, enum,
     *                                  list, map or {@code null}
     */
    public static ObjectNode toJson(TaskSpec spec) {
        ObjectNode o = NODES.objectNode();
        o.put("id", spec.id());
        o.put("name", spec.name());
        o.put("type", spec.type());
        o.put("target", spec.target());
        if (spec.interval() != null) {
            o.put("interval", Durations.format(spec.interval()));
        }
        o.put("timeout", Durations.format(spec.timeout()));
        o.put("jitter", Durations.format(spec.jitter()));
        o.put("maxInFlight", spec.maxInFlight());
        ObjectNode params = o.putObject("params");
        spec.params().forEach((k, v) -> params.set(k, node(v, "params." + k)));
        ArrayNode assertions = o.putArray("assertions");
        for (Assertion a : spec.assertions()) {
            ObjectNode n = assertions.addObject();
            n.put("field", a.field());
            n.put("op", a.op() == null ? null : a.op().jsonName());
            n.put("value", a.value());
            if (a.jsonPointer() != null) {
                n.put("jsonPointer", a.jsonPointer());
            }
        }
        ObjectNode labels = o.putObject("labels");
        spec.labels().forEach(labels::put);
        o.put("enabled", spec.enabled());
        if (spec.diagnoseOnFailure()) {
            // written only when asked for, so that agents from before the field still read every other task
            o.putObject("diagnose").put("onFailure", true);
        }
        return o;
    }

    /** {@link #toJson} as compact text. */
    public static String write(TaskSpec spec) {
        return Json.write(toJson(spec));
    }

    private static Assertion assertion(JsonNode node, String path, List<ConfigProblem> problems) {
        if (!node.isObject()) {
            problems.add(got(path, "taskJson.assertion.got", node));
            return null;
        }
        String prefix = path + ".";
        rejectUnknown(node, ASSERTION_FIELDS, prefix, problems);
        String opName = string(node, "op", prefix, problems);
        Assertion.Op op = opName == null ? null : Assertion.Op.fromJson(opName);
        if (opName != null && op == null) {
            problems.add(TEXTS.problem(prefix + "op", "taskJson.op", opName, OPS));
        }
        JsonNode value = value(node, "value");
        String text = null;
        if (value != null && value.isValueNode()) {
            text = value.asText(); // numbers and booleans are compared as text, like a string holding them
        } else if (value != null) {
            problems.add(got(prefix + "value", "taskJson.value.got", value));
        }
        return new Assertion(string(node, "field", prefix, problems), op, text, string(node, "jsonPointer", prefix, problems));
    }

    /**
     * The reason of one of {@link #parse}'s problems in {@code locale}'s language; empty when it is not one of its
     * own messages (a malformed duration has the engine's: {@link ProbeEngine#reason}) or has no translation in
     * that language (its {@link ConfigProblem#reason()} is the English text).
     *
     * @since 0.1
     */
    public static Optional<String> reason(ConfigProblem problem, Locale locale) {
        Map<String, String> patterns = PATTERNS.computeIfAbsent(locale.getLanguage(), l -> TEXTS.patterns(locale));
        String pattern = problem.code() == null ? null : patterns.get(problem.code());
        if (pattern == null) {
            return Optional.empty();
        }
        Object[] args = problem.args().toArray();
        if (problem.code().endsWith(".got")) {
            args[0] = patterns.getOrDefault("kind." + args[0], String.valueOf(args[0]));
        }
        return Optional.of(new java.text.MessageFormat(pattern, locale).format(args));
    }

    /**
     * A problem of a {@code .got} code about the value {@code found}: its kind is kept by name (an argument the same in
     * every language) and told in words ({@code kind.<name>}) by each language's text.
     */
    private static ConfigProblem got(String field, String code, JsonNode found) {
        String type = Json.type(found);
        return ConfigProblem.of(field, TEXTS.english(code, Json.kind(found)), code, List.of(type));
    }

    /** The value of a field, or {@code null} if it is missing or JSON null (both mean "use the default"). */
    private static JsonNode value(JsonNode object, String field) {
        JsonNode v = object.get(field);
        return v == null || v.isNull() ? null : v;
    }

    private static String string(JsonNode object, String field, String prefix, List<ConfigProblem> problems) {
        JsonNode v = value(object, field);
        if (v != null && !v.isTextual()) {
            problems.add(got(prefix + field, "taskJson.string.got", v));
            return null;
        }
        return v == null ? null : v.textValue();
    }

    private static Duration duration(JsonNode object, String field, List<ConfigProblem> problems) {
        JsonNode v = value(object, field);
        if (v == null) {
            return null;
        }
        if (!v.isTextual()) {
            problems.add(v.isNumber() ? TEXTS.problem(field, "taskJson.bareNumber")
                    : got(field, "taskJson.duration.got", v));
            return null;
        }
        return ConfigProblem.check(field, () -> Durations.parse(v.textValue()), problems); // keeps its message code
    }

    private static JsonNode object(JsonNode parent, String field, List<ConfigProblem> problems) {
        JsonNode v = value(parent, field);
        if (v != null && !v.isObject()) {
            problems.add(got(field, "taskJson.object.got", v));
            return null;
        }
        return v;
    }

    private static void rejectUnknown(JsonNode object, List<String> known, String prefix, List<ConfigProblem> problems) {
        for (Map.Entry<String, JsonNode> e : object.properties()) {
            if (!known.contains(e.getKey())) {
                problems.add(TEXTS.problem(prefix + e.getKey(), "taskJson.unknownField", e.getKey(),
                        String.join(", ", known)));
            }
        }
    }

    /** A JSON value as a plain Java value: whole numbers as Long, other numbers as Double. */
    private static Object plain(JsonNode v, String path, List<ConfigProblem> problems) {
        switch (v.getNodeType()) {
            case NULL:
                return null;
            case STRING:
                return v.textValue();
            case BOOLEAN:
                return v.booleanValue();
            case NUMBER:
                if (!v.isIntegralNumber()) {
                    return v.doubleValue();
                }
                if (v.canConvertToLong()) {
                    return v.longValue();
                }
                problems.add(TEXTS.problem(path, "taskJson.long"));
                return null;
            case ARRAY:
                List<Object> list = new ArrayList<>();
                for (int i = 0; i < v.size(); i++) {
                    list.add(plain(v.get(i), path + "[" + i + "]", problems));
                }
                return Collections.unmodifiableList(list);
            case OBJECT:
                Map<String, Object> map = new LinkedHashMap<>();
                v.properties().forEach(e -> map.put(e.getKey(), plain(e.getValue(), path + "." + e.getKey(), problems)));
                return Collections.unmodifiableMap(map);
            default:
                problems.add(got(path, "taskJson.jsonValue.got", v));
                return null;
        }
    }

    /** The inverse of {@link #plain}; durations and enums are written as text, the way parse accepts them. */
    private static JsonNode node(Object value, String path) {
        return switch (value) {
            case null -> NODES.nullNode();
            case String s -> NODES.textNode(s);
            case Boolean b -> NODES.booleanNode(b);
            case Duration d -> NODES.textNode(Durations.format(d));
            case Enum<?> e -> NODES.textNode(e.name());
            case BigInteger n -> NODES.numberNode(n);
            case BigDecimal n -> NODES.numberNode(n);
            case Long n -> NODES.numberNode(n);
            case Integer n -> NODES.numberNode(n.longValue());
            case Short n -> NODES.numberNode(n.longValue());
            case Byte n -> NODES.numberNode(n.longValue());
            case Number n -> NODES.numberNode(n.doubleValue());
            case List<?> list -> {
                ArrayNode a = NODES.arrayNode();
                for (int i = 0; i < list.size(); i++) {
                    a.add(node(list.get(i), path + "[" + i + "]"));
                }
                yield a;
            }
            case Map<?, ?> map -> {
                ObjectNode o = NODES.objectNode();
                map.forEach((k, v) -> o.set(String.valueOf(k), node(v, path + "." + k)));
                yield o;
            }
            default -> throw new IllegalArgumentException(path + ": cannot write a " + value.getClass().getName()
                    + " as JSON; use a string, number, boolean, list or map");
        };
    }
}
