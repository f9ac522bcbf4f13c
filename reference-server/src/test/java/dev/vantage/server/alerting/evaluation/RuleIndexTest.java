package dev.vantage.server.alerting.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.probe.engine.TaskSpec;
import dev.vantage.server.alerting.rules.Condition;
import dev.vantage.server.alerting.rules.RuleJson;
import dev.vantage.server.alerting.rules.Scope;
import dev.vantage.server.alerting.rules.StoredRule;
import dev.vantage.server.alerting.rules.TaskMatch;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The index answers exactly what scanning every rule in order answers, for random rules and tasks. */
class RuleIndexTest {
    private static final List<String> NAMES = List.of("env", "tier", "team", "region");
    private static final List<String> VALUES = List.of("a", "b", "c");

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void findsWhatAScanOfEveryRuleFindsInTheSameOrder(long seed) {
        Random random = new Random(seed);
        List<StoredRule> rules = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            TaskMatch match = random.nextInt(3) == 0 ? new TaskMatch.Task("t" + random.nextInt(40))
                    : new TaskMatch.Labels(labels(random, 1 + random.nextInt(3)));
            rules.add(rule("r" + i, match));
        }
        RuleIndex index = new RuleIndex(rules);
        for (int t = 0; t < 200; t++) {
            TaskSpec task = TaskSpec.builder("tcp", "127.0.0.1:9").id("t" + random.nextInt(50))
                    .labels(labels(random, random.nextInt(5))).build();
            List<StoredRule> scanned = rules.stream().filter(r -> r.tasks().matches(task)).toList();
            assertThat(index.matching(task)).as("task %s %s", task.id(), task.labels()).isEqualTo(scanned);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1})
    void noRulesMatchNothing(int labels) {
        RuleIndex index = new RuleIndex(List.of());
        assertThat(index.isEmpty()).isTrue();
        TaskSpec task = TaskSpec.builder("tcp", "127.0.0.1:9").id("t").labels(labels(new Random(labels), labels)).build();
        assertThat(index.matching(task)).isEmpty();
    }

    private static Map<String, String> labels(Random random, int n) {
        Map<String, String> labels = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            labels.put(NAMES.get(random.nextInt(NAMES.size())), VALUES.get(random.nextInt(VALUES.size())));
        }
        return labels;
    }

    static StoredRule rule(String id, TaskMatch match) {
        RuleJson.Definition d = new RuleJson.Definition(id, match, new Condition.ConsecutiveFailures(1),
                Scope.PerAgent.ANY_ONE, Duration.ZERO, Duration.ZERO, null, List.of(), true);
        return new StoredRule(id, d, "test", Instant.EPOCH, Instant.EPOCH, 1);
    }
}
