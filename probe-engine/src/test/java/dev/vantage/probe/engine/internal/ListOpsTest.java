package dev.vantage.probe.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.probe.engine.Assertion;
import dev.vantage.probe.engine.Assertion.Op;
import dev.vantage.probe.spi.AssertionOutcome;
import dev.vantage.probe.spi.ConfigProblem;
import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.probe.spi.ProbeStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The list ops (includes, not_includes, set_equals, within_cidr) on a list attribute, as a DNS task uses them. */
class ListOpsTest {
    private static final ProbeResult ANSWERS = ProbeResult.builder().status(ProbeStatus.SUCCESS).startedAt(Instant.EPOCH)
            .attribute("answers", "[\"192.0.2.1\",\"192.0.2.10\",\"2001:db8::1\"]")
            .attribute("none", "[]")
            .attribute("remoteAddress", "198.51.100.7")
            .attribute("records", "[{\"type\":\"A\",\"data\":\"192.0.2.1\"}]")
            .attribute("names", "[\"mail.example.test.\"]")
            .build();

    private static boolean holds(String field, Op op, String value, String pointer) {
        List<ConfigProblem> problems = new ArrayList<>();
        CompiledAssertion a = CompiledAssertion.compile(new Assertion(field, op, value, pointer), "assertions[0]", problems);
        assertThat(problems).isEmpty();
        AssertionOutcome outcome = a.evaluate(ANSWERS, Duration.ofMillis(1));
        return outcome.passed();
    }

    @ParameterizedTest(name = "{0} {1} {2} -> {3}")
    @CsvSource(delimiter = '|', value = {
        // an element equals the value, not a substring of one (192.0.2.1 is inside "192.0.2.10" as text)
        "answers | includes     | 192.0.2.1                        | true",
        "answers | includes     | 192.0.2.100                      | false",
        "answers | includes     | 192.0.2                          | false",
        "answers | includes     | 2001:DB8:0:0:0:0:0:1             | true",
        "answers | not_includes | 203.0.113.5                      | true",
        "answers | not_includes | 192.0.2.10                       | false",
        // the same set in any order and spelling; one more or one less is not
        "answers | set_equals   | 2001:db8::1, 192.0.2.10,192.0.2.1 | true",
        "answers | set_equals   | 192.0.2.1,192.0.2.10              | false",
        "answers | set_equals   | 192.0.2.1,192.0.2.10,2001:db8::1,192.0.2.2 | false",
        // hijack detection: every answer inside our ranges
        "answers | within_cidr  | 192.0.2.0/24, 2001:db8::/32       | true",
        "answers | within_cidr  | 192.0.2.0/29, 2001:db8::/32       | false",
        "answers | within_cidr  | 192.0.2.0/24                      | false",
        "none    | within_cidr  | 0.0.0.0/0                         | false",
        "names   | within_cidr  | 0.0.0.0/0, ::/0                   | false",
        "none    | set_equals   | ''                                | true",
        // a plain attribute is a list of one
        "remoteAddress | within_cidr | 198.51.100.0/24             | true",
        "remoteAddress | includes    | 198.51.100.7                | true",
        "names   | includes     | mail.example.test.               | true",
        "missing | includes     | x                                | false",
    })
    void listOps(String attribute, String op, String value, boolean expected) {
        assertThat(holds("attribute." + attribute, Op.fromJson(op), value, null)).isEqualTo(expected);
    }

    @Test
    void aJsonPointerSelectsTheList() {
        assertThat(holds("attribute.records", Op.INCLUDES, "192.0.2.1", "/0/data")).isTrue();
        assertThat(holds("attribute.records", Op.INCLUDES, "{\"type\":\"A\",\"data\":\"192.0.2.1\"}", null)).isTrue();
    }

    @Test
    void aMisspeltRangeOrAnOctalLookingAddressIsNoRange() {
        List<ConfigProblem> problems = new ArrayList<>();
        CompiledAssertion.compile(new Assertion("attribute.answers", Op.WITHIN_CIDR, "192.0.2.0/24, example.com", null),
                "assertions[2]", problems);
        CompiledAssertion.compile(new Assertion("attribute.answers", Op.WITHIN_CIDR, " , ", null), "assertions[3]", problems);
        CompiledAssertion.compile(new Assertion("measurement.answerCount", Op.INCLUDES, "1", null), "assertions[4]", problems);
        assertThat(problems).extracting(ConfigProblem::field)
                .containsExactly("assertions[2].value", "assertions[3].value", "assertions[4].op");
        assertThat(problems.get(0).reason()).contains("example.com");
        // an element is an address only in its plain form: 0177.0.0.1 is not 127.0.0.1 (nor 177.0.0.1)
        assertThat(Cidr.literal("0177.0.0.1")).isNull();
        assertThat(Cidr.literal("1.2")).isNull();
        assertThat(Cidr.literal("127.0.0.1")).isNotNull();
        assertThat(Cidr.literal("example.com")).isNull();
    }
}
