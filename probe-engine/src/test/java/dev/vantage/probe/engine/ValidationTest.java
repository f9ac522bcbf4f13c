package dev.vantage.probe.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vantage.probe.spi.ConfigProblem;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Every way a task spec can be wrong is reported at once, each problem naming its JSON path. */
class ValidationTest {
    private final FakeProvider provider = FakeProvider.succeeding();
    private final ProbeEngine engine = ProbeEngine.builder().discoverProviders(false).addProvider(provider).build();

    @AfterEach
    void close() {
        engine.close();
    }

    private Map<String, String> problems(TaskSpec spec) {
        List<ConfigProblem> list = engine.validate(spec);
        java.util.Map<String, String> byField = new java.util.LinkedHashMap<>();
        list.forEach(p -> byField.merge(p.field(), p.reason(), (a, b) -> a + " | " + b));
        return byField;
    }

    private static TaskSpec.Builder valid() {
        return TaskSpec.builder("fake", "ok").id("t1").interval(Duration.ofSeconds(30)).timeout(Duration.ofSeconds(5));
    }

    @Test
    void aValidSpecHasNoProblems() {
        assertThat(engine.validate(valid().param("count", 5).param("wait", "250ms").param("mode", "b")
                .param("name", "abc").param("flag", true).param("ratio", 0.5).param("tags", List.of("x"))
                .param("headers", Map.of("a", "b")).label("region", "eu").build())).isEmpty();
    }

    @Test
    void taskFieldsAreCheckedTogether() {
        Map<String, String> p = problems(TaskSpec.builder("fake", "").id("bad id!").interval(Duration.ofMillis(1))
                .timeout(Duration.ofSeconds(-1)).jitter(Duration.ofMillis(-1)).maxInFlight(0).label("1bad", "x").build());
        assertThat(p).containsOnlyKeys("id", "target", "interval", "timeout", "jitter", "maxInFlight", "labels.1bad");
        assertThat(p.get("interval")).contains("between 10ms and 1d");
    }

    @Test
    void timeoutMustFitTheIntervalAndJitterMustBeShorter() {
        Map<String, String> p = problems(valid().timeout(Duration.ofMinutes(1)).jitter(Duration.ofSeconds(30)).build());
        assertThat(p.get("timeout")).isEqualTo("must not exceed the interval (30s)");
        assertThat(p.get("jitter")).isEqualTo("must be less than the interval (30s)");
    }

    @Test
    void unknownTypeNamesTheInstalledOnesAndGuessesNoArtifact() {
        Map<String, String> p = problems(TaskSpec.builder("nosuch", "example.invalid").build());
        assertThat(p.get("type")).contains("no probe plugin for type 'nosuch'").contains("installed types: fake")
                .doesNotContain("dev.vantage:plugins-");
    }

    @Test
    void parametersAreCheckedAgainstThePluginsDescription() {
        Map<String, String> p = problems(valid().param("count", 11).param("wait", "soon").param("mode", "c")
                .param("name", "ABC").param("flag", "yes").param("ratio", "x").param("tags", List.of("a", "b", "c"))
                .param("headers", "h").param("colour", "red").param("password", "much-too-long-secret").build());
        assertThat(p.get("params.count")).isEqualTo("must be at most 10, got 11");
        assertThat(p.get("params.wait")).contains("is not a duration");
        assertThat(p.get("params.mode")).isEqualTo("must be one of [a, b], got 'c'");
        assertThat(p.get("params.name")).isEqualTo("must match [a-z]+");
        assertThat(p.get("params.flag")).isEqualTo("must be true or false, got 'yes'");
        assertThat(p.get("params.ratio")).isEqualTo("must be a number, got 'x'");
        assertThat(p.get("params.tags")).isEqualTo("must be at most 2 items, got 3 items");
        assertThat(p.get("params.headers")).isEqualTo("must be an object of strings, got 'h'");
        assertThat(p.get("params.colour")).startsWith("unknown parameter for type 'fake'");
        assertThat(p.get("params.password")).isEqualTo("must be at most 8 characters")
                .as("a secret is never echoed").doesNotContain("much-too-long-secret");
        assertThat(p.get("params.count")).doesNotContain("secret");
    }

    @Test
    void wholeNumbersMayArriveAsJsonDecimalsOrText() {
        assertThat(engine.validate(valid().param("count", 4.0).build())).isEmpty();
        assertThat(engine.validate(valid().param("count", "4").build())).isEmpty();
        assertThat(problems(valid().param("count", 4.5).build())).containsKey("params.count");
    }

    @Test
    void thePluginsOwnChecksAreMappedToJsonPaths() {
        Map<String, String> p = problems(valid().target("bad").build());
        assertThat(p).containsEntry("target", "must not be 'bad'").containsEntry("params.count", "does not go with target 'bad'");
    }

    @Test
    void aWrongParameterDoesNotHideThePluginsOwnProblems() {
        Map<String, String> p = problems(valid().target("bad").param("count", 11).param("colour", "red").build());
        assertThat(p).containsEntry("target", "must not be 'bad'")
                .containsEntry("params.count", "must be at most 10, got 11") // the engine's words, not the plugin's
                .containsKey("params.colour");
    }

    @Test
    void assertionsAreCheckedWhenTheTaskIsAccepted() {
        Map<String, String> p = problems(valid()
                .assertion(Assertion.of("latency", Assertion.Op.LT, "5"))
                .assertion(Assertion.of("phase.connect", Assertion.Op.CONTAINS, "5"))
                .assertion(Assertion.of("measurement.x", Assertion.Op.LT, "fast"))
                .assertion(Assertion.of("attribute.body", Assertion.Op.MATCHES, "(unclosed"))
                .assertion(Assertion.of("status", Assertion.Op.LT, "GREEN"))
                .assertion(new Assertion("phase.dns", Assertion.Op.LT, "5", "/x"))
                .assertion(new Assertion("attribute.body", null, null, null))
                .build());
        assertThat(p.get("assertions[0].field")).startsWith("must be status, durationMs");
        assertThat(p.get("assertions[1].op")).isEqualTo("phase.connect is numeric: use lt le eq ne ge gt");
        assertThat(p.get("assertions[2].value")).isEqualTo("must be a number for lt");
        assertThat(p.get("assertions[3].value")).startsWith("is not a valid regular expression");
        assertThat(p.get("assertions[4].op")).isEqualTo("status takes eq or ne");
        assertThat(p.get("assertions[4].value")).isEqualTo("must be SUCCESS, FAILURE, TIMEOUT or ERROR");
        assertThat(p.get("assertions[5].jsonPointer")).isEqualTo("applies only to attribute fields");
        assertThat(p).containsKeys("assertions[6].op", "assertions[6].value");
    }

    @Test
    void scheduleAndRunOnceRefuseInvalidSpecsWithEveryProblem() {
        assertThatThrownBy(() -> engine.schedule(valid().interval(null).build()))
                .isInstanceOf(InvalidTaskException.class).hasMessage("interval: is required for a scheduled task");
        assertThatThrownBy(() -> engine.schedule(valid().id("").param("count", 0).build()))
                .isInstanceOfSatisfying(InvalidTaskException.class, e -> assertThat(e.problems())
                        .extracting(ConfigProblem::field).containsExactly("id", "params.count"));
        assertThatThrownBy(() -> engine.runOnce(TaskSpec.builder("fake", "").build()))
                .isInstanceOf(InvalidTaskException.class).hasMessageContaining("target: is required");
        assertThat(engine.scheduledTasks()).isEmpty();
    }

    @Test
    void providersWithTheSameTypeOrAMalformedTypeAreRefused() {
        assertThatThrownBy(() -> ProbeEngine.builder().discoverProviders(false).addProvider(FakeProvider.succeeding())
                .addProvider(new FakeProvider("fake", FakeProvider.SUCCEED) { }).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("probe type 'fake' is provided twice");
        assertThatThrownBy(() -> ProbeEngine.builder().discoverProviders(false)
                .addProvider(new FakeProvider("Bad_Type", FakeProvider.SUCCEED)).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("malformed type id 'Bad_Type'");
    }
}
