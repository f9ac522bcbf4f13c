package dev.vantage.server.alerting.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vantage.probe.engine.TaskSpec;
import dev.vantage.probe.spi.ErrorKind;
import dev.vantage.probe.spi.ProbeError;
import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.probe.spi.ProbeStatus;
import dev.vantage.server.alerting.rules.Condition;
import dev.vantage.server.alerting.rules.RuleJson;
import dev.vantage.server.alerting.rules.Scope;
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
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The engine's explanations: failures of a task whose dependency fails from the same agent, and failures of an agent
 * whose own network is gone, are not counted; each case beside a control run in which the same failures do fire.
 * Real engine thread, results fed as the stored-listener feeds them.
 */
class AlertEngineTest {
    private static final List<String> TASKS = List.of("gw", "web", "api", "db");

    private final List<Transition> transitions = new CopyOnWriteArrayList<>();
    private final List<Grouped> grouped = new CopyOnWriteArrayList<>();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private AlertEngine engine;

    /** "Any one agent failing 2 in a row" on every task, web and api depending on gw when {@code dependencies}. */
    private void start(boolean dependencies) {
        List<StoredRule> rules = TASKS.stream().map(t -> new StoredRule("rule-" + t, new RuleJson.Definition(t + " down",
                new TaskMatch.Task(t), new Condition.ConsecutiveFailures(2), Scope.PerAgent.ANY_ONE, Duration.ZERO,
                Duration.ZERO, null, List.of(), true), "admin", Instant.EPOCH, Instant.EPOCH, 1)).toList();
        Map<String, List<String>> dependsOn = dependencies ? Map.of("web", List.of("gw"), "api", List.of("gw")) : Map.of();
        engine = new AlertEngine(() -> rules,
                id -> Optional.of(TaskSpec.builder("tcp", "127.0.0.1:1").id(id).build()),
                id -> dependsOn.getOrDefault(id, List.of()), List::of, transitions::addAll, grouped::add,
                Clock.systemUTC(), registry);
    }

    @AfterEach
    void stop() {
        engine.close();
    }

    private static ProbeResult result(String task, boolean ok) {
        ProbeResult.Builder b = ProbeResult.builder().id(UUID.randomUUID().toString()).taskId(task).type("tcp")
                .target("127.0.0.1:1").startedAt(Instant.now()).duration(Duration.ofMillis(1))
                .status(ok ? ProbeStatus.SUCCESS : ProbeStatus.FAILURE);
        if (!ok) {
            b.error(ProbeError.of(ErrorKind.TIMEOUT, "timed out"));
        }
        return b.build();
    }

    /** Rounds of one result per task from {@code agent}, ok or not per task. */
    private void rounds(int n, String agent, Map<String, Boolean> ok) {
        for (int i = 0; i < n; i++) {
            for (String t : TASKS) {
                engine.stored(agent, List.of(result(t, ok.getOrDefault(t, false))));
            }
        }
    }

    private double judged() {
        return registry.get("vantage.alerting.judge").timer().count();
    }

    private List<String> firing() {
        return transitions.stream().filter(t -> t.kind() == Transition.Kind.FIRING).map(Transition::taskId).sorted().toList();
    }

    @Test
    void anAgentThatLostItsOwnNetworkPagesNobodyWhileOtherAgentsSucceed() {
        start(false);
        rounds(1, "healthy", Map.of("gw", true, "web", true, "api", true, "db", true));
        rounds(3, "cut-off", Map.of());
        await().atMost(Duration.ofSeconds(10)).until(() -> judged() == 16);
        assertThat(firing()).as("every task of one agent failing is that agent's network").isEmpty();
        assertThat(registry.get("vantage.alerting.explained").counter().count()).isPositive();
    }

    @Test
    void controlTheSameFailuresFireWhenNoOtherAgentSucceeds() {
        start(false);
        rounds(3, "cut-off", Map.of());
        await().atMost(Duration.ofSeconds(10)).until(() -> firing().size() == 4);
        assertThat(firing()).containsExactly("api", "db", "gw", "web");
    }

    @Test
    void aFailingDependencyKeepsItsDependentsQuietAndListsThemUnderItsIncident() {
        start(true);
        // two agents; gw fails from one of them, and so (because of it) do web and api there; db is fine everywhere
        rounds(3, "a1", Map.of("db", true));
        rounds(3, "a2", Map.of("gw", true, "web", true, "api", true, "db", true));
        await().atMost(Duration.ofSeconds(10)).until(() -> judged() == 24);
        assertThat(firing()).as("only the gateway pages").containsExactly("gw");
        await().atMost(Duration.ofSeconds(5)).until(() -> grouped.size() == 2);
        assertThat(grouped).extracting(Grouped::taskId).containsExactlyInAnyOrder("web", "api");
        assertThat(grouped).allMatch(g -> g.parentTaskId().equals("gw") && g.ruleId().equals("rule-gw"));

        // the gateway is back on a1 but web is still down there: now web is web's own problem
        rounds(2, "a1", Map.of("gw", true, "api", true, "db", true));
        await().atMost(Duration.ofSeconds(10)).until(() -> firing().contains("web"));
        assertThat(firing()).containsExactly("gw", "web");
    }

    @Test
    void controlWithoutTheDependencyEveryFailingTaskPages() {
        start(false);
        rounds(3, "a1", Map.of("db", true));
        rounds(3, "a2", Map.of("gw", true, "web", true, "api", true, "db", true));
        await().atMost(Duration.ofSeconds(10)).until(() -> firing().size() == 3);
        assertThat(firing()).containsExactly("api", "gw", "web");
        assertThat(grouped).isEmpty();
    }
}
