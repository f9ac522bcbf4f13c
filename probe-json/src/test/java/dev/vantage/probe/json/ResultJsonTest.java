package dev.vantage.probe.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vantage.probe.spi.AssertionOutcome;
import dev.vantage.probe.spi.ErrorKind;
import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.probe.spi.ProbeStatus;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ResultJsonTest {
    private static final Instant STARTED = Instant.parse("2025-01-02T03:04:05.123456789Z");

    private static ProbeResult full() {
        return ProbeResult.builder().id("r-1").taskId("web").type("http").target("https://example.com/")
                .startedAt(STARTED).durationNanos(12_345_678)
                .phaseNanos("dns", 1_000).phaseNanos("connect", 2_500_001)
                .measurement("httpStatus", 200).measurement("lossPercent", 33.25)
                .samples("rttMs", Arrays.asList(1.25, null, 3.0))
                .attribute("tlsVersion", "TLSv1.3").attribute("body", "{\"a\":\"é\n\"}")
                .error(ErrorKind.ASSERTION, "measurement.httpStatus lt 200 failed")
                .assertion(AssertionOutcome.of("measurement.httpStatus lt 200", false, "200"))
                .assertion(AssertionOutcome.of("attribute.missing equals x", false, null))
                .label("region", "eu").label("agent", "a1")
                .build();
    }

    /** ProbeResult has no equals: compare every accessor. */
    private static void assertSameResult(ProbeResult actual, ProbeResult expected) {
        assertThat(actual.id()).isEqualTo(expected.id());
        assertThat(actual.taskId()).isEqualTo(expected.taskId());
        assertThat(actual.type()).isEqualTo(expected.type());
        assertThat(actual.target()).isEqualTo(expected.target());
        assertThat(actual.status()).isEqualTo(expected.status());
        assertThat(actual.error()).isEqualTo(expected.error());
        assertThat(actual.startedAt()).isEqualTo(expected.startedAt());
        assertThat(actual.duration()).isEqualTo(expected.duration());
        assertThat(actual.phases()).containsExactlyEntriesOf(expected.phases());
        assertThat(actual.measurements()).containsExactlyEntriesOf(expected.measurements());
        assertThat(actual.samples()).containsExactlyEntriesOf(expected.samples());
        assertThat(actual.attributes()).containsExactlyEntriesOf(expected.attributes());
        assertThat(actual.assertions()).containsExactlyElementsOf(expected.assertions());
        assertThat(actual.labels()).containsExactlyEntriesOf(expected.labels());
    }

    @Test
    void writesTheDocumentedShapeInOrder() {
        assertThat(ResultJson.toJson(full())).isEqualTo("""
                {"id":"r-1","taskId":"web","type":"http","target":"https://example.com/","status":"FAILURE",\
                "startedAt":"2025-01-02T03:04:05.123456789Z","durationMs":12.345678,\
                "phases":{"dns":0.001,"connect":2.500001},"measurements":{"httpStatus":200.0,"lossPercent":33.25},\
                "samples":{"rttMs":[1.25,null,3.0]},"attributes":{"tlsVersion":"TLSv1.3","body":"{\\"a\\":\\"é\\n\\"}"},\
                "error":{"kind":"ASSERTION","message":"measurement.httpStatus lt 200 failed"},\
                "assertions":[{"assertion":"measurement.httpStatus lt 200","passed":false,"actual":"200"},\
                {"assertion":"attribute.missing equals x","passed":false,"actual":null}],\
                "labels":{"region":"eu","agent":"a1"}}""");
    }

    @Test
    void aSuccessHasNoErrorFieldAndEmptyCollectionsAreWritten() {
        ProbeResult r = ProbeResult.builder().type("tcp").target("h:1").startedAt(Instant.parse("2025-01-02T03:04:05Z")).build();

        assertThat(ResultJson.toJson(r)).isEqualTo("""
                {"id":"","taskId":"","type":"tcp","target":"h:1","status":"SUCCESS","startedAt":"2025-01-02T03:04:05Z",\
                "durationMs":0.0,"phases":{},"measurements":{},"samples":{},"attributes":{},"assertions":[],"labels":{}}""");
        assertSameResult(ResultJson.parse(ResultJson.toJson(r)), r);
    }

    @Test
    void roundTripsEveryField() {
        ProbeResult r = full();

        assertSameResult(ResultJson.parse(ResultJson.toJson(r)), r);
        assertSameResult(ResultJson.parse(ResultJson.toTree(r)), r);
    }

    @Test
    void anExplicitStatusOtherThanTheErrorKindsSurvives() {
        ProbeResult r = ProbeResult.builder().startedAt(STARTED).error(ErrorKind.TIMEOUT, "slow").status(ProbeStatus.ERROR).build();

        ProbeResult back = ResultJson.parse(ResultJson.toJson(r));

        assertThat(back.status()).isEqualTo(ProbeStatus.ERROR);
        assertThat(back.error().kind()).isEqualTo(ErrorKind.TIMEOUT);
    }

    @Test
    void durationsKeepNanosecondPrecision() {
        for (long nanos : new long[] {0, 1, 999, 1_000_001, 12_345_678_901L, 86_400_000_000_001L}) {
            ProbeResult r = ProbeResult.builder().startedAt(STARTED).durationNanos(nanos).phaseNanos("p", nanos).build();

            ProbeResult back = ResultJson.parse(ResultJson.toJson(r));

            assertThat(back.duration().toNanos()).isEqualTo(nanos);
            assertThat(back.phases().get("p").toNanos()).isEqualTo(nanos);
        }
    }

    @Test
    void nonFiniteNumbersAreWrittenAsNullAndReadBackAsNaNOrLostSamples() {
        ProbeResult r = ProbeResult.builder().startedAt(STARTED)
                .measurement("nan", Double.NaN).measurement("inf", Double.POSITIVE_INFINITY).measurement("ok", 1.5)
                .samples("rttMs", Arrays.asList(Double.NaN, null, Double.NEGATIVE_INFINITY, 2.0))
                .build();

        String json = ResultJson.toJson(r);
        ProbeResult back = ResultJson.parse(json);

        assertThat(json).contains("\"measurements\":{\"nan\":null,\"inf\":null,\"ok\":1.5}")
                .contains("\"samples\":{\"rttMs\":[null,null,null,2.0]}")
                .doesNotContain("NaN", "Infinity");
        assertThat(back.measurements()).containsExactly(
                Map.entry("nan", Double.NaN), Map.entry("inf", Double.NaN), Map.entry("ok", 1.5));
        assertThat(back.samples().get("rttMs")).containsExactly(null, null, null, 2.0);
    }

    @Test
    void theTreeHasTheSameContentAsTheText() {
        ObjectNode tree = ResultJson.toTree(full());

        assertThat(Json.write(tree)).isEqualTo(ResultJson.toJson(full()));
    }

    @Test
    void unknownFieldsAndMissingOptionalFieldsAreAccepted() {
        ProbeResult r = ResultJson.parse("{\"status\":\"TIMEOUT\",\"startedAt\":\"2025-01-02T03:04:05Z\",\"future\":{\"x\":1},"
                + "\"error\":null,\"phases\":null}");

        assertThat(r.status()).isEqualTo(ProbeStatus.TIMEOUT);
        assertThat(r.error()).isNull();
        assertThat(r.duration()).isZero();
        assertThat(r.id()).isEmpty();
        assertThat(r.phases()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "[]                                                   | result JSON: $ must be a JSON object, got an array",
            "{\"startedAt\":\"2025-01-02T03:04:05Z\"}             | result JSON: status must be SUCCESS, FAILURE, TIMEOUT or ERROR, got nothing",
            "{\"status\":\"OK\",\"startedAt\":\"2025-01-02T03:04:05Z\"} | result JSON: status must be SUCCESS, FAILURE, TIMEOUT or ERROR, got 'OK'",
            "{\"status\":\"SUCCESS\"}                             | result JSON: startedAt must be a string, got nothing",
            "{\"status\":\"SUCCESS\",\"startedAt\":\"yesterday\"} | result JSON: startedAt must be an ISO-8601 instant such as 2025-01-02T03:04:05.123Z, got 'yesterday'",
            "{\"status\":\"SUCCESS\",\"startedAt\":\"2025-01-02T03:04:05Z\",\"durationMs\":\"1\"} | result JSON: durationMs must be a number of milliseconds, got '1'",
            "{\"status\":\"SUCCESS\",\"startedAt\":\"2025-01-02T03:04:05Z\",\"durationMs\":1e300} | result JSON: durationMs is out of range, got '1.0E300'",
            "{\"status\":\"SUCCESS\",\"startedAt\":\"2025-01-02T03:04:05Z\",\"phases\":[]} | result JSON: phases must be an object, got an array",
            "{\"status\":\"SUCCESS\",\"startedAt\":\"2025-01-02T03:04:05Z\",\"measurements\":{\"a\":\"1\"}} | result JSON: measurements.a must be a number or null, got '1'",
            "{\"status\":\"SUCCESS\",\"startedAt\":\"2025-01-02T03:04:05Z\",\"samples\":{\"a\":[1,true]}} | result JSON: samples.a[1] must be a number, got a boolean",
            "{\"status\":\"SUCCESS\",\"startedAt\":\"2025-01-02T03:04:05Z\",\"samples\":{\"a\":1}} | result JSON: samples.a must be an array of numbers or nulls, got '1'",
            "{\"status\":\"SUCCESS\",\"startedAt\":\"2025-01-02T03:04:05Z\",\"attributes\":{\"a\":1}} | result JSON: attributes.a must be a string, got '1'",
            "{\"status\":\"SUCCESS\",\"startedAt\":\"2025-01-02T03:04:05Z\",\"error\":{\"kind\":1}} | result JSON: error.kind must be a string, got '1'",
            "{\"status\":\"SUCCESS\",\"startedAt\":\"2025-01-02T03:04:05Z\",\"error\":\"boom\"} | result JSON: error must be an object with kind and message, got 'boom'",
            "{\"status\":\"SUCCESS\",\"startedAt\":\"2025-01-02T03:04:05Z\",\"assertions\":[{\"assertion\":\"a\"}]} | result JSON: assertions[0].passed must be true or false, got nothing",
            "{\"status\":\"SUCCESS\",\"startedAt\":\"2025-01-02T03:04:05Z\",\"labels\":{\"a\":null}} | result JSON: labels.a must be a string, got null",
    })
    void badInputIsRefusedNamingTheField(String json, String message) {
        assertThatThrownBy(() -> ResultJson.parse(json)).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }

    @Test
    void anErrorKindFromANewerWriterIsKeptAsInternalWithItsName() {
        ProbeResult r = ResultJson.parse("{\"status\":\"FAILURE\",\"startedAt\":\"2025-01-02T03:04:05Z\","
                + "\"error\":{\"kind\":\"QUIC\",\"message\":\"handshake lost\"}}");
        assertThat(r.status()).isEqualTo(ProbeStatus.FAILURE);
        assertThat(r.error().kind()).isEqualTo(ErrorKind.INTERNAL);
        assertThat(r.error().message()).isEqualTo("(QUIC) handshake lost");
    }

    @Test
    void malformedJsonIsRefusedWithItsPosition() {
        assertThatThrownBy(() -> ResultJson.parse("{\"status\":\"SUCCESS\",}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("result is not valid JSON: ")
                .hasMessageContaining("(line 1, column 21)");
        assertThatThrownBy(() -> ResultJson.parse("{\"status\":\"SUCCESS\",\"status\":\"ERROR\"}"))
                .hasMessageContaining("Duplicate field 'status'");
    }

    @Test
    void followUpsAreNestedResultsLeftOutWhenEmpty() {
        ProbeResult trace = ProbeResult.builder().type("traceroute").target("h").startedAt(STARTED)
                .attribute("hops", "[]").build();
        ProbeResult r = full().toBuilder().followUps(java.util.List.of(trace)).build();

        String json = ResultJson.toJson(r);
        assertThat(json).endsWith(",\"followUps\":[" + ResultJson.toJson(trace) + "]}");
        assertThat(ResultJson.toJson(full())).doesNotContain("followUps");
        assertThat(ResultJson.toJson(ResultJson.parse(json))).isEqualTo(json);
        assertThatThrownBy(() -> ResultJson.parse(json.replace("\"type\":\"traceroute\",\"target\":\"h\",\"status\":\"SUCCESS\"",
                "\"type\":\"traceroute\",\"target\":\"h\",\"status\":\"MAYBE\"")))
                .hasMessageStartingWith("result JSON: followUps[0].status");
    }
}
