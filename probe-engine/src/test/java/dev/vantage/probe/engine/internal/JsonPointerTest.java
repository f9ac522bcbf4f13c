package dev.vantage.probe.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The engine's JSON pointer answers as Jackson's {@code readTree(json).at(pointer)} did when the engine used it
 * (every expected value below is what Jackson 2.23 returned for the same input).
 */
class JsonPointerTest {
    private static final String BODY = """
            {"status":"ok","n":3,"ratio":1.50,"big":123456789012345678901234567890,"exp":1e3,"neg":-0,"yes":true,
             "none":null,"list":[10,{"a":"x"},[]],"nested":{"s":"q\\"\\n\\u0001é/","d":[1e400]},"":"empty",
             "a/b":1,"m~n":2,"dup":1,"dup":2}""";

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "NULL", quoteCharacter = '`', value = {
        "/status      | ok",
        "/n           | 3",
        "/ratio       | 1.5",
        "/big         | 123456789012345678901234567890",
        "/exp         | 1000.0",
        "/neg         | 0",
        "/yes         | true",
        "/none        | null",
        "/list/0      | 10",
        "/list/1/a    | x",
        "/list/1      | `{\"a\":\"x\"}`",
        "/list/2      | []",
        "/list/01     | NULL",
        "/list/-      | NULL",
        "/list/3      | NULL",
        "/nested      | `{\"s\":\"q\\\"\\n\\u0001é/\",\"d\":[\"Infinity\"]}`",
        "/nested/d/0  | Infinity",
        "/            | empty",
        "/a~1b        | 1",
        "/m~0n        | 2",
        "/dup         | 2",
        "/missing     | NULL",
        "/status/x    | NULL",
    })
    void selectsAsJacksonDid(String pointer, String expected) {
        assertThat(JsonPointer.compile(pointer).select(BODY)).isEqualTo(expected);
    }

    @Test
    void theEmptyPointerSelectsTheWholeDocumentCompacted() {
        assertThat(JsonPointer.compile("").select(" { \"a\" : [ 1 , 2 ] } ")).isEqualTo("{\"a\":[1,2]}");
        assertThat(JsonPointer.compile("").select("\"text\"")).isEqualTo("text");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "{", "{\"a\":1,}", "[1,]", "{'a':1}", "// c\n{}", "NaN", "01", "1.", "-", "12abc",
        "truex", "\"a\u0001\"", "\"\\x\"", "\ufeff{}"})
    void textThatIsNotJsonSelectsNothing(String text) {
        assertThat(JsonPointer.compile("").select(text)).isNull();
    }

    @Test
    void contentAfterTheFirstValueIsIgnoredAsJacksonDid() {
        assertThat(JsonPointer.compile("/a").select("{\"a\":1} trailing")).isEqualTo("1");
        assertThat(JsonPointer.compile("").select("12 abc")).isEqualTo("12");
        assertThat(JsonPointer.compile("").select("true,")).isEqualTo("true");
    }

    @Test
    void jacksonsLimitsStillApply() {
        assertThat(JsonPointer.compile("").select("[".repeat(1000) + "]".repeat(1000))).isNotNull();
        assertThat(JsonPointer.compile("").select("[".repeat(1001) + "]".repeat(1001))).isNull();
        assertThat(JsonPointer.compile("").select("9".repeat(1000))).isEqualTo("9".repeat(1000));
        assertThat(JsonPointer.compile("").select("9".repeat(1001))).isNull();
        assertThat(JsonPointer.compile("").select("0." + "1".repeat(1000))).isEqualTo("0.1111111111111111");
        assertThat(JsonPointer.compile("").select("0." + "1".repeat(1001))).isNull();
    }

    @Test
    void aPointerMustStartWithASlash() {
        assertThatThrownBy(() -> JsonPointer.compile("status")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid input: JSON Pointer expression must start with '/': \"status\"");
    }
}
