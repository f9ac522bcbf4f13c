package dev.vantage.probe.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class TaskSpecTest {
    private static final TaskSpec SPEC = TaskSpec.builder("http", "http://127.0.0.1:8080/").id("web").name("Web")
            .interval(Duration.ofSeconds(30)).timeout(Duration.ofSeconds(2)).jitter(Duration.ofSeconds(1)).maxInFlight(2)
            .param("method", "GET").assertion(Assertion.of("status", Assertion.Op.EQ, "SUCCESS"))
            .label("team", "web").enabled(false).build();

    @Test
    void defaultsFillWhatTheBuilderLeftOut() {
        TaskSpec spec = TaskSpec.builder("tcp", "127.0.0.1:22").id("ssh").build();
        assertThat(spec.name()).isEqualTo("ssh");
        assertThat(spec.interval()).isNull();
        assertThat(spec.scheduled()).isFalse();
        assertThat(spec.timeout()).isEqualTo(TaskSpec.DEFAULT_TIMEOUT);
        assertThat(spec.jitter()).isZero();
        assertThat(spec.maxInFlight()).isOne();
        assertThat(spec.params()).isEmpty();
        assertThat(spec.enabled()).isTrue();
        // a task every second gets a timeout it can keep
        assertThat(spec.toBuilder().interval(Duration.ofSeconds(1)).timeout(null).build().timeout())
                .isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void equalWhenEveryFieldIsEqual() {
        assertThat(SPEC.toBuilder().build()).isEqualTo(SPEC).hasSameHashCodeAs(SPEC).hasToString(SPEC.toString());
        List<UnaryOperator<TaskSpec.Builder>> changes = List.of(b -> b.id("other"), b -> b.name("Other"),
                b -> b.type("tcp"), b -> b.target("127.0.0.1:80"), b -> b.interval(Duration.ofSeconds(31)),
                b -> b.timeout(Duration.ofSeconds(3)), b -> b.jitter(Duration.ZERO), b -> b.maxInFlight(3),
                b -> b.param("method", "HEAD"), b -> b.assertion(Assertion.of("durationMs", Assertion.Op.LT, "5")),
                b -> b.label("team", "db"), b -> b.enabled(true));
        for (UnaryOperator<TaskSpec.Builder> change : changes) {
            assertThat(change.apply(SPEC.toBuilder()).build()).isNotEqualTo(SPEC);
        }
    }

    @Test
    void collectionsAreUnmodifiableCopies() {
        TaskSpec.Builder b = SPEC.toBuilder();
        TaskSpec before = b.build();
        b.param("extra", 1).label("extra", "x");
        assertThat(before).isEqualTo(SPEC);
        assertThat(before.params()).isUnmodifiable();
        assertThat(before.labels()).isUnmodifiable();
        assertThat(before.assertions()).isUnmodifiable();
        assertThat(SPEC).hasToString("TaskSpec[id=web, name=Web, type=http, target=http://127.0.0.1:8080/, interval=PT30S, "
                + "timeout=PT2S, jitter=PT1S, maxInFlight=2, params={method=GET}, assertions=[status eq SUCCESS], "
                + "labels={team=web}, enabled=false, diagnoseOnFailure=false]");
    }
}
