package dev.vantage.probe.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.vantage.probe.engine.TaskSpec;
import dev.vantage.probe.engine.Assertion;
import dev.vantage.probe.engine.InvalidTaskException;
import dev.vantage.probe.spi.ConfigProblem;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TaskSpecJsonTest {

    private static List<ConfigProblem> problems(String json) {
        return catchThrowableOfType(InvalidTaskException.class, () -> TaskSpecJson.parse(json)).problems();
    }

    private static ConfigProblem onlyProblem(String json) {
        List<ConfigProblem> problems = problems(json);
        assertThat(problems).hasSize(1);
        return problems.get(0);
    }

    @Test
    void readsEveryField() {
        TaskSpec spec = TaskSpecJson.parse("""
                {"id":"web","name":"Web","type":"http","target":"https://example.com/","interval":"30s",
                 "timeout":"1.5s","jitter":"250ms","maxInFlight":3,
                 "params":{"method":"GET","count":3,"ratio":0.5,"follow":true,"headers":{"a":"b"},"codes":[200,null],"none":null},
                 "assertions":[{"field":"measurement.httpStatus","op":"lt","value":400},
                               {"field":"attribute.body","op":"not_contains","value":"error","jsonPointer":"/status"},
                               {"field":"attribute.ok","op":"equals","value":true}],
                 "labels":{"region":"eu"},"enabled":false}""");

        assertThat(spec.id()).isEqualTo("web");
        assertThat(spec.name()).isEqualTo("Web");
        assertThat(spec.type()).isEqualTo("http");
        assertThat(spec.target()).isEqualTo("https://example.com/");
        assertThat(spec.interval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(spec.timeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(spec.jitter()).isEqualTo(Duration.ofMillis(250));
        assertThat(spec.maxInFlight()).isEqualTo(3);
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("method", "GET");
        params.put("count", 3L);
        params.put("ratio", 0.5);
        params.put("follow", true);
        params.put("headers", Map.of("a", "b"));
        params.put("codes", Arrays.asList(200L, null));
        params.put("none", null);
        assertThat(spec.params()).containsExactlyEntriesOf(params);
        assertThat(spec.assertions()).containsExactly(
                Assertion.of("measurement.httpStatus", Assertion.Op.LT, "400"),
                new Assertion("attribute.body", Assertion.Op.NOT_CONTAINS, "error", "/status"),
                Assertion.of("attribute.ok", Assertion.Op.EQUALS, "true"));
        assertThat(spec.labels()).containsExactly(Map.entry("region", "eu"));
        assertThat(spec.enabled()).isFalse();
    }

    @Test
    void aLeftOutTimeoutIsNeverLongerThanTheInterval() {
        assertThat(TaskSpecJson.parse("{\"type\":\"tcp\",\"target\":\"h:1\",\"interval\":\"1s\"}").timeout())
                .isEqualTo(Duration.ofSeconds(1));
        assertThat(TaskSpecJson.parse("{\"type\":\"tcp\",\"target\":\"h:1\",\"interval\":\"1m\"}").timeout())
                .isEqualTo(TaskSpec.DEFAULT_TIMEOUT);
        assertThat(TaskSpec.builder("tcp", "h:1").interval(Duration.ofMillis(500)).build().timeout())
                .isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void missingAndNullFieldsTakeDefaults() {
        TaskSpec spec = TaskSpecJson.parse("{\"id\":\"t\",\"type\":\"tcp\",\"target\":\"h:1\",\"interval\":null,\"timeout\":null}");

        assertThat(spec.name()).isEqualTo("t");
        assertThat(spec.interval()).isNull();
        assertThat(spec.timeout()).isEqualTo(TaskSpec.DEFAULT_TIMEOUT);
        assertThat(spec.jitter()).isZero();
        assertThat(spec.maxInFlight()).isEqualTo(1);
        assertThat(spec.params()).isEmpty();
        assertThat(spec.assertions()).isEmpty();
        assertThat(spec.labels()).isEmpty();
        assertThat(spec.enabled()).isTrue();
    }

    @Test
    void roundTripsEveryField() {
        TaskSpec spec = TaskSpec.builder("http", "https://example.com/").id("web").name("Web")
                .interval(Duration.ofSeconds(30)).timeout(Duration.ofNanos(1_500_001)).jitter(Duration.ofMillis(250))
                .maxInFlight(4).param("method", "GET").param("count", 3L).param("ratio", 0.25).param("follow", true)
                .param("headers", Map.of("a", "b")).param("codes", List.of(200L, 404L)).param("none", null)
                .assertion(Assertion.of("status", Assertion.Op.EQ, "SUCCESS"))
                .assertion(new Assertion("attribute.body", Assertion.Op.MATCHES, "^ok", "/a/0"))
                .label("region", "eu").label("team", "web").enabled(false).build();

        assertThat(TaskSpecJson.parse(TaskSpecJson.write(spec))).isEqualTo(spec);
        assertThat(TaskSpecJson.parse(TaskSpecJson.toJson(spec))).isEqualTo(spec);
    }

    @Test
    void writesTheDocumentedShapeAndOmitsAnAbsentInterval() {
        TaskSpec spec = TaskSpec.builder("tcp", "127.0.0.1:22").id("ssh").param("timeoutHint", Duration.ofMillis(20))
                .assertion(Assertion.of("phase.connect", Assertion.Op.LT, "50")).build();

        assertThat(TaskSpecJson.write(spec)).isEqualTo("""
                {"id":"ssh","name":"ssh","type":"tcp","target":"127.0.0.1:22","timeout":"5s","jitter":"0s",\
                "maxInFlight":1,"params":{"timeoutHint":"20ms"},\
                "assertions":[{"field":"phase.connect","op":"lt","value":"50"}],"labels":{},"enabled":true}""");
        assertThat(TaskSpecJson.parse(TaskSpecJson.write(spec)).interval()).isNull();
    }

    @Test
    void writingAnUnsupportedParameterValueNamesIt() {
        TaskSpec spec = TaskSpec.builder("tcp", "h:1").param("x", new Object()).build();

        assertThatThrownBy(() -> TaskSpecJson.write(spec)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("params.x: cannot write a java.lang.Object");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "{\"id\":\"a\",                   | line 1, column",
            "{\"id\":\"a\"} {}                | unexpected content after the end of the JSON value (line 1, column 12)",
            "{\"id\":\"a\"} x                 | line 1, column",
            "{id:1}                           | double-quote to start field name (line 1, column 2)",
            "{\"params\":{\"a\":[1,}}          | line 1, column",
            "{\"id\":\"a\",\"id\":\"b\"}      | Duplicate field 'id'",
            "{\"params\":{\"a\":1,\"a\":2}}   | Duplicate field 'a'",
    })
    void malformedJsonIsOneProblemAtTheRootWithItsPosition(String json, String expected) {
        ConfigProblem p = onlyProblem(json);

        assertThat(p.field()).isEqualTo("$");
        assertThat(p.reason()).startsWith("is not valid JSON: ").contains(expected)
                .doesNotContain("Source", "REDACTED", "Exception", "jackson", "\n");
    }

    @Test
    void emptyInputIsMalformed() {
        assertThat(onlyProblem(" ")).isEqualTo(ConfigProblem.of("$", "is not valid JSON: the input is empty"));
    }

    @Test
    void anUnterminatedObjectDoesNotLeakParserInternals() {
        ConfigProblem p = onlyProblem("{\"params\":{\"a\":[1");

        assertThat(p.reason()).contains("line 1").doesNotContain("Source", "REDACTED", "StreamReadFeature");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "[]       | an array",
            "\"x\"    | a string",
            "42       | a number",
            "null     | null",
    })
    void aDocumentThatIsNotAnObjectIsRefused(String json, String kind) {
        assertThat(onlyProblem(json)).isEqualTo(ConfigProblem.of("$", "must be a JSON object, got " + kind));
    }

    @Test
    void unknownFieldsAreRefusedNamingTheKnownOnes() {
        assertThat(onlyProblem("{\"type\":\"tcp\",\"intervall\":\"1s\"}")).isEqualTo(ConfigProblem.of("intervall",
                "unknown field 'intervall'; known fields: id, name, type, target, interval, timeout, jitter, "
                        + "maxInFlight, params, assertions, labels, enabled, diagnose"));
        assertThat(onlyProblem("{\"assertions\":[{\"field\":\"status\",\"op\":\"eq\",\"value\":\"SUCCESS\",\"pointer\":\"/a\"}]}"))
                .isEqualTo(ConfigProblem.of("assertions[0].pointer",
                        "unknown field 'pointer'; known fields: field, op, value, jsonPointer"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "id          | 1          | must be a string, got a number",
            "name        | true       | must be a string, got a boolean",
            "type        | []         | must be a string, got an array",
            "target      | {}         | must be a string, got an object",
            "interval    | 30         | must be a duration string such as \"30s\" or \"250ms\", got a number (a bare number has no unit)",
            "timeout     | true       | must be a duration string such as \"30s\" or \"250ms\", got a boolean",
            "jitter      | \"fast\"   | 'fast' is not a duration (use e.g. 250ms, 1.5s, 2m, 1h or PT1S)",
            "interval    | \"30 sec\" | '30 sec' is not a duration (use e.g. 250ms, 1.5s, 2m, 1h or PT1S)",
            "maxInFlight | 2.5        | must be a whole number, got 2.5",
            "maxInFlight | 9999999999 | is out of range, got 9999999999",
            "maxInFlight | \"2\"      | must be a whole number, got a string",
            "params      | [1]        | must be an object, got an array",
            "assertions  | {}         | must be an array, got an object",
            "labels      | \"eu\"     | must be an object, got a string",
            "enabled     | \"yes\"    | must be true or false, got a string",
    })
    void wrongTypesAreNamedByField(String field, String json, String reason) {
        assertThat(onlyProblem("{\"" + field + "\":" + json + "}")).isEqualTo(ConfigProblem.of(field, reason));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "[1]                                       | assertions[0]       | must be an object with field, op and value, got a number",
            "[{\"field\":1}]                           | assertions[0].field | must be a string, got a number",
            "[{\"op\":\"lower\"}]                      | assertions[0].op    | unknown op 'lower'; use one of lt le eq ne ge gt equals not_equals contains not_contains matches not_matches includes not_includes set_equals within_cidr",
            "[{\"op\":\"LT\"}]                         | assertions[0].op    | unknown op 'LT'; use one of lt le eq ne ge gt equals not_equals contains not_contains matches not_matches includes not_includes set_equals within_cidr",
            "[{\"op\":true}]                           | assertions[0].op    | must be a string, got a boolean",
            "[{\"value\":[1]}]                         | assertions[0].value | must be a string, number or boolean, got an array",
            "[{\"jsonPointer\":{}}]                    | assertions[0].jsonPointer | must be a string, got an object",
            "[{\"field\":\"status\"},{\"op\":\"x\"}]   | assertions[1].op    | unknown op 'x'; use one of lt le eq ne ge gt equals not_equals contains not_contains matches not_matches includes not_includes set_equals within_cidr",
    })
    void assertionProblemsAreNamedByIndexAndField(String json, String path, String reason) {
        assertThat(onlyProblem("{\"assertions\":" + json + "}")).isEqualTo(ConfigProblem.of(path, reason));
    }

    @Test
    void labelValuesMustBeStrings() {
        assertThat(problems("{\"labels\":{\"region\":1,\"team\":null,\"ok\":\"x\"}}")).containsExactly(
                ConfigProblem.of("labels.region", "must be a string, got a number"),
                ConfigProblem.of("labels.team", "must be a string, got null"));
    }

    @Test
    void parameterIntegersBeyond64BitsAreRefused() {
        assertThat(onlyProblem("{\"params\":{\"list\":[1,123456789012345678901234567890]}}"))
                .isEqualTo(ConfigProblem.of("params.list[1]", "whole number out of range (64-bit)"));
    }

    @Test
    void everyProblemIsReportedAtOnceInFieldOrder() {
        List<ConfigProblem> problems = problems("""
                {"id":7,"interval":"soon","maxInFlight":"many","colour":"red",
                 "assertions":[{"field":"status","op":"eq","value":"SUCCESS"},{"op":"bigger","extra":1}],
                 "labels":{"region":false},"enabled":1}""");

        assertThat(problems).extracting(ConfigProblem::field).containsExactly(
                "colour", "id", "interval", "maxInFlight", "assertions[1].extra", "assertions[1].op", "labels.region",
                "enabled");
    }

    @Test
    void structurallyValidButSemanticallyWrongValuesAreLeftToTheEngine() {
        // bounds and assertion semantics are ProbeEngine.validate's job: parsing must accept these
        TaskSpec spec = TaskSpecJson.parse("""
                {"id":"bad id!","interval":"1ns","timeout":"0","maxInFlight":-5,"params":{"nope":1},
                 "assertions":[{"field":"whatever","op":"matches","value":"("}],"labels":{"bad label":"x"}}""");

        assertThat(spec.maxInFlight()).isEqualTo(-5);
        assertThat(spec.interval()).isEqualTo(Duration.ofNanos(1));
        assertThat(spec.timeout()).isZero();
    }

    @Test
    void problemsAreToldInTheReadersLanguage() {
        java.util.Locale zh = java.util.Locale.SIMPLIFIED_CHINESE;
        List<ConfigProblem> found = problems("""
                {"id":7,"interval":30,"timeout":true,"maxInFlight":2.5,"colour":"red","labels":{"team":null},
                 "assertions":[{"op":"bigger","value":[1]}],"params":{"n":123456789012345678901234567890}}""");
        Map<String, String> chinese = new LinkedHashMap<>();
        found.forEach(p -> chinese.put(p.field(), TaskSpecJson.reason(p, zh).orElseThrow(() -> new AssertionError(p))));
        assertThat(chinese).containsExactly(
                Map.entry("colour", "未知字段“colour”；可用字段：id, name, type, target, interval, timeout, jitter, "
                        + "maxInFlight, params, assertions, labels, enabled, diagnose"),
                Map.entry("id", "必须是字符串，实际为数字"),
                Map.entry("interval", "必须是时长字符串，例如 \"30s\" 或 \"250ms\"，实际为数字（单纯的数字没有单位）"),
                Map.entry("timeout", "必须是时长字符串，例如 \"30s\" 或 \"250ms\"，实际为布尔值"),
                Map.entry("maxInFlight", "必须是整数，实际为 2.5"),
                Map.entry("params.n", "整数超出范围（64 位）"),
                Map.entry("assertions[0].op", "未知的运算符“bigger”；请使用以下之一：lt le eq ne ge gt equals not_equals "
                        + "contains not_contains matches not_matches includes not_includes set_equals within_cidr"),
                Map.entry("assertions[0].value", "必须是字符串、数字或布尔值，实际为数组"),
                Map.entry("labels.team", "必须是字符串，实际为空值（null）"));
        assertThat(TaskSpecJson.reason(onlyProblem("[]"), zh)).contains("必须是 JSON 对象，实际为数组");
        // text that is not one JSON value: where, and what is wrong, in the reader's words; the parser's own as data
        assertThat(TaskSpecJson.reason(onlyProblem(" "), zh)).contains("不是有效的 JSON：输入为空");
        assertThat(TaskSpecJson.reason(onlyProblem("{\"id\":\"a\"} {}"), zh))
                .contains("不是有效的 JSON（第 1 行，第 12 列）：JSON 值之后有多余内容");
        assertThat(TaskSpecJson.reason(onlyProblem("{id:1}"), zh).orElseThrow())
                .startsWith("不是有效的 JSON（第 1 行，第 2 列）：").contains("double-quote to start field name");
        // English has no file of its own: the problem's reason is the English text
        assertThat(TaskSpecJson.reason(found.get(0), java.util.Locale.ENGLISH)).isEmpty();
        // a problem that is not one of parse's own (a duration's is the engine's) is left to its owner
        ConfigProblem duration = onlyProblem("{\"jitter\":\"fast\"}");
        assertThat(duration.code()).isEqualTo("engine.duration");
        assertThat(TaskSpecJson.reason(duration, zh)).isEmpty();
        assertThat(TaskSpecJson.TEXTS.translationGaps(zh)).isEmpty();
    }

    @Test
    void theExceptionMessageListsEveryProblem() {
        assertThatThrownBy(() -> TaskSpecJson.parse("{\"id\":1,\"enabled\":\"no\"}"))
                .isInstanceOf(InvalidTaskException.class)
                .hasMessage("id: must be a string, got a number; enabled: must be true or false, got a string");
    }

    @Test
    void diagnoseOnFailureIsReadAndWrittenOnlyWhenOn() {
        TaskSpec on = TaskSpecJson.parse("{\"type\":\"tcp\",\"target\":\"h:1\",\"diagnose\":{\"onFailure\":true}}");
        assertThat(on.diagnoseOnFailure()).isTrue();
        assertThat(TaskSpecJson.write(on)).endsWith("\"enabled\":true,\"diagnose\":{\"onFailure\":true}}");
        assertThat(TaskSpecJson.parse(TaskSpecJson.write(on))).isEqualTo(on);
        TaskSpec off = TaskSpecJson.parse("{\"type\":\"tcp\",\"target\":\"h:1\",\"diagnose\":{}}");
        assertThat(off.diagnoseOnFailure()).isFalse();
        assertThat(TaskSpecJson.write(off)).doesNotContain("diagnose");

        InvalidTaskException e = catchThrowableOfType(InvalidTaskException.class, () -> TaskSpecJson.parse(
                "{\"type\":\"tcp\",\"target\":\"h:1\",\"diagnose\":{\"onFailure\":\"yes\",\"traceroute\":true}}"));
        assertThat(e.problems()).extracting(ConfigProblem::field)
                .containsExactlyInAnyOrder("diagnose.onFailure", "diagnose.traceroute");
    }
}
