package dev.vantage.probe.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.TokenBuffer;
import dev.vantage.probe.engine.Durations;
import dev.vantage.probe.spi.AssertionOutcome;
import dev.vantage.probe.spi.ErrorKind;
import dev.vantage.probe.spi.ProbeError;
import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.probe.spi.ProbeStatus;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The public JSON form of a {@link ProbeResult}, shared by the CLI, the sinks and the REST API:
 * <pre>{@code {"id":"...","taskId":"web","type":"http","target":"https://example.com/","status":"SUCCESS",
 *  "startedAt":"2025-01-02T03:04:05.123456789Z","durationMs":12.345678,"phases":{"connect":1.5},
 *  "measurements":{"httpStatus":200.0},"samples":{"rttMs":[1.2,null]},"attributes":{"tlsVersion":"TLSv1.3"},
 *  "error":{"kind":"TIMEOUT","message":"..."},"assertions":[{"assertion":"...","passed":true,"actual":"200"}],
 *  "labels":{"region":"eu"},"followUps":[...]}}</pre>
 * Fields come in this order. {@code error} is left out when there is none, {@code followUps} (results of the
 * probes run because this attempt failed, each in this same form) when there are none. Durations are milliseconds with
 * nanosecond precision. A measurement or sample that is not finite (NaN, infinity) is written as {@code null}, so the
 * output is always valid JSON; reading back, a {@code null} measurement becomes NaN and a {@code null} sample
 * stays {@code null} (a lost sample). The contract is described in {@code docs/result-json.md}.
 */
public final class ResultJson {
    private ResultJson() {
    }

    /** Writes one result as a JSON object, streaming (no tree is built). */
    public static void write(ProbeResult r, JsonGenerator g) throws IOException {
        g.writeStartObject();
        g.writeStringField("id", r.id());
        g.writeStringField("taskId", r.taskId());
        g.writeStringField("type", r.type());
        g.writeStringField("target", r.target());
        g.writeStringField("status", r.status().name());
        g.writeStringField("startedAt", r.startedAt().toString());
        g.writeNumberField("durationMs", Durations.toMillis(r.duration()));
        g.writeObjectFieldStart("phases");
        for (Map.Entry<String, Duration> e : r.phases().entrySet()) {
            g.writeNumberField(e.getKey(), Durations.toMillis(e.getValue()));
        }
        g.writeEndObject();
        g.writeObjectFieldStart("measurements");
        for (Map.Entry<String, Double> e : r.measurements().entrySet()) {
            g.writeFieldName(e.getKey());
            writeNumber(g, e.getValue());
        }
        g.writeEndObject();
        g.writeObjectFieldStart("samples");
        for (Map.Entry<String, List<Double>> e : r.samples().entrySet()) {
            g.writeArrayFieldStart(e.getKey());
            for (Double v : e.getValue()) {
                writeNumber(g, v);
            }
            g.writeEndArray();
        }
        g.writeEndObject();
        writeStrings(g, "attributes", r.attributes());
        if (r.error() != null) {
            g.writeObjectFieldStart("error");
            g.writeStringField("kind", r.error().kind().name());
            g.writeStringField("message", r.error().message());
            g.writeEndObject();
        }
        g.writeArrayFieldStart("assertions");
        for (AssertionOutcome a : r.assertions()) {
            g.writeStartObject();
            g.writeStringField("assertion", a.assertion());
            g.writeBooleanField("passed", a.passed());
            g.writeStringField("actual", a.actual()); // null when the field was missing
            g.writeEndObject();
        }
        g.writeEndArray();
        writeStrings(g, "labels", r.labels());
        if (!r.followUps().isEmpty()) {
            g.writeArrayFieldStart("followUps");
            for (ProbeResult f : r.followUps()) {
                write(f, g);
            }
            g.writeEndArray();
        }
        g.writeEndObject();
    }

    /** One result as compact JSON text. */
    public static String toJson(ProbeResult r) {
        StringWriter out = new StringWriter(512);
        try (JsonGenerator g = Json.MAPPER.createGenerator(out)) {
            write(r, g);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // writing to a StringWriter does no I/O
        }
        return out.toString();
    }

    /** One result as a JSON tree, e.g. to embed it in a larger response. */
    public static ObjectNode toTree(ProbeResult r) {
        try (TokenBuffer buffer = new TokenBuffer(Json.MAPPER, false)) {
            write(r, buffer);
            return Json.MAPPER.readTree(buffer.asParser());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a token buffer does no I/O
        }
    }

    /**
     * Reads a result written by {@link #toJson}. {@code status} and {@code startedAt} are required; other fields
     * take the builder's defaults when missing, and unknown fields are ignored so that older readers accept
     * results from newer writers.
     *
     * @throws IllegalArgumentException naming the field that is malformed
     */
    public static ProbeResult parse(String json) {
        JsonNode node;
        try {
            node = Json.read(json);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("result " + e.getMessage(), e); // "result is not valid JSON: ..."
        }
        return parse(node);
    }

    /** @throws IllegalArgumentException naming the field that is malformed */
    public static ProbeResult parse(JsonNode n) {
        if (n == null || !n.isObject()) {
            throw invalid("$", "must be a JSON object", n);
        }
        ProbeResult.Builder b = ProbeResult.builder()
                .id(string(n, "id"))
                .taskId(string(n, "taskId"))
                .type(string(n, "type"))
                .target(string(n, "target"))
                .status(status(n.get("status")))
                .startedAt(instant(n.get("startedAt")));
        JsonNode duration = n.get("durationMs");
        if (duration != null) {
            b.duration(millis(duration, "durationMs"));
        }
        each(n, "phases", (name, v) -> b.phase(name, millis(v, "phases." + name)));
        each(n, "measurements", (name, v) -> b.measurement(name, number(v, "measurements." + name, true)));
        each(n, "samples", (name, v) -> {
            if (!v.isArray()) {
                throw invalid("samples." + name, "must be an array of numbers or nulls", v);
            }
            List<Double> values = new ArrayList<>(v.size());
            for (int i = 0; i < v.size(); i++) {
                values.add(v.get(i).isNull() ? null : number(v.get(i), "samples." + name + "[" + i + "]", false));
            }
            b.samples(name, values);
        });
        each(n, "attributes", (name, v) -> b.attribute(name, text(v, "attributes." + name)));
        JsonNode error = n.get("error");
        if (error != null && !error.isNull()) {
            if (!error.isObject()) {
                throw invalid("error", "must be an object with kind and message", error);
            }
            JsonNode message = error.get("message");
            String kindName = text(error.get("kind"), "error.kind");
            String text = message == null || message.isNull() ? "" : text(message, "error.message");
            ErrorKind kind = errorKind(kindName);
            // a newer writer may know kinds this reader does not: keep the result, and the kind in the message
            b.error(ProbeError.of(kind, kind == ErrorKind.INTERNAL && !kindName.equals("INTERNAL")
                    ? "(" + kindName + ") " + text : text));
        }
        JsonNode assertions = n.get("assertions");
        if (assertions != null && !assertions.isNull()) {
            if (!assertions.isArray()) {
                throw invalid("assertions", "must be an array", assertions);
            }
            for (int i = 0; i < assertions.size(); i++) {
                b.assertion(outcome(assertions.get(i), "assertions[" + i + "]"));
            }
        }
        each(n, "labels", (name, v) -> b.label(name, text(v, "labels." + name)));
        JsonNode followUps = n.get("followUps");
        if (followUps != null && !followUps.isNull()) {
            if (!followUps.isArray()) {
                throw invalid("followUps", "must be an array of results", followUps);
            }
            List<ProbeResult> results = new ArrayList<>(followUps.size());
            for (int i = 0; i < followUps.size(); i++) {
                try {
                    results.add(parse(followUps.get(i)));
                } catch (IllegalArgumentException e) {
                    // name the path from the outer result: followUps[1].status ...
                    throw new IllegalArgumentException(e.getMessage().replaceFirst("^result JSON: ",
                            "result JSON: followUps[" + i + "]."), e);
                }
            }
            b.followUps(results);
        }
        return b.build();
    }

    private static void writeNumber(JsonGenerator g, Double v) throws IOException {
        if (v == null || !Double.isFinite(v)) {
            g.writeNull(); // NaN and infinity are not JSON numbers
        } else {
            g.writeNumber(v.doubleValue());
        }
    }

    private static void writeStrings(JsonGenerator g, String field, Map<String, String> values) throws IOException {
        g.writeObjectFieldStart(field);
        for (Map.Entry<String, String> e : values.entrySet()) {
            g.writeStringField(e.getKey(), e.getValue());
        }
        g.writeEndObject();
    }

    private static AssertionOutcome outcome(JsonNode a, String path) {
        if (!a.isObject()) {
            throw invalid(path, "must be an object with assertion, passed and actual", a);
        }
        JsonNode passed = a.get("passed");
        if (passed == null || !passed.isBoolean()) {
            throw invalid(path + ".passed", "must be true or false", passed);
        }
        JsonNode actual = a.get("actual");
        return AssertionOutcome.of(text(a.get("assertion"), path + ".assertion"), passed.booleanValue(),
                actual == null || actual.isNull() ? null : text(actual, path + ".actual"));
    }

    /** Calls {@code action} for each member of an object field; a missing or null field has no members. */
    private static void each(JsonNode n, String field, BiConsumer<String, JsonNode> action) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return;
        }
        if (!v.isObject()) {
            throw invalid(field, "must be an object", v);
        }
        v.properties().forEach(e -> action.accept(e.getKey(), e.getValue()));
    }

    private static String string(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? "" : text(v, field);
    }

    private static String text(JsonNode v, String path) {
        if (v == null || !v.isTextual()) {
            throw invalid(path, "must be a string", v);
        }
        return v.textValue();
    }

    private static double number(JsonNode v, String path, boolean nullIsNaN) {
        if (nullIsNaN && v.isNull()) {
            return Double.NaN;
        }
        if (!v.isNumber()) {
            throw invalid(path, nullIsNaN ? "must be a number or null" : "must be a number", v);
        }
        return v.doubleValue();
    }

    private static Duration millis(JsonNode v, String path) {
        if (!v.isNumber()) {
            throw invalid(path, "must be a number of milliseconds", v);
        }
        try {
            // via the decimal text, so 12.345678 ms comes back as exactly 12345678 ns
            return Duration.ofNanos(v.decimalValue().movePointRight(6).setScale(0, RoundingMode.HALF_EVEN).longValueExact());
        } catch (ArithmeticException e) {
            throw invalid(path, "is out of range", v);
        }
    }

    private static ProbeStatus status(JsonNode v) {
        try {
            return ProbeStatus.valueOf(text(v, "status"));
        } catch (IllegalArgumentException e) {
            throw invalid("status", "must be SUCCESS, FAILURE, TIMEOUT or ERROR", v);
        }
    }

    private static ErrorKind errorKind(String name) {
        try {
            return ErrorKind.valueOf(name);
        } catch (IllegalArgumentException e) {
            return ErrorKind.INTERNAL;
        }
    }

    private static Instant instant(JsonNode v) {
        try {
            return Instant.parse(text(v, "startedAt"));
        } catch (DateTimeParseException e) {
            throw invalid("startedAt", "must be an ISO-8601 instant such as 2025-01-02T03:04:05.123Z", v);
        }
    }

    private static IllegalArgumentException invalid(String path, String what, JsonNode got) {
        String shown = got != null && (got.isTextual() || got.isNumber()) && got.asText().length() <= 64
                ? "'" + got.asText() + "'" : Json.kind(got);
        return new IllegalArgumentException("result JSON: " + path + " " + what + ", got " + shown);
    }
}
