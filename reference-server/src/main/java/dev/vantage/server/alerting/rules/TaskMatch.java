package dev.vantage.server.alerting.rules;

import dev.vantage.probe.engine.TaskSpec;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which tasks a rule watches: one task by id, or every task carrying all of some labels (so a new task labelled
 * {@code env=prod} is watched without touching the rule).
 */
public sealed interface TaskMatch {

    boolean matches(TaskSpec task);

    record Task(String id) implements TaskMatch {
        @Override
        public boolean matches(TaskSpec task) {
            return id.equals(task.id());
        }
    }

    record Labels(Map<String, String> labels) implements TaskMatch {
        public Labels {
            labels = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(labels));
        }

        @Override
        public boolean matches(TaskSpec task) {
            return labels.entrySet().stream().allMatch(e -> e.getValue().equals(task.labels().get(e.getKey())));
        }
    }
}
