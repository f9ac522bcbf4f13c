package dev.vantage.server.alerting.rules;

import dev.vantage.server.errors.Message;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vantage.probe.engine.Durations;
import dev.vantage.server.errors.FieldError;
import dev.vantage.server.errors.InvalidFieldException;
import dev.vantage.server.errors.InvalidInputException;
import dev.vantage.server.http.JsonInput;
import dev.vantage.server.http.LabelsJson;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON form of an alert rule, in the API and in the database alike (one serialized form):
 * <pre>{@code
 * {"name": "web down", "tasks": {"task": "web"},
 *  "condition": {"type": "consecutiveFailures", "count": 3},
 *  "scope": {"minAgents": 2, "minPercent": 0},
 *  "for": "1m", "resolveAfter": "5m", "repeatEvery": "1h", "channels": ["<channel id>"], "enabled": true}
 * }</pre>
 * Condition types: {@code consecutiveFailures} (count), {@code availability} (minPercent, window), {@code latency}
 * (metric, percentile, maxMs, window), {@code packetLoss} (maxPercent, window, confidence), {@code certificateExpiry}
 * (minDays), {@code assertionFailure}. Scope: {@code {"minAgents": K, "minPercent": X}} or {@code {"merged": true}}.
 */
public final class RuleJson {
    public static final Duration DEFAULT_RESOLVE_AFTER = Duration.ofMinutes(5);
    private static final Duration MAX_WINDOW = Duration.ofHours(24);

    /** A rule as read from JSON, before the server gives it an id and bookkeeping. */
    public record Definition(String name, TaskMatch tasks, Condition condition, Scope scope, Duration pendingFor,
                             Duration resolveAfter, Duration repeatEvery, List<String> channelIds, boolean enabled) {
        public AlertRule rule(String id) {
            return new AlertRule(id, condition, scope, pendingFor, resolveAfter, repeatEvery);
        }
    }

    private RuleJson() {
    }

    /** @throws InvalidInputException naming every bad field ({@code condition.window}, {@code scope.minAgents}...) */
    public static Definition parse(ObjectNode body) {
        JsonInput in = JsonInput.of(body, "name", "tasks", "condition", "scope", "for", "resolveAfter", "repeatEvery",
                "channels", "enabled");
        String name = in.requiredString("name", 128);
        TaskMatch tasks = tasks(in);
        Condition condition = condition(in);
        Scope scope = scope(in);
        Duration pendingFor = duration(in, "for", Duration.ZERO, true);
        Duration resolveAfter = duration(in, "resolveAfter", DEFAULT_RESOLVE_AFTER, true);
        Duration repeatEvery = duration(in, "repeatEvery", null, false);
        List<String> channels = strings(in, body.get("channels"), "channels");
        Boolean enabled = in.optionalBoolean("enabled");
        in.check();
        return new Definition(name, tasks, condition, scope, pendingFor, resolveAfter, repeatEvery, channels,
                enabled == null || enabled);
    }

    /** Reads {@code tasks} of {@code parent}: {@code {"task": id}} or {@code {"labels": {...}}}; required. */
    public static TaskMatch tasks(JsonInput parent) {
        JsonInput in = parent.object("tasks", "task", "labels");
        if (in == null) {
            parent.error("tasks", Message.of("rule.tasksRequired"));
            return null;
        }
        String task = in.optionalString("task", 128);
        List<FieldError> errors = new ArrayList<>();
        Map<String, String> labels = in.has("labels") ? LabelsJson.parse(in.node("labels"), "labels", errors) : null;
        errors.forEach(e -> in.error(e.field(), e.text()));
        if ((task == null) == (labels == null)) {
            if (errors.isEmpty()) {
                parent.error("tasks", Message.of("rule.taskOrLabels"));
            }
            return null;
        }
        if (labels != null && labels.isEmpty()) {
            in.error("labels", Message.of("rule.labelsEmpty"));
            return null;
        }
        return task != null ? new TaskMatch.Task(task) : new TaskMatch.Labels(labels);
    }

    /** The fields of each condition type, {@code type} included. */
    private static final Map<String, String[]> CONDITIONS = Map.of(
            "consecutiveFailures", new String[] {"type", "count"},
            "availability", new String[] {"type", "minPercent", "window"},
            "latency", new String[] {"type", "metric", "percentile", "maxMs", "window"},
            "packetLoss", new String[] {"type", "maxPercent", "window", "confidence"},
            "certificateExpiry", new String[] {"type", "minDays"},
            "assertionFailure", new String[] {"type"});

    private static Condition condition(JsonInput parent) {
        JsonNode node = parent.node("condition");
        if (node == null || node.isNull()) {
            parent.error("condition", Message.of("json.required"));
            return null;
        }
        String type = node.path("type").isTextual() ? node.get("type").textValue() : null;
        if (node.isObject() && !CONDITIONS.containsKey(type)) {
            parent.error("condition.type", Message.of("json.oneOf", String.join(", ", new java.util.TreeSet<>(CONDITIONS.keySet()))));
            return null;
        }
        JsonInput in = parent.object("condition", CONDITIONS.getOrDefault(type, new String[0]));
        if (in == null) {
            return null;
        }
        int before = in.errors().size();
        Long count = in.optionalLong("count");
        Double minPercent = in.optionalDouble("minPercent");
        Double maxPercent = in.optionalDouble("maxPercent");
        Double percentile = in.optionalDouble("percentile");
        Double maxMs = in.optionalDouble("maxMs");
        Double minDays = in.optionalDouble("minDays");
        Double confidence = in.optionalDouble("confidence");
        String metricText = in.optionalString("metric", 128);
        Metric metric = in.convert("metric", metricText, Metric::new);
        Duration window = CONDITIONS.get(type).length > 2 && !type.equals("certificateExpiry") ? window(in) : null;
        for (String field : CONDITIONS.get(type)) {
            if (!field.equals("confidence") && !in.has(field)) {
                in.error(field, Message.of("json.required"));
            }
        }
        if (in.errors().size() > before) {
            return null;
        }
        try {
            return switch (type) {
                case "consecutiveFailures" -> new Condition.ConsecutiveFailures((int) Math.min(count, Integer.MAX_VALUE));
                case "availability" -> new Condition.Availability(minPercent, window);
                case "latency" -> new Condition.Latency(metric, percentile, maxMs, window);
                case "packetLoss" -> new Condition.PacketLoss(maxPercent, window,
                        confidence == null ? Condition.PacketLoss.DEFAULT_CONFIDENCE : confidence);
                case "certificateExpiry" -> new Condition.CertificateExpiry(minDays);
                default -> new Condition.AssertionFailure();
            };
        } catch (InvalidFieldException e) {
            in.errors(List.of(e.error())); // the model's own check, under this object's prefix
            return null;
        }
    }

    private static Scope scope(JsonInput parent) {
        JsonNode node = parent.node("scope");
        if (node == null || node.isNull()) {
            return Scope.PerAgent.ANY_ONE;
        }
        JsonInput in = parent.object("scope", "minAgents", "minPercent", "merged");
        if (in == null) {
            return null;
        }
        int before = in.errors().size();
        Boolean merged = in.optionalBoolean("merged");
        Long minAgents = in.optionalLong("minAgents");
        Double minPercent = in.optionalDouble("minPercent");
        if (Boolean.TRUE.equals(merged)) {
            if (minAgents != null || minPercent != null) {
                in.error("merged", Message.of("rule.merged"));
                return null;
            }
            return new Scope.Merged();
        }
        if (in.errors().size() > before) {
            return null;
        }
        try {
            return new Scope.PerAgent(minAgents == null ? 1 : Math.clamp(minAgents, 0, Integer.MAX_VALUE),
                    minPercent == null ? 0 : minPercent);
        } catch (InvalidFieldException e) {
            in.errors(List.of(e.error()));
            return null;
        }
    }

    private static Duration window(JsonInput in) {
        Duration window = duration(in, "window", null, false);
        if (window != null && window.compareTo(MAX_WINDOW) > 0) {
            in.error("window", Message.of("rule.window"));
            return null;
        }
        return window;
    }

    /** A duration such as {@code 90s} or {@code 5m}; zero allowed only where {@code zeroAllowed}. */
    private static Duration duration(JsonInput in, String field, Duration otherwise, boolean zeroAllowed) {
        Duration d = in.duration(field, in.optionalString(field, 32));
        if (d == null) {
            return in.has(field) ? null : otherwise;
        }
        if (d.isNegative() || (!zeroAllowed && d.isZero())) {
            in.error(field, Message.of(zeroAllowed ? "number.notNegative" : "number.positive"));
            return null;
        }
        return d;
    }

    private static List<String> strings(JsonInput in, JsonNode v, String field) {
        if (v == null || v.isNull()) {
            return List.of();
        }
        if (!v.isArray() || v.size() > 20) {
            in.error(field, Message.of("rule.ids"));
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            if (!v.get(i).isTextual() || v.get(i).textValue().isEmpty() || v.get(i).textValue().length() > 36) {
                in.error(field + "[" + i + "]", Message.of("rule.channelId"));
            } else if (!out.contains(v.get(i).textValue())) {
                out.add(v.get(i).textValue());
            }
        }
        return out;
    }

    /** The JSON form of a definition, as {@link #parse} reads it. */
    public static Map<String, Object> toJson(Definition d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", d.name());
        m.put("tasks", toJson(d.tasks()));
        m.put("condition", condition(d.condition()));
        m.put("scope", d.scope() instanceof Scope.PerAgent p
                ? Map.of("minAgents", p.minAgents(), "minPercent", p.minPercent()) : Map.of("merged", true));
        m.put("for", Durations.format(d.pendingFor()));
        m.put("resolveAfter", Durations.format(d.resolveAfter()));
        m.put("repeatEvery", d.repeatEvery() == null ? null : Durations.format(d.repeatEvery()));
        m.put("channels", d.channelIds());
        m.put("enabled", d.enabled());
        return m;
    }

    /** The JSON form of a task matcher, as {@link #tasks} reads it. */
    public static Map<String, Object> toJson(TaskMatch tasks) {
        return tasks instanceof TaskMatch.Task t ? Map.of("task", t.id()) : Map.of("labels", ((TaskMatch.Labels) tasks).labels());
    }

    private static Map<String, Object> condition(Condition c) {
        Map<String, Object> m = new LinkedHashMap<>();
        switch (c) {
            case Condition.ConsecutiveFailures x -> {
                m.put("type", "consecutiveFailures");
                m.put("count", x.count());
            }
            case Condition.Availability x -> {
                m.put("type", "availability");
                m.put("minPercent", x.minPercent());
                m.put("window", Durations.format(x.window()));
            }
            case Condition.Latency x -> {
                m.put("type", "latency");
                m.put("metric", x.metric().path());
                m.put("percentile", x.percentile());
                m.put("maxMs", x.maxMs());
                m.put("window", Durations.format(x.window()));
            }
            case Condition.PacketLoss x -> {
                m.put("type", "packetLoss");
                m.put("maxPercent", x.maxPercent());
                m.put("window", Durations.format(x.window()));
                m.put("confidence", x.confidence());
            }
            case Condition.CertificateExpiry x -> {
                m.put("type", "certificateExpiry");
                m.put("minDays", x.minDays());
            }
            case Condition.AssertionFailure x -> m.put("type", "assertionFailure");
        }
        return m;
    }
}
