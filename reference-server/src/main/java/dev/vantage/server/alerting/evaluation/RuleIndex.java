package dev.vantage.server.alerting.evaluation;

import dev.vantage.probe.engine.TaskSpec;
import dev.vantage.server.alerting.rules.StoredRule;
import dev.vantage.server.alerting.rules.TaskMatch;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The rules that watch a task, found without looking at every rule: rules naming a task by id are kept under that
 * id, rules matching labels under one of their labels (name and value), so a task is compared only with the rules
 * filed under its id or one of its own labels. The answer is what scanning every rule in order would give, in the
 * same order. Immutable once built.
 */
public final class RuleIndex {
    /** A rule and its place in the order the rules were given. */
    private record Ranked(int rank, StoredRule rule) {
    }

    private final Map<String, List<Ranked>> byTask = new HashMap<>();
    /** Label name → label value → rules that require that label (filed under their first label only). */
    private final Map<String, Map<String, List<Ranked>>> byLabel = new HashMap<>();
    private final List<Ranked> everyTask = new ArrayList<>();
    private final int size;

    /** @param rules the rules to match, in the order matches are to be returned */
    public RuleIndex(List<StoredRule> rules) {
        for (int i = 0; i < rules.size(); i++) {
            Ranked r = new Ranked(i, rules.get(i));
            switch (r.rule().tasks()) {
                case TaskMatch.Task t -> byTask.computeIfAbsent(t.id(), k -> new ArrayList<>()).add(r);
                case TaskMatch.Labels l when l.labels().isEmpty() -> everyTask.add(r); // the API refuses these
                case TaskMatch.Labels l -> {
                    Map.Entry<String, String> first = l.labels().entrySet().iterator().next();
                    byLabel.computeIfAbsent(first.getKey(), k -> new HashMap<>())
                            .computeIfAbsent(first.getValue(), k -> new ArrayList<>()).add(r);
                }
            }
        }
        this.size = rules.size();
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /** The rules that watch {@code task}, in the order they were given. */
    public List<StoredRule> matching(TaskSpec task) {
        List<Ranked> found = new ArrayList<>(byTask.getOrDefault(task.id(), List.of()));
        found.addAll(everyTask);
        for (Map.Entry<String, String> label : task.labels().entrySet()) {
            Map<String, List<Ranked>> values = byLabel.get(label.getKey());
            List<Ranked> candidates = values == null ? null : values.get(label.getValue());
            if (candidates != null) {
                for (Ranked r : candidates) {
                    if (r.rule().tasks().matches(task)) {
                        found.add(r);
                    }
                }
            }
        }
        found.sort(Comparator.comparingInt(Ranked::rank));
        return found.stream().map(Ranked::rule).toList();
    }
}
