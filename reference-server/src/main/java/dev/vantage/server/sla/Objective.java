package dev.vantage.server.sla;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vantage.server.errors.FieldError;
import dev.vantage.server.errors.InvalidInputException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A task's service level objective: the share of successful results ({@code availability}, percent, e.g. 99.9) and
 * optionally a latency bound ({@code latencyQuantile} of the successful results below {@code latencyMs}, e.g. p95 under
 * 300 ms).
 *
 * @param latencyQuantile 0.5 to 0.999, or {@code null} with {@code latencyMs} for no latency objective
 */
public record Objective(double availability, Double latencyQuantile, Double latencyMs) {
    private static final Set<String> FIELDS = Set.of("availability", "latencyQuantile", "latencyMs");

    /** Reads an objective from its JSON form, naming every bad field. */
    public static Objective parse(ObjectNode json) {
        List<FieldError> errors = new ArrayList<>();
        json.fieldNames().forEachRemaining(f -> {
            if (!FIELDS.contains(f)) {
                errors.add(FieldError.of(f, "sla.unknownField"));
            }
        });
        Double availability = number(json, "availability", errors);
        if (availability == null && !json.has("availability")) {
            errors.add(FieldError.of("availability", "sla.availabilityRequired"));
        } else if (availability != null && (availability <= 0 || availability > 100)) {
            errors.add(FieldError.of("availability", "sla.availability"));
        }
        Double quantile = number(json, "latencyQuantile", errors);
        Double ms = number(json, "latencyMs", errors);
        if (quantile != null && (quantile < 0.5 || quantile > 0.999)) {
            errors.add(FieldError.of("latencyQuantile", "sla.quantile"));
        }
        if (ms != null && !(ms > 0)) {
            errors.add(FieldError.of("latencyMs", "sla.latencyMs"));
        }
        if ((quantile == null) != (ms == null)) {
            errors.add(FieldError.of(quantile == null ? "latencyQuantile" : "latencyMs", "sla.requiredWith",
                    quantile == null ? "latencyMs" : "latencyQuantile"));
        }
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        return new Objective(availability, quantile, ms);
    }

    private static Double number(ObjectNode json, String field, List<FieldError> errors) {
        JsonNode n = json.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isNumber() || !Double.isFinite(n.asDouble())) {
            errors.add(FieldError.of(field, "json.number"));
            return null;
        }
        return n.asDouble();
    }

    public boolean hasLatency() {
        return latencyQuantile != null;
    }

    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("availability", availability);
        m.put("latencyQuantile", latencyQuantile);
        m.put("latencyMs", latencyMs);
        return m;
    }
}
