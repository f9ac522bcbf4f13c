package dev.vantage.server.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.server.errors.FieldError;
import dev.vantage.server.http.LabelsJson;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which agents run a task. JSON: {@code {"all": true}} (the default), {@code {"agent": "<agent id>"}}, or
 * {@code {"labels": {"region": "beijing", "isp": "unicom"}}} (an agent must carry every listed label).
 */
public sealed interface Selector {
    /** Every agent. */
    record All() implements Selector {
        @Override
        public boolean matches(String agentId, Map<String, String> agentLabels) {
            return true;
        }

        @Override
        public Map<String, Object> toJson() {
            return Map.of("all", true);
        }
    }

    /** One agent, by id. */
    record Agent(String id) implements Selector {
        @Override
        public boolean matches(String agentId, Map<String, String> agentLabels) {
            return id.equals(agentId);
        }

        @Override
        public Map<String, Object> toJson() {
            return Map.of("agent", id);
        }
    }

    /** Agents that carry every one of these labels with these values. */
    record Labels(Map<String, String> labels) implements Selector {
        public Labels {
            labels = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(labels));
        }

        @Override
        public boolean matches(String agentId, Map<String, String> agentLabels) {
            return labels.entrySet().stream().allMatch(e -> e.getValue().equals(agentLabels.get(e.getKey())));
        }

        @Override
        public Map<String, Object> toJson() {
            return Map.of("labels", labels);
        }
    }

    Selector ALL = new All();

    /** True if the agent with this id and these labels should run the task. */
    boolean matches(String agentId, Map<String, String> agentLabels);

    /** The JSON form, as the API shows it and the database stores it. */
    Map<String, Object> toJson();

    /**
     * Reads a selector; {@code null} or a missing node means {@link #ALL}. Problems are added to {@code errors}
     * under {@code selector...} paths, and {@code null} is returned.
     */
    static Selector parse(JsonNode node, List<FieldError> errors) {
        if (node == null || node.isNull()) {
            return ALL;
        }
        if (!node.isObject() || node.size() != 1) {
            errors.add(FieldError.of("selector", "selector.shape"));
            return null;
        }
        var field = node.properties().iterator().next();
        JsonNode v = field.getValue();
        switch (field.getKey()) {
            case "all" -> {
                if (v.isBoolean() && v.booleanValue()) {
                    return ALL;
                }
                errors.add(FieldError.of("selector.all", "selector.all"));
            }
            case "agent" -> {
                if (v.isTextual() && !v.textValue().isBlank() && v.textValue().length() <= 36) {
                    return new Agent(v.textValue());
                }
                errors.add(FieldError.of("selector.agent", "selector.agent"));
            }
            case "labels" -> {
                Map<String, String> labels = LabelsJson.parse(v, "selector.labels", errors);
                if (labels != null && labels.isEmpty()) {
                    errors.add(FieldError.of("selector.labels", "selector.labels"));
                    return null;
                }
                return labels == null ? null : new Labels(labels);
            }
            default -> errors.add(FieldError.of("selector." + field.getKey(), "selector.unknown"));
        }
        return null;
    }
}
