package dev.vantage.server.alerting.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vantage.probe.engine.TaskSpec;
import dev.vantage.probe.spi.ErrorKind;
import dev.vantage.probe.spi.ProbeError;
import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.probe.spi.ProbeStatus;
import dev.vantage.server.alerting.rules.StoredRule;
import dev.vantage.server.alerting.rules.TaskMatch;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The engine on its own thread: which rules judge which task's results, as tasks and rules change. */
class AlertEngineRulesTest {
    private final Map<String, TaskSpec> tasks = new ConcurrentHashMap<>();
    private final List<StoredRule> rules = new CopyOnWriteArrayList<>();
    private final List<Transition> told = new CopyOnWriteArrayList<>();

    private AlertEngine engine() {
        return new AlertEngine(() -> List.copyOf(rules), id -> Optional.ofNullable(tasks.get(id)), id -> List.of(),
                List::of, told::addAll, grouped -> { }, Clock.systemUTC(), new SimpleMeterRegistry());
    }

    private void task(String id, Map<String, String> labels) {
        tasks.put(id, TaskSpec.builder("tcp", "127.0.0.1:9").id(id).labels(labels).build());
    }

    private static ProbeResult failed(String taskId) {
        return ProbeResult.builder().id(UUID.randomUUID().toString()).taskId(taskId).type("tcp").target("127.0.0.1:9")
                .startedAt(Instant.now()).duration(Duration.ofMillis(1)).status(ProbeStatus.FAILURE)
                .error(ProbeError.of(ErrorKind.REFUSED, "refused")).build();
    }

    private List<String> firings() {
        return told.stream().map(t -> t.ruleId() + "@" + t.taskId()).toList();
    }

    @Test
    void rulesByIdAndByLabelsJudgeTheirTasksOnlyAndFollowATasksNewLabels() {
        rules.add(RuleIndexTest.rule("byId", new TaskMatch.Task("a")));
        rules.add(RuleIndexTest.rule("prod", new TaskMatch.Labels(Map.of("env", "prod"))));
        rules.add(RuleIndexTest.rule("prodDb", new TaskMatch.Labels(Map.of("env", "prod", "tier", "db"))));
        task("a", Map.of("env", "prod"));
        task("b", Map.of("env", "prod", "tier", "db"));
        task("c", Map.of("env", "dev", "tier", "db"));
        try (AlertEngine engine = engine()) {
            long before = System.nanoTime();
            engine.stored("agent", List.of(failed("a"), failed("b"), failed("c"), failed("instant-test")));
            await().atMost(Duration.ofSeconds(10)).until(() -> told.size() >= 4);
            assertThat(firings()).containsExactly("byId@a", "prod@a", "prod@b", "prodDb@b");
            // each firing was caused by a result, and says when it reached alerting
            assertThat(told).allSatisfy(t -> assertThat(t.resultNanos() - before).isNotNegative());

            task("c", Map.of("env", "prod")); // relabelled: a new spec, so its rules are found again
            engine.stored("agent", List.of(failed("c")));
            await().atMost(Duration.ofSeconds(10)).until(() -> told.size() >= 5);
            assertThat(firings()).endsWith("prod@c");

            rules.add(RuleIndexTest.rule("byIdC", new TaskMatch.Task("c")));
            engine.rulesChanged(); // a rule change judges afresh: c fires for both its rules again
            engine.stored("agent", List.of(failed("c")));
            await().atMost(Duration.ofSeconds(10)).until(() -> told.size() >= 7);
            assertThat(firings().subList(5, 7)).containsExactly("prod@c", "byIdC@c");
            assertThat(told).hasSize(7);
        }
    }
}
